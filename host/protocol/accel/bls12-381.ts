/**
 * BLS12-381 fast paths on mcl-wasm: RFC 9380 hash_to_curve into G1
 * (`BLS12381G1_XMD:SHA-256_SSWU_RO_` with the caller's DST, mcl's map-to mode 5) and the
 * pairing-product check e(P1, Q1) = e(P2, Q2) as one two-term Miller loop and one final
 * exponentiation, with the G2 side precomputed once per key and cached. The default suite uses
 * blst for both (faster, see accel/README.md); these serve `getMclBlsSuite()`, the measured
 * alternative.
 */
import { bls12_381 } from '@noble/curves/bls12-381.js';
import type { WeierstrassPoint } from '@noble/curves/abstract/weierstrass.js';
import { FP_BYTES, G1_BYTES, G2_BYTES, GT_BYTES, mclBls as c } from './mcl.ts';

type Point = WeierstrassPoint<bigint>;
type G2Point = WeierstrassPoint<{ c0: bigint; c1: bigint }>;
const G1 = bls12_381.G1.Point;
const m = c.m;

const P = m._malloc(G1_BYTES);
const Ps = m._malloc(2 * G1_BYTES);
const f = m._malloc(GT_BYTES);

/** hash_to_curve into G1 (RFC 9380), the DST an ASCII string or bytes of at most 255 bytes. */
export function hashToG1(msg: Uint8Array, dst: Uint8Array): Point {
  const ptr = m._malloc(msg.length + dst.length + 1);
  try {
    c.put(ptr, msg);
    c.put(ptr + msg.length, dst);
    if (m._mclBnG1_hashAndMapToWithDst(P, ptr, msg.length, ptr + msg.length, dst.length) !== 0) throw new Error('mcl: hash_to_curve failed');
  } finally {
    m._free(ptr);
  }
  const a = c.getG1(P);
  return (a ? G1.fromAffine(a) : G1.ZERO) as unknown as Point;
}

/**
 * G2 points prepared for the Miller loop (mcl's image of the point, then its precomputed line
 * coefficients), cached by affine coordinates in a small LRU (B2 and the epoch keys A2_e recur;
 * freshly decoded copies of the same key hit the same entry). Evicted entries are freed.
 */
const G2_CACHE_MAX = 64;
const coeffBytes = m._mclBn_getUint64NumToPrecompute() * 8;
const g2Prepared = new Map<string, number>();
const g2Keys = new WeakMap<G2Point, string>();

function prepareG2(Q: G2Point): number {
  let key = g2Keys.get(Q);
  if (key === undefined) {
    const { x, y } = Q.toAffine();
    key = [x.c0, x.c1, y.c0, y.c1].map((v) => v.toString(16)).join(',');
    g2Keys.set(Q, key);
  }
  let ptr = g2Prepared.get(key);
  if (ptr !== undefined) {
    g2Prepared.delete(key); // most recently used last
    g2Prepared.set(key, ptr);
    return ptr + G2_BYTES;
  }
  const { x, y } = Q.toAffine();
  ptr = m._malloc(G2_BYTES + coeffBytes);
  const coords = [x.c0, x.c1, y.c0, y.c1, 1n, 0n];
  for (let i = 0; i < 6; i++) c.setFp(ptr + i * FP_BYTES, coords[i]!);
  if (!m._mclBnG2_isValid(ptr)) {
    m._free(ptr);
    throw new Error('mcl: G2 point rejected');
  }
  m._mclBn_precomputeG2(ptr + G2_BYTES, ptr);
  g2Prepared.set(key, ptr);
  if (g2Prepared.size > G2_CACHE_MAX) {
    const [oldest, old] = g2Prepared.entries().next().value!;
    g2Prepared.delete(oldest);
    m._free(old);
  }
  return ptr + G2_BYTES;
}

/** e(P1, Q1) == e(P2, Q2), i.e. e(P1, Q1)·e(−P2, Q2) == 1. Identity inputs throw, as in noble's pairing. */
export function pairingEqual(P1: Point, Q1: G2Point, P2: Point, Q2: G2Point): boolean {
  if (P1.is0() || P2.is0() || Q1.is0() || Q2.is0()) throw new Error('pairing is not available for ZERO point');
  const q1 = prepareG2(Q1);
  const q2 = prepareG2(Q2);
  c.setG1(Ps, P1.toAffine());
  c.setG1(Ps + G1_BYTES, P2.toAffine());
  m._mclBnG1_neg(Ps + G1_BYTES, Ps + G1_BYTES);
  m._mclBn_precomputedMillerLoop2(f, Ps, q1, Ps + G1_BYTES, q2);
  m._mclBn_finalExp(f, f);
  return m._mclBnGT_isOne(f) === 1;
}
