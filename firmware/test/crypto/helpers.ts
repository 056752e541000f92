// Shared helpers for the firmware crypto tests: BigInt conversions and a seeded byte source
// (SHA-256 in counter mode, so a failing case can be reproduced from its index).
import { sha256 } from '@noble/hashes/sha2.js';

export const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
export const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

export function toBytes32(x: bigint): Uint8Array {
  const out = new Uint8Array(32);
  let v = x;
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(v & 255n);
    v >>= 8n;
  }
  return out;
}

export function fromBytes(u: Uint8Array): bigint {
  let x = 0n;
  for (const b of u) x = (x << 8n) | BigInt(b);
  return x;
}

export function hex(u: Uint8Array): string {
  return Buffer.from(u).toString('hex');
}

export function unhex(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'hex'));
}

export function ascii(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** Deterministic pseudo-random bytes: SHA-256(label ‖ u32(i) ‖ u32(block)). */
export function randBytes(label: string, i: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let b = 0; b * 32 < len; b++) {
    const h = sha256(new TextEncoder().encode(`${label}/${i}/${b}`));
    out.set(h.subarray(0, Math.min(32, len - b * 32)), b * 32);
  }
  return out;
}

/** Random value below m (from 48 bytes, bias negligible for the test). */
export function randBelow(label: string, i: number, m: bigint): bigint {
  return fromBytes(randBytes(label, i, 48)) % m;
}

/** Values that stress limb carries: 2^(24k) - 1, 2^(24k), 2^(24k) + 1, m - 1 - small, etc. */
export function edgeValues(m: bigint): bigint[] {
  const out: bigint[] = [0n, 1n, 2n, 3n, m - 1n, m - 2n, (m - 1n) / 2n, (m + 1n) / 2n];
  for (let k = 1; k <= 10; k++) {
    const b = 1n << BigInt(24 * k);
    for (const v of [b - 1n, b, b + 1n]) if (v < m) out.push(v);
  }
  out.push((1n << 255n) - 1n, 1n << 255n, m - (1n << 96n), m - (1n << 224n) + 5n);
  return out.filter((v) => v >= 0n && v < m);
}
