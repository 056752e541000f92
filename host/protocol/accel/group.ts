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

/**
 * Fixed-base tables: after TABLE_AFTER products with the same point object (the generator, an
 * epoch key A_e), a table of d·2^(8w)·P (w < 32 windows, 1 ≤ d ≤ 255) is built in wasm memory
 * (1.2 MB, normalized), and k·P becomes at most 32 additions instead of a full variable-base
 * product. It is variable-time in k's bytes, like any table lookup: the repeated bases of the
 * protocol meet public scalars (challenges) or scalars of the machine's own user (r in Combine);
 * the UC's a_e only ever multiplies fresh points, which take the constant-time path.
 */
const TABLE_AFTER = 8;
const TABLE_MAX = 8;
const WINDOWS = 32;
const DIGITS = 255;

/** msm with at most this many terms goes term by term (tables, the base fast path); larger ones go to mcl's mulVec. */
const SMALL_MSM = 4;

/**
 * `other`, if given, supplies products computed by other means (OpenSSL for P-256, blst for
 * BLS12-381): `base(k)`, if given, = k·B, used wherever B is a factor (else B gets its table
 * like any repeated point), and `mul(P, k)` for the products that take neither B nor a table,
 * in `mul` and in small `msm`s. Without it those use mcl's `mulCT`, whose running time grows
 * with the bit length of k (tolerable for BLS12-381 here: its only secret-scalar product is
 * a_e·H(ρ), and a_e is fixed).
 */
export function mclGroup(
  c: MclCurve,
  Point: PointCons,
  other?: { base?(k: bigint): Point; mul(P: Point, k: bigint): Point },
): AccelGroup {
  const baseMul = other?.base;
  const order = Point.Fn.ORDER;
  const m = c.m;
  const B = Point.BASE;
  const R = m._malloc(G1_BYTES);
  const T = m._malloc(G1_BYTES);
  const ACC = m._malloc(G1_BYTES);
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
  const uses = new WeakMap<Point, number>();
  const tables = new Map<Point, number>(); // least recently used first
  const digits = m._malloc(32);
  const vecSmallP = m._malloc(SMALL_MSM * G1_BYTES);
  const vecSmallK = m._malloc(SMALL_MSM * FR_BYTES);

  const buildTable = (P: Point): number => {
    const tbl = m._malloc(WINDOWS * DIGITS * G1_BYTES);
    c.setG1(T, P.toAffine()); // T = 2^(8w)·P for the current window
    for (let w = 0; w < WINDOWS; w++) {
      const row = tbl + w * DIGITS * G1_BYTES;
      c.heap().copyWithin(row, T, T + G1_BYTES);
      for (let d = 1; d < DIGITS; d++) m._mclBnG1_add(row + d * G1_BYTES, row + (d - 1) * G1_BYTES, T);
      m._mclBnG1_add(T, row + (DIGITS - 1) * G1_BYTES, T); // 256·T
    }
    m._mclBnG1_normalizeVec(tbl, tbl, WINDOWS * DIGITS);
    return tbl;
  };
  /** The table of P if it has one or has earned one now. */
  const tableFor = (P: Point): number | undefined => {
    const tbl = tables.get(P);
    if (tbl !== undefined) {
      tables.delete(P);
      tables.set(P, tbl);
      return tbl;
    }
    const n = (uses.get(P) ?? 0) + 1;
    uses.set(P, n);
    if (n < TABLE_AFTER) return undefined;
    const fresh = buildTable(P);
    tables.set(P, fresh);
    if (tables.size > TABLE_MAX) {
      const [oldest, old] = tables.entries().next().value!;
      tables.delete(oldest);
      m._free(old);
    }
    return fresh;
  };
  const mulTable = (dst: number, tbl: number, k: bigint): void => {
    c.writeLE(digits, k, 32);
    const heap = c.heap();
    m._mclBnG1_clear(dst);
    for (let w = 0; w < WINDOWS; w++) {
      const d = heap[digits + w]!;
      if (d !== 0) m._mclBnG1_add(dst, dst, tbl + (w * DIGITS + d - 1) * G1_BYTES);
    }
  };
  const isBase = (P: Point): boolean => baseMul !== undefined && (P === B || P.equals(B));
  /** dst := k·P for 1 ≤ k < q and P ≠ O, by `other.mul` or mcl's product with constant-time steps. */
  const mulCT = (dst: number, P: Point, k: bigint): void => {
    if (other) {
      c.setG1(dst, other.mul(P, k).toAffine());
      return;
    }
    c.setG1(T, P.toAffine());
    c.setFr(c.fr, k);
    m._mclBnG1_mulCT(dst, T, c.fr);
  };
  const result = (ptr: number): Point => {
    const a = c.getG1(ptr);
    return a ? Point.fromAffine(a) : Point.ZERO;
  };

  return {
    mul(P, k) {
      checkScalar(k);
      if (k === 0n || P.is0()) return Point.ZERO;
      if (isBase(P)) return baseMul!(k);
      const tbl = tableFor(P);
      if (tbl === undefined && other) return other.mul(P, k);
      if (tbl !== undefined) mulTable(R, tbl, k);
      else mulCT(R, P, k);
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
      if (n <= SMALL_MSM) {
        // term by term: B by baseMul, tabled points by their tables, the rest in one mulVec
        m._mclBnG1_clear(ACC);
        const restP: Point[] = [];
        const restK: bigint[] = [];
        for (let i = 0; i < n; i++) {
          const P = points[i]!;
          const k = scalars[i]!;
          if (k === 0n || P.is0()) continue;
          if (isBase(P)) {
            const Q = baseMul!(k);
            c.setG1(T, Q.is0() ? undefined : Q.toAffine());
            m._mclBnG1_add(ACC, ACC, T);
            continue;
          }
          const tbl = tableFor(P);
          if (tbl !== undefined) {
            mulTable(R, tbl, k);
            m._mclBnG1_add(ACC, ACC, R);
          } else {
            restP.push(P);
            restK.push(k);
          }
        }
        if (restP.length === 1) {
          mulCT(R, restP[0]!, restK[0]!);
          m._mclBnG1_add(ACC, ACC, R);
        } else if (restP.length > 1) {
          const affine = toAffineBatch(Point, restP);
          for (let i = 0; i < restP.length; i++) {
            c.setG1(vecSmallP + i * G1_BYTES, affine[i]);
            c.setFr(vecSmallK + i * FR_BYTES, restK[i]!);
          }
          m._mclBnG1_mulVec(R, vecSmallP, vecSmallK, restP.length);
          m._mclBnG1_add(ACC, ACC, R);
        }
        return result(ACC);
      }
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
