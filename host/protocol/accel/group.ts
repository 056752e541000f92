/**
 * Group operations of one curve on mcl-wasm, taking and returning noble points so that every
 * caller of `Suite` is unchanged. Points cross the boundary in affine coordinates only (exact:
 * integers below p through mcl's own setters and getters); identities are mapped explicitly.
 */
import { FpInvertBatch } from '@noble/curves/abstract/modular.js';
import type { WeierstrassPoint, WeierstrassPointCons } from '@noble/curves/abstract/weierstrass.js';
import { FR_BYTES, G1_BYTES, type MclCurve } from './mcl.ts';

type Point = WeierstrassPoint<bigint>;
type PointCons = WeierstrassPointCons<bigint>;
type Affine = { x: bigint; y: bigint } | undefined;

export interface AccelGroup {
  /** k·P for 0 ≤ k < q. */
  mul(P: Point, k: bigint): Point;
  /** Σ P_i. */
  sum(points: readonly Point[]): Point;
  /** Σ k_i·P_i (one multi-scalar multiplication), 0 ≤ k_i < q. */
  msm(points: readonly Point[], scalars: readonly bigint[]): Point;
}

/** Affine coordinates of many points with one shared field inversion for the non-normalized ones. */
export function toAffineBatch(Point: PointCons, points: readonly Point[]): Affine[] {
  const Fp = Point.Fp;
  const idx: number[] = [];
  for (let i = 0; i < points.length; i++) {
    const P = points[i]!;
    if (!P.is0() && !Fp.eql(P.Z, Fp.ONE)) idx.push(i);
  }
  const inv = idx.length > 1 ? FpInvertBatch(Fp, idx.map((i) => points[i]!.Z)) : [];
  const out: Affine[] = new Array(points.length);
  let j = 0;
  for (let i = 0; i < points.length; i++) {
    const P = points[i]!;
    if (P.is0()) out[i] = undefined;
    else if (idx.length > 1 && idx[j] === i) out[i] = P.toAffine(inv[j++]);
    else out[i] = P.toAffine();
  }
  return out;
}

export function mclGroup(c: MclCurve, Point: PointCons): AccelGroup {
  const order = Point.Fn.ORDER;
  const m = c.m;
  const R = m._malloc(G1_BYTES);
  const T = m._malloc(G1_BYTES);
  let cap = 0;
  let vecP = 0;
  let vecK = 0;
  /** Scratch vectors for msm, grown on demand and kept (the protocol reuses the same sizes). */
  const ensure = (n: number): void => {
    if (n <= cap) return;
    if (cap) {
      m._free(vecP);
      m._free(vecK);
    }
    cap = Math.max(n, 2 * cap, 8);
    vecP = m._malloc(cap * G1_BYTES);
    vecK = m._malloc(cap * FR_BYTES);
  };
  const checkScalar = (k: bigint): void => {
    if (typeof k !== 'bigint' || k < 0n || k >= order) throw new RangeError('scalar out of range [0, q)');
  };
  const result = (ptr: number): Point => {
    const a = c.getG1(ptr);
    return a ? Point.fromAffine(a) : Point.ZERO;
  };

  return {
    mul(P, k) {
      checkScalar(k);
      if (k === 0n || P.is0()) return Point.ZERO;
      c.setG1(T, P.toAffine());
      c.setFr(c.fr, k);
      m._mclBnG1_mul(R, T, c.fr);
      return result(R);
    },
    sum(points) {
      m._mclBnG1_clear(R);
      const affine = toAffineBatch(Point, points);
      for (const a of affine) {
        if (!a) continue;
        c.setG1(T, a);
        m._mclBnG1_add(R, R, T);
      }
      return result(R);
    },
    msm(points, scalars) {
      if (points.length !== scalars.length) throw new RangeError('msm: as many scalars as points');
      for (const k of scalars) checkScalar(k);
      const n = points.length;
      if (n === 0) return Point.ZERO;
      ensure(n);
      const affine = toAffineBatch(Point, points);
      for (let i = 0; i < n; i++) {
        c.setG1(vecP + i * G1_BYTES, affine[i]);
        c.setFr(vecK + i * FR_BYTES, scalars[i]!);
      }
      m._mclBnG1_mulVec(R, vecP, vecK, n);
      return result(R);
    },
  };
}
