// Byte helpers for the firmware (Espruino-safe: no spread, no Array.from, no TextEncoder).
// Concatenation, comparison and hex are the crypto's own (one copy in the bundle).
import { concatBytes } from './crypto/hash.ts';

export { bytesEqual as equal, bytesToHex as toHex, concatBytes as concat } from './crypto/hash.ts';
export { hexBytes as fromHex } from './crypto/field.ts';

/** The empty byte string, shared: nothing can write into a zero-length array. */
export const EMPTY = new Uint8Array(0);

export const u8 = (x: number): Uint8Array => new Uint8Array([x & 255]);

export const u32 = (x: number): Uint8Array => new Uint8Array([(x >>> 24) & 255, (x >>> 16) & 255, (x >>> 8) & 255, x & 255]);

export function readU32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!;
}

/** ASCII string to bytes, one per char; throws on any char above 0x7f (meterIds, suite ids, tags). */
export function ascii(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c > 127) throw new Error('non-ASCII text');
    b[k] = c;
  }
  return b;
}

export function fromAscii(b: Uint8Array): string {
  let s = '';
  for (let k = 0; k < b.length; k++) s += String.fromCharCode(b[k]!);
  return s;
}

/** lp(x) = u16 length ‖ x. */
export const lp = (x: Uint8Array): Uint8Array => concatBytes([new Uint8Array([x.length >> 8, x.length & 255]), x]);

/**
 * Sequential reader over one byte string with fixed-width and length-prefixed fields:
 * decode(b, fields) where fields() reads with take/takeU8/takeU32/takeLp in layout order. One
 * decoding at a time (every decoder runs to its end synchronously), so the cursor is this module's.
 */
let src: Uint8Array;
let at: number;

/** What fields() reads from b; throws unless the fields cover b exactly. */
export function decode<T>(b: Uint8Array, fields: () => T): T {
  src = b;
  at = 0;
  const v = fields();
  if (at !== src.length) throw new Error('trailing bytes');
  return v;
}

/** The next n bytes, copied: decoded fields are kept after the buffer they came from is gone. */
export function take(n: number): Uint8Array {
  if (at + n > src.length) throw new Error('truncated');
  at += n;
  return new Uint8Array(src.subarray(at - n, at));
}

export const takeU8 = (): number => take(1)[0]!;
export const takeU32 = (): number => readU32(take(4), 0);
export function takeLp(): Uint8Array {
  const h = take(2);
  return take((h[0]! << 8) | h[1]!);
}
