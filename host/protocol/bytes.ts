/** Byte helpers for the encodings of DESIGN.md: u32, lp(x), concatenation and a strict reader. */
import { decodeFail } from './errors.ts';

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

export function concat(...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export function u32(x: number): Uint8Array {
  if (!Number.isInteger(x) || x < 0 || x > 0xffffffff) throw new RangeError(`u32 out of range: ${x}`);
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, x, false);
  return out;
}

/** lp(x): u16 big-endian length, then the bytes of x. */
export function lp(x: Uint8Array | string): Uint8Array {
  const b = typeof x === 'string' ? utf8(x) : x;
  if (b.length > 0xffff) throw new RangeError('lp: value longer than 65535 bytes');
  const out = new Uint8Array(2 + b.length);
  out[0] = b.length >>> 8;
  out[1] = b.length & 0xff;
  out.set(b, 2);
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

export const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');

/** Strict hex decoding: even length, hex digits only, optional exact length. */
export function fromHex(s: unknown, expectedLength?: number): Uint8Array {
  if (typeof s !== 'string' || s.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(s)) {
    decodeFail('bad-encoding', 'expected a hex string');
  }
  const out = new Uint8Array(Buffer.from(s, 'hex'));
  if (expectedLength !== undefined && out.length !== expectedLength) {
    decodeFail('wrong-length', `expected ${expectedLength} bytes, got ${out.length}`);
  }
  return out;
}

export function bytesToBigInt(b: Uint8Array): bigint {
  return b.length === 0 ? 0n : BigInt('0x' + toHex(b));
}

export function bigIntToBytes(x: bigint, len: number): Uint8Array {
  if (x < 0n) throw new RangeError('negative integer');
  const hex = x.toString(16).padStart(len * 2, '0');
  if (hex.length > len * 2) throw new RangeError(`integer does not fit in ${len} bytes`);
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** Cursor over a message; every read checks bounds and `end()` rejects trailing bytes. */
export class Reader {
  private off = 0;
  constructor(private readonly buf: Uint8Array, private readonly what: string) {}

  bytes(n: number): Uint8Array {
    if (this.off + n > this.buf.length) decodeFail('wrong-length', `${this.what}: truncated`);
    const out = this.buf.slice(this.off, this.off + n);
    this.off += n;
    return out;
  }

  u32(): number {
    const b = this.bytes(4);
    return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, false);
  }

  lp(): Uint8Array {
    const h = this.bytes(2);
    return this.bytes((h[0]! << 8) | h[1]!);
  }

  lpString(): string {
    const b = this.lp();
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(b);
    } catch {
      return decodeFail('bad-encoding', `${this.what}: not UTF-8`);
    }
  }

  end(): void {
    if (this.off !== this.buf.length) decodeFail('wrong-length', `${this.what}: ${this.buf.length - this.off} trailing bytes`);
  }
}
