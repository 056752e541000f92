/**
 * BLS12-381 fast paths on mcl-wasm: RFC 9380 hash_to_curve into G1
 * (`BLS12381G1_XMD:SHA-256_SSWU_RO_` with the caller's DST, mcl's map-to mode 5) and the
 * pairing-product check e(P1, Q1) = e(P2, Q2) as one two-term Miller loop and one final
 * exponentiation. G2 points are converted once and cached (B2 and the epoch keys A2_e recur).
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
const Qs = m._malloc(2 * G2_BYTES);
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

/** mcl's byte image of a G2 point (x, y, z over Fp2 = c0 + c1·u, z = 1), cached per noble point. */
const g2Images = new WeakMap<G2Point, Uint8Array>();
const g2Scratch = m._malloc(G2_BYTES);

function g2Image(Q: G2Point): Uint8Array {
  let img = g2Images.get(Q);
  if (img) return img;
  const { x, y } = Q.toAffine();
  const coords = [x.c0, x.c1, y.c0, y.c1, 1n, 0n];
  for (let i = 0; i < 6; i++) c.setFp(g2Scratch + i * FP_BYTES, coords[i]!);
  if (!m._mclBnG2_isValid(g2Scratch)) throw new Error('mcl: G2 point rejected');
  img = c.heap().slice(g2Scratch, g2Scratch + G2_BYTES);
  g2Images.set(Q, img);
  return img;
}

/** e(P1, Q1) == e(P2, Q2), i.e. e(P1, Q1)·e(−P2, Q2) == 1. Identity inputs throw, as in noble's pairing. */
export function pairingEqual(P1: Point, Q1: G2Point, P2: Point, Q2: G2Point): boolean {
  if (P1.is0() || P2.is0() || Q1.is0() || Q2.is0()) throw new Error('pairing is not available for ZERO point');
  c.setG1(Ps, P1.toAffine());
  c.setG1(Ps + G1_BYTES, P2.toAffine());
  m._mclBnG1_neg(Ps + G1_BYTES, Ps + G1_BYTES);
  const img1 = g2Image(Q1);
  const img2 = g2Image(Q2);
  const heap = c.heap();
  heap.set(img1, Qs);
  heap.set(img2, Qs + G2_BYTES);
  m._mclBn_millerLoopVec(f, Ps, Qs, 2);
  m._mclBn_finalExp(f, f);
  return m._mclBnGT_isOne(f) === 1;
}
