/**
 * Deterministic byte source for the reference meter and test vectors: block k of the stream is
 * HMAC-SHA256(seed, "sipster/v1/ref-drbg" ‖ u32(k)). Reproducible from a seed; never used where a
 * real device or service needs randomness.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concat, u32, utf8 } from '../protocol/bytes.ts';

export type RandomSource = (n: number) => Uint8Array;

export function drbg(seed: Uint8Array | string): RandomSource {
  const key = typeof seed === 'string' ? utf8(seed) : seed;
  let block = 0;
  return (n: number) => {
    const parts: Uint8Array[] = [];
    for (let have = 0; have < n; have += 32) parts.push(hmac(sha256, key, concat(utf8('sipster/v1/ref-drbg'), u32(block++))));
    return concat(...parts).slice(0, n);
  };
}
