/**
 * Binary HTTP messages (RFC 9292), known-length form: what Oblivious HTTP encrypts. The encoder
 * writes minimal variable-length integers and truncates empty trailing sections (content and
 * trailers, and the header section when all three are empty), as RFC 9292 Section 3.8 allows.
 * The decoder is strict: indeterminate-length framing, pseudo-fields, invalid field names or
 * values, non-zero padding and a truncation anywhere but before a final section's length are
 * each a typed BhttpError, never a partial message.
 */

export type BhttpErrorCode = 'truncated' | 'bad-framing' | 'unsupported-framing' | 'bad-control-data' | 'bad-status' | 'bad-field' | 'bad-padding' | 'too-large';

export class BhttpError extends Error {
  constructor(
    readonly code: BhttpErrorCode,
    message: string,
  ) {
    super(`binary HTTP: ${message}`);
    this.name = 'BhttpError';
  }
}

export type Field = readonly [name: string, value: string];

export interface BhttpRequest {
  readonly method: string;
  readonly scheme: string;
  readonly authority: string;
  readonly path: string;
  readonly headers: readonly Field[];
  readonly content: Uint8Array;
  readonly trailers: readonly Field[];
}

export interface InformationalResponse {
  readonly status: number;
  readonly headers: readonly Field[];
}

export interface BhttpResponse {
  readonly informational: readonly InformationalResponse[];
  readonly status: number;
  readonly headers: readonly Field[];
  readonly content: Uint8Array;
  readonly trailers: readonly Field[];
}

const FRAMING = { knownRequest: 0, knownResponse: 1, indeterminateRequest: 2, indeterminateResponse: 3 } as const;

// ---- variable-length integers (RFC 9000 Section 16) -------------------------------------------

function varint(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`varint out of range: ${n}`);
  if (n < 0x40) return Uint8Array.of(n);
  if (n < 0x4000) return Uint8Array.of(0x40 | (n >>> 8), n & 0xff);
  if (n < 0x40000000) return Uint8Array.of(0x80 | (n >>> 24), (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n) | (3n << 62n), false);
  return out;
}

/** Field names and control data are ASCII (checked), values Latin-1, as HTTP defines them. */
const latin1Bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const latin1 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');

function lengthPrefixed(b: Uint8Array): Uint8Array[] {
  return [varint(b.length), b];
}

const fieldSection = (fields: readonly Field[]): Uint8Array => {
  const parts = fields.flatMap(([name, value]) => [...lengthPrefixed(latin1Bytes(checkName(name))), ...lengthPrefixed(latin1Bytes(checkValue(value)))]);
  return join(parts);
};

function join(parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

/** Header section, content and trailers, each length-prefixed, with empty trailing ones left off. */
function body(m: { headers: readonly Field[]; content: Uint8Array; trailers: readonly Field[] }): Uint8Array[] {
  const sections = [fieldSection(m.headers), m.content, fieldSection(m.trailers)];
  while (sections.length && sections[sections.length - 1]!.length === 0) sections.pop();
  return sections.flatMap(lengthPrefixed);
}

export function encodeRequest(r: BhttpRequest): Uint8Array {
  checkControl(r);
  const control = [r.method, r.scheme, r.authority, r.path].flatMap((s) => lengthPrefixed(latin1Bytes(s)));
  return join([varint(FRAMING.knownRequest), ...control, ...body(r)]);
}

export function encodeResponse(r: BhttpResponse): Uint8Array {
  const informational = r.informational.flatMap((i) => {
    if (!Number.isInteger(i.status) || i.status < 100 || i.status > 199) throw new BhttpError('bad-status', `informational status ${i.status}`);
    return [varint(i.status), ...lengthPrefixed(fieldSection(i.headers))];
  });
  if (!Number.isInteger(r.status) || r.status < 200 || r.status > 599) throw new BhttpError('bad-status', `final status ${r.status}`);
  return join([varint(FRAMING.knownResponse), ...informational, varint(r.status), ...body(r)]);
}

// ---- validation (RFC 9110 Section 5, RFC 9113 Section 8.2.1) --------------------------------------

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
const METHOD = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const SCHEME = /^[A-Za-z][A-Za-z0-9+\-.]*$/;
const VISIBLE = /^[\x21-\x7e]*$/;

/** Lowercase token (HTTP/2 makes uppercase names malformed); pseudo-fields are refused. */
function checkName(name: string): string {
  if (!TOKEN.test(name)) throw new BhttpError('bad-field', `invalid field name ${JSON.stringify(name)}`);
  return name;
}

/** No NUL, CR or LF, no leading or trailing whitespace, nothing outside Latin-1. */
function checkValue(value: string): string {
  if (/[\0\r\n]|[^\x00-\xff]/.test(value) || /^[ \t]|[ \t]$/.test(value)) throw new BhttpError('bad-field', `invalid field value ${JSON.stringify(value)}`);
  return value;
}

function checkControl(r: { method: string; scheme: string; authority: string; path: string }): void {
  if (!METHOD.test(r.method)) throw new BhttpError('bad-control-data', `invalid method ${JSON.stringify(r.method)}`);
  if (!SCHEME.test(r.scheme)) throw new BhttpError('bad-control-data', `invalid scheme ${JSON.stringify(r.scheme)}`);
  if (!VISIBLE.test(r.authority)) throw new BhttpError('bad-control-data', `invalid authority ${JSON.stringify(r.authority)}`);
  if (!VISIBLE.test(r.path) || r.path === '') throw new BhttpError('bad-control-data', `invalid path ${JSON.stringify(r.path)}`);
}

// ---- decoding -------------------------------------------------------------------------------------

class Reader {
  private at = 0;
  constructor(private readonly b: Uint8Array) {}

  get done(): boolean {
    return this.at >= this.b.length;
  }

  varint(what: string): number {
    if (this.done) throw new BhttpError('truncated', `message ends before ${what}`);
    const first = this.b[this.at]!;
    const len = 1 << (first >> 6);
    if (this.at + len > this.b.length) throw new BhttpError('truncated', `message ends inside ${what}`);
    let v = BigInt(first & 0x3f);
    for (let k = 1; k < len; k++) v = (v << 8n) | BigInt(this.b[this.at + k]!);
    this.at += len;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new BhttpError('too-large', `${what} too large`);
    return Number(v);
  }

  bytes(len: number, what: string): Uint8Array {
    if (this.at + len > this.b.length) throw new BhttpError('truncated', `message ends inside ${what}`);
    const out = this.b.slice(this.at, this.at + len);
    this.at += len;
    return out;
  }

  /** A length-prefixed part, or empty when the message ends before its length (truncation). */
  optional(what: string): Uint8Array {
    return this.done ? new Uint8Array(0) : this.bytes(this.varint(`${what} length`), what);
  }

  /** Padding: any number of zero bytes. */
  end(): void {
    for (let k = this.at; k < this.b.length; k++) if (this.b[k] !== 0) throw new BhttpError('bad-padding', 'non-zero byte after the message');
    this.at = this.b.length;
  }
}

function fields(section: Uint8Array, what: string): Field[] {
  const r = new Reader(section);
  const out: Field[] = [];
  while (!r.done) {
    const nameLen = r.varint(`${what} field name length`);
    if (nameLen === 0) throw new BhttpError('bad-field', `empty field name in ${what}`);
    const name = latin1(r.bytes(nameLen, `${what} field name`));
    const value = latin1(r.bytes(r.varint(`${what} field value length`), `${what} field value`));
    out.push([checkName(name), checkValue(value)]);
  }
  return out;
}

function framing(r: Reader, known: number, indeterminate: number, kind: string): void {
  const f = r.varint('framing indicator');
  if (f === indeterminate) throw new BhttpError('unsupported-framing', `indeterminate-length ${kind}s are not accepted`);
  if (f !== known) throw new BhttpError('bad-framing', `framing indicator ${f} is not a known-length ${kind}`);
}

/** Header section, content and trailers; each may be truncated away (read as empty). */
function readBody(r: Reader): { headers: Field[]; content: Uint8Array; trailers: Field[] } {
  const headers = fields(r.optional('header section'), 'header section');
  const content = r.optional('content');
  const trailers = fields(r.optional('trailer section'), 'trailer section');
  r.end();
  return { headers, content, trailers };
}

export function decodeRequest(bytes: Uint8Array): BhttpRequest {
  const r = new Reader(bytes);
  framing(r, FRAMING.knownRequest, FRAMING.indeterminateRequest, 'request');
  const [method, scheme, authority, path] = ['method', 'scheme', 'authority', 'path'].map((what) => latin1(r.bytes(r.varint(`${what} length`), what)));
  const control = { method: method!, scheme: scheme!, authority: authority!, path: path! };
  checkControl(control);
  return { ...control, ...readBody(r) };
}

export function decodeResponse(bytes: Uint8Array): BhttpResponse {
  const r = new Reader(bytes);
  framing(r, FRAMING.knownResponse, FRAMING.indeterminateResponse, 'response');
  const informational: InformationalResponse[] = [];
  for (;;) {
    const status = r.varint('status code');
    if (status >= 200 && status <= 599) return { informational, status, ...readBody(r) };
    if (status < 100 || status > 599) throw new BhttpError('bad-status', `status code ${status}`);
    // An informational response's header section is never truncated: a final status follows.
    informational.push({ status, headers: fields(r.bytes(r.varint('informational header section length'), 'informational header section'), 'informational header section') });
  }
}
