// SHA-256 (the board's native require("crypto").SHA256 when present, else FIPS 180-4 in
// plain JS; the flashed bundle has only the native one: native.ts), HMAC-SHA256 (RFC 2104; a key's
// padded blocks can be kept for many MACs: hmacKey/hmacWith) and HKDF-SHA256 (RFC 5869). Espruino subset only.

import { nativeConcat, nativeSha256, nativesOnly } from './native.ts';

const K = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
];
const W = new Int32Array(64);

function compress(h: Int32Array, b: Uint8Array, o: number): void {
  for (let i = 0; i < 16; i++) {
    const j = o + 4 * i;
    W[i] = (b[j] << 24) | (b[j + 1] << 16) | (b[j + 2] << 8) | b[j + 3];
  }
  for (let i = 16; i < 64; i++) {
    const x = W[i - 15];
    const y = W[i - 2];
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
  }
  let a = h[0];
  let bb = h[1];
  let c = h[2];
  let d = h[3];
  let e = h[4];
  let f = h[5];
  let g = h[6];
  let hh = h[7];
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (hh + S1 + ch + K[i] + W[i]) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & bb) ^ (a & c) ^ (bb & c);
    const t2 = (S0 + maj) | 0;
    hh = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = bb;
    bb = a;
    a = (t1 + t2) | 0;
  }
  h[0] = (h[0] + a) | 0;
  h[1] = (h[1] + bb) | 0;
  h[2] = (h[2] + c) | 0;
  h[3] = (h[3] + d) | 0;
  h[4] = (h[4] + e) | 0;
  h[5] = (h[5] + f) | 0;
  h[6] = (h[6] + g) | 0;
  h[7] = (h[7] + hh) | 0;
}

/** SHA-256 in plain JS (the fallback when the board has no native one). */
function sha256Js(data: Uint8Array): Uint8Array {
  const h = new Int32Array([
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  ]);
  const len = data.length;
  const full = len - (len % 64);
  for (let o = 0; o < full; o += 64) compress(h, data, o);
  const rest = len - full;
  const tail = new Uint8Array(rest < 56 ? 64 : 128);
  tail.set(data.subarray(full));
  tail[rest] = 0x80;
  // bit length, big-endian in the last 8 bytes (messages here are far below 2^32 bytes)
  const bits = len * 8;
  const tl = tail.length;
  tail[tl - 5] = (bits / 4294967296) & 255;
  tail[tl - 4] = (bits >>> 24) & 255;
  tail[tl - 3] = (bits >>> 16) & 255;
  tail[tl - 2] = (bits >>> 8) & 255;
  tail[tl - 1] = bits & 255;
  for (let o = 0; o < tl; o += 64) compress(h, tail, o);
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const v = h[i];
    out[4 * i] = (v >>> 24) & 255;
    out[4 * i + 1] = (v >>> 16) & 255;
    out[4 * i + 2] = (v >>> 8) & 255;
    out[4 * i + 3] = v & 255;
  }
  return out;
}

export function sha256(data: Uint8Array): Uint8Array {
  if (nativesOnly || nativeSha256 !== undefined) return new Uint8Array(nativeSha256!(data));
  return sha256Js(data);
}

function concatJs(parts: ArrayLike<number>[]): Uint8Array {
  let n = 0;
  for (let i = 0; i < parts.length; i++) n += parts[i].length;
  const out = new Uint8Array(n);
  let o = 0;
  for (let i = 0; i < parts.length; i++) {
    out.set(parts[i], o);
    o += parts[i].length;
  }
  return out;
}

/** Concatenate byte strings (or arrays of byte values; no spread on the board: the flashed bundle has E.toUint8Array do it natively). */
export const concatBytes: (parts: ArrayLike<number>[]) => Uint8Array = nativesOnly ? nativeConcat : concatJs;

/** Lowercase hex of a byte string. */
export function bytesToHex(u8: Uint8Array): string {
  let s = '';
  for (let i = 0; i < u8.length; i++) s += (u8[i] < 16 ? '0' : '') + u8[i].toString(16);
  return s;
}

/** Byte strings equal (time independent of where they differ). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

/** An HMAC-SHA256 key's inner and outer padded blocks (RFC 2104), for many MACs under one key. */
export interface HmacKey {
  readonly inner: Uint8Array;
  readonly outer: Uint8Array;
}

/** The padded blocks of `key`: a 64-step loop, which costs the interpreter more than both hashes of a MAC. */
export function hmacKey(key: Uint8Array): HmacKey {
  const k = key.length > 64 ? sha256(key) : key;
  const inner = new Uint8Array(64);
  const outer = new Uint8Array(64);
  for (let i = 0; i < 64; i++) {
    const b = i < k.length ? k[i] : 0;
    inner[i] = b ^ 0x36;
    outer[i] = b ^ 0x5c;
  }
  return { inner: inner, outer: outer };
}

export function hmacWith(key: HmacKey, data: Uint8Array): Uint8Array {
  'ram';
  const ipad = new Uint8Array(64 + data.length);
  const opad = new Uint8Array(64 + 32);
  ipad.set(key.inner, 0);
  ipad.set(data, 64);
  opad.set(key.outer, 0);
  opad.set(sha256(ipad), 64);
  return sha256(opad);
}

export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  return hmacWith(hmacKey(key), data);
}

/** HKDF-SHA256 extract-and-expand, length <= 8160 bytes. */
export function hkdfSha256(salt: Uint8Array, ikm: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  if (!(length > 0 && length <= 255 * 32)) throw new Error('hkdf: bad length');
  const prk = hmacSha256(salt.length > 0 ? salt : new Uint8Array(32), ikm);
  const out = new Uint8Array(length);
  let t: Uint8Array = new Uint8Array(0);
  let o = 0;
  for (let i = 1; o < length; i++) {
    const block = new Uint8Array(t.length + info.length + 1);
    block.set(t, 0);
    block.set(info, t.length);
    block[block.length - 1] = i;
    t = hmacSha256(prk, block);
    const take = length - o < 32 ? length - o : 32;
    out.set(t.subarray(0, take), o);
    o += take;
  }
  return out;
}
