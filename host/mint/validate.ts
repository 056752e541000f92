// Schema checks for JSON bodies: every field a service reads is checked for type, shape and
// size here, before any logic or crypto sees it. Failures are a 400 ApiError naming the field.
import { ApiError, HttpCode } from './http.ts';

export class Field {
  constructor(
    readonly value: unknown,
    readonly path: string,
    private readonly code: number = HttpCode.malformed,
  ) {}

  fail(why: string): never {
    throw new ApiError(400, this.code, `${this.path || 'body'}: ${why}`);
  }

  get(key: string): Field {
    const obj = this.object();
    return new Field(Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined, this.path ? `${this.path}.${key}` : key, this.code);
  }

  has(key: string): boolean {
    const v = this.object()[key];
    return v !== undefined && v !== null;
  }

  object(): Record<string, unknown> {
    const v = this.value;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail('expected an object');
    return v as Record<string, unknown>;
  }

  array(maxItems: number, minItems = 0): Field[] {
    const v = this.value;
    if (!Array.isArray(v)) this.fail('expected an array');
    if (v.length > maxItems) this.fail(`at most ${maxItems} items`);
    if (v.length < minItems) this.fail(`at least ${minItems} items`);
    return v.map((item, i) => new Field(item, `${this.path}[${i}]`, this.code));
  }

  string(maxLength: number, pattern?: RegExp): string {
    const v = this.value;
    if (typeof v !== 'string') this.fail('expected a string');
    if (v.length > maxLength) this.fail(`longer than ${maxLength} characters`);
    if (pattern && !pattern.test(v)) this.fail('malformed');
    return v;
  }

  /** Hex (either case) of exactly `bytes` bytes, returned lowercase. */
  hex(bytes: number): string {
    return this.string(bytes * 2, new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`)).toLowerCase();
  }

  /** A safe non-negative integer in [min, max] (also accepted as a decimal string). */
  int(min: number, max: number): number {
    let v = this.value;
    if (typeof v === 'string' && /^\d{1,16}$/.test(v)) v = Number(v);
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) this.fail('expected an integer');
    if (v < min || v > max) this.fail(`must be between ${min} and ${max}`);
    return v;
  }

  optional<T>(read: (f: Field) => T): T | undefined {
    return this.value === undefined || this.value === null ? undefined : read(this);
  }
}

/** Starts validating a request body. */
export function body(value: unknown): Field {
  return new Field(value, '');
}
