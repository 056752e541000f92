/** Deterministic test randomness (SHA-256 in counter mode), so a failing case can be replayed. */
import { sha256 } from '@noble/hashes/sha2.js';

export function testRng(seed: string): { bytes(n: number): Uint8Array; scalar(q: bigint): bigint; int(n: number): number } {
  const key = new TextEncoder().encode(seed);
  let ctr = 0;
  const bytes = (n: number): Uint8Array => {
    const out = new Uint8Array(n);
    for (let off = 0; off < n; off += 32) {
      const block = new Uint8Array(key.length + 4);
      block.set(key);
      new DataView(block.buffer).setUint32(key.length, ctr++);
      out.set(sha256(block).subarray(0, Math.min(32, n - off)), off);
    }
    return out;
  };
  const big = (n: number): bigint => BigInt('0x' + (Buffer.from(bytes(n)).toString('hex') || '0'));
  return {
    bytes,
    /** Uniform-ish in [0, q) from 48 bytes. */
    scalar: (q) => big(48) % q,
    int: (n) => Number(big(6) % BigInt(n)),
  };
}
