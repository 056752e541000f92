/**
 * BLS12-381 on blst (supranational's native library, through the SWIG binding of its blst.hpp
 * that @chainsafe/blst 0.2.x ships prebuilt): RFC 9380 hash_to_curve into G1 with the caller's
 * DST, variable-base products in G1, strict G1 decompression with the subgroup check, and the
 * pairing-product check e(P1, Q1) = e(P2, Q2). Points cross as noble points through the ZCash
 * uncompressed encoding (96 B for G1, 192 B for G2; blst checks that a point it reads is on
 * the curve), so blst's internal representation never leaks.
 *
 * The package carries binaries for some platforms and Node ABIs only (linux-x64: Node 16 to 22):
 * where none loads, `blstOps` is undefined and the suite runs these operations on mcl-wasm
 * (the same results, cross-checked in the tests; slower).
 */
import { createRequire } from 'node:module';
import type { Blst, P1, P1_Affine, P2_Affine, Pairing } from '@chainsafe/blst/dist/bindings.js';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import type { WeierstrassPoint } from '@noble/curves/abstract/weierstrass.js';
import { bigIntToBytes, bytesToBigInt } from '../bytes.ts';
import { decodeFail } from '../errors.ts';

type Point = WeierstrassPoint<bigint>;
type G2Point = WeierstrassPoint<{ c0: bigint; c1: bigint }>;
const G1 = bls12_381.G1.Point;
const FP = 48;

export interface BlstOps {
  /** hash_to_curve into G1 (RFC 9380 BLS12381G1_XMD:SHA-256_SSWU_RO_), the DST ASCII of 1 to 255 bytes. */
  hashToG1(msg: Uint8Array, dst: string): Point;
  /** k·P for 0 < k < q: blst's ladder over all 256 bits of k, so the time does not depend on k (a_e·H(ρ) on the UC). */
  mulG1(P: Point, k: bigint): Point;
  /** The point of a 48-byte compressed encoding whose flags and canonical x the caller checked; off-curve and outside-the-subgroup are typed errors. */
  decompressG1(b: Uint8Array): Point;
  /** e(P1, Q1) == e(P2, Q2) by one two-term Miller loop and one final exponentiation; identity inputs throw, as in noble's pairing. */
  pairingEqual(P1: Point, Q1: G2Point, P2: Point, Q2: G2Point): boolean;
}

/** blst.hpp's Pairing::raw_aggregate (Miller loop of one pair into the context): in the binding, missing from its .d.ts. */
type RawPairing = Pairing & { raw_aggregate(q: P2_Affine, p: P1_Affine): void };

function makeOps(blst: Blst): BlstOps {
  /** ZCash uncompressed bytes of a point from its affine coordinates (noble's toBytes would first re-check the subgroup: 0.8 ms). */
  function uncompressed(coords: readonly bigint[]): Uint8Array {
    const out = new Uint8Array(coords.length * FP);
    coords.forEach((v, i) => out.set(bigIntToBytes(v, FP), i * FP));
    return out;
  }

  function toBlst(P: Point): P1_Affine {
    if (P.is0()) {
      const inf = new Uint8Array(2 * FP);
      inf[0] = 0x40;
      return new blst.P1_Affine(inf);
    }
    const { x, y } = P.toAffine();
    return new blst.P1_Affine(uncompressed([x, y]));
  }

  function fromBlst(p: P1 | P1_Affine): Point {
    const b = p.serialize();
    if ((b[0]! & 0x40) !== 0) return G1.ZERO as unknown as Point;
    return G1.fromAffine({ x: bytesToBigInt(b.subarray(0, FP)), y: bytesToBigInt(b.subarray(FP)) }) as unknown as Point;
  }

  function hashToG1(msg: Uint8Array, dst: string): Point {
    return fromBlst(new blst.P1().hash_to(msg, dst));
  }

  // k as 32 little-endian bytes: blst's nbits is then always 256
  function mulG1(P: Point, k: bigint): Point {
    const le = new Uint8Array(32);
    for (let i = 0, v = k; i < 32; i++, v >>= 8n) le[i] = Number(v & 0xffn);
    return fromBlst(toBlst(P).to_jacobian().mult(le));
  }

  function decompressG1(b: Uint8Array): Point {
    let a: P1_Affine;
    try {
      a = new blst.P1_Affine(b);
    } catch (err) {
      // blst refuses (0, ±2), a point of order 3, as "not in group" already here
      if (/not in group/.test((err as Error).message)) decodeFail('not-in-subgroup', 'point outside the prime-order subgroup');
      return decodeFail('off-curve', 'x is not the abscissa of a curve point');
    }
    if (!a.in_group()) decodeFail('not-in-subgroup', 'point outside the prime-order subgroup');
    return fromBlst(a);
  }

  /** G2 points in blst's form, kept per point object (B2 and the pinned A2_e recur). */
  const g2Cache = new WeakMap<G2Point, P2_Affine>();
  function g2(Q: G2Point): P2_Affine {
    let a = g2Cache.get(Q);
    if (a === undefined) {
      const { x, y } = Q.toAffine();
      a = new blst.P2_Affine(uncompressed([x.c1, x.c0, y.c1, y.c0]));
      g2Cache.set(Q, a);
    }
    return a;
  }

  function pairingEqual(P1: Point, Q1: G2Point, P2: Point, Q2: G2Point): boolean {
    if (P1.is0() || P2.is0() || Q1.is0() || Q2.is0()) throw new Error('pairing is not available for ZERO point');
    // the DST is for hashed messages, which raw_aggregate does not take
    const ctx = new blst.Pairing(true, 'raw') as RawPairing;
    ctx.raw_aggregate(g2(Q1), toBlst(P1));
    ctx.raw_aggregate(g2(Q2), toBlst(P2.negate()));
    ctx.commit();
    return ctx.finalverify();
  }

  return { hashToG1, mulG1, decompressG1, pairingEqual };
}

function load(): Blst | undefined {
  try {
    return (createRequire(import.meta.url)('@chainsafe/blst/dist/bindings.js') as { blst: Blst }).blst;
  } catch {
    return undefined;
  }
}

const binding = load();
export const blstOps: BlstOps | undefined = binding && makeOps(binding);
