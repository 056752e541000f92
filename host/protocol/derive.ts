/**
 * The meter-side derivations of DESIGN.md ("Exact derivations and encodings"):
 * period seed, token preimage ρ_i, token point H(ρ_i), bill scalar r.
 * The firmware carries its own BigInt-free copy of these; this one is the oracle.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concat, lp, u32, utf8 } from './bytes.ts';
import { fail } from './errors.ts';
import type { Point, Suite } from './suite.ts';

/** HKDF-SHA256(salt `sipster/v1/seed`, IKM κ ‖ rnd32, info lp(suiteId) ‖ lp(meterId) ‖ SHA-256(vkM) ‖ u32(c), L 32). */
export function periodSeed(suite: Suite, kappa: Uint8Array, rnd32: Uint8Array, meterId: string, vkM: Uint8Array, c: number): Uint8Array {
  if (kappa.length !== 32 || rnd32.length !== 32) throw new RangeError('κ and rnd must be 32 bytes');
  const info = concat(lp(suite.id), lp(meterId), sha256(vkM), u32(c));
  return hkdf(sha256, concat(kappa, rnd32), utf8('sipster/v1/seed'), info, 32);
}

/** ρ_i = HMAC-SHA256(seed, `sipster/v1/token` ‖ u32(c) ‖ u32(i)). */
export function tokenRho(seed: Uint8Array, c: number, i: number): Uint8Array {
  return hmac(sha256, seed, concat(utf8('sipster/v1/token'), u32(c), u32(i)));
}

/** T = H(ρ): RFC 9380 hash_to_curve under the suite's token DST. */
export function tokenPoint(suite: Suite, rho: Uint8Array): Point {
  return suite.hashToGroup(rho, suite.tokenDst);
}

/** r = hash_to_field(seed, DST `Sipster-v1-bill-` ‖ suiteId, count 1, L 48), rejecting 0. */
export function billScalar(suite: Suite, seed: Uint8Array): bigint {
  const r = suite.hashToScalar(seed, `Sipster-v1-bill-${suite.id}`);
  if (r === 0n) fail('zero-scalar', 'bill scalar r is zero');
  return r;
}
