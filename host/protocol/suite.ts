/**
 * The two ciphersuites of DESIGN.md behind one interface: group G (P-256, or BLS12-381 G1
 * with G2 for the pairing check), H = RFC 9380 hash_to_curve, strict point/scalar codecs.
 * Everything above this file is written once against `Suite`.
 */
import { p256, p256_hasher } from '@noble/curves/nist.js';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { hash_to_field } from '@noble/curves/abstract/hash-to-curve.js';
import type { WeierstrassPoint } from '@noble/curves/abstract/weierstrass.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { hashToG1 as mclHashToG1, pairingEqual as mclPairingEqual } from './accel/bls12-381.ts';
import { blstOps, type BlstOps } from './accel/blst.ts';
import { mclGroup } from './accel/group.ts';
import { mclBls, mclP256 } from './accel/mcl.ts';
import { hashToCurveP256, mulBaseP256, mulP256, sqrtP256 } from './accel/p256.ts';
import { bigIntToBytes, bytesToBigInt } from './bytes.ts';
import { decodeFail } from './errors.ts';

export type SuiteId = 'P256-SHA256' | 'BLS12381-SHA256';
export const SUITE_IDS: readonly SuiteId[] = ['P256-SHA256', 'BLS12381-SHA256'];
export type Point = WeierstrassPoint<bigint>;
type G2Point = WeierstrassPoint<{ c0: bigint; c1: bigint }>;

/** Pairing operations of the BLS12-381 suite; absent for P-256. */
export interface PairingOps {
  readonly B2: G2Point;
  readonly g2Length: number;
  mulB2(k: bigint): G2Point;
  encodeG2(P: G2Point): Uint8Array;
  decodeG2(b: Uint8Array): G2Point;
  /** e(P1, Q1) == e(P2, Q2), by one product of pairings. */
  equal(P1: Point, Q1: G2Point, P2: Point, Q2: G2Point): boolean;
}
export type { G2Point };

export interface Suite {
  readonly id: SuiteId;
  readonly pointLength: number;
  readonly scalarLength: 32;
  readonly order: bigint;
  readonly B: Point;
  readonly zero: Point;
  /** DST of H for tokens: `Sipster-v1-token-` ‖ the RFC 9380 suite name. */
  readonly tokenDst: string;
  readonly pairing: PairingOps | undefined;
  hashToGroup(msg: Uint8Array, dst: string): Point;
  /** k·P, 0 ≤ k < q (variable base: receipts, DLEQ, combine). */
  mul(P: Point, k: bigint): Point;
  /** Σ P_i (combine, self-check, settle-side sums). */
  sum(points: readonly Point[]): Point;
  /** Σ k_i·P_i by one multi-scalar multiplication, 0 ≤ k_i < q (e.g. s·B + c·A in DLEQ verification). */
  msm(points: readonly Point[], scalars: readonly bigint[]): Point;
  /** RFC 9380 hash_to_field into Z_q: count 1, L = 48, expand_message_xmd(SHA-256). */
  hashToScalar(msg: Uint8Array, dst: string | Uint8Array): bigint;
  encodePoint(P: Point): Uint8Array;
  /** Strict: exact length, canonical x, on the curve, in the prime-order subgroup, not identity. */
  decodePoint(b: Uint8Array): Point;
  encodeScalar(k: bigint): Uint8Array;
  /** Strict: 32 bytes, value < q (zero is allowed here; callers that need non-zero check it). */
  decodeScalar(b: Uint8Array): bigint;
}

type PointCons = typeof p256.Point;
type GroupOps = Pick<Suite, 'mul' | 'sum' | 'msm' | 'hashToGroup'>;

/** Group operations on noble points; the reference implementation every faster backend is checked against. */
const nobleOps = (zero: Point) => {
  const mul = (P: Point, k: bigint): Point => (k === 0n ? zero : P.multiply(k));
  const sum = (points: readonly Point[]): Point => {
    let acc = zero;
    for (const P of points) acc = acc.add(P);
    return acc;
  };
  return {
    mul,
    sum,
    msm(points: readonly Point[], scalars: readonly bigint[]): Point {
      if (points.length !== scalars.length) throw new RangeError('msm: as many scalars as points');
      return sum(points.map((P, i) => mul(P, scalars[i]!)));
    },
  };
};

/** DSTs blst and mcl take as given: non-empty ASCII of at most 255 bytes (others go to noble, which has the RFC's rules for them). */
const plainDst = (dst: string): boolean => dst.length > 0 && dst.length <= 255 && /^[\x00-\x7f]*$/.test(dst);

type SqrtFn = (v: bigint) => bigint | undefined;

const nobleSqrt = (Point: PointCons): SqrtFn => (v) => {
  try {
    return Point.Fp.sqrt(v);
  } catch {
    return undefined;
  }
};

/** A square root of x^3 + a x + b (checked by squaring it back), or off-curve. */
function liftX(Point: PointCons, x: bigint, sqrt: SqrtFn): bigint {
  const { a, b } = Point.CURVE();
  const Fp = Point.Fp;
  const rhs = Fp.add(Fp.add(Fp.mul(Fp.sqr(x), x), Fp.mul(a, x)), b);
  const y = sqrt(rhs);
  if (y === undefined || !Fp.eql(Fp.sqr(y), rhs)) decodeFail('off-curve', 'x is not the abscissa of a curve point');
  return y;
}

function checkedPoint(Point: PointCons, x: bigint, y: bigint): Point {
  const P = Point.fromAffine({ x, y });
  if (P.is0()) decodeFail('identity', 'point at infinity');
  if (!P.isTorsionFree()) decodeFail('not-in-subgroup', 'point outside the prime-order subgroup');
  return P;
}

function scalarCodec(order: bigint) {
  return {
    encodeScalar(k: bigint): Uint8Array {
      return bigIntToBytes(k, 32);
    },
    decodeScalar(b: Uint8Array): bigint {
      if (b.length !== 32) decodeFail('wrong-length', `scalar must be 32 bytes, got ${b.length}`);
      const k = bytesToBigInt(b);
      if (k >= order) decodeFail('non-canonical-scalar', 'scalar not reduced modulo the group order');
      return k;
    },
  };
}

function hashToScalarFor(order: bigint) {
  return (msg: Uint8Array, dst: string | Uint8Array): bigint =>
    hash_to_field(msg, 1, { DST: dst, p: order, m: 1, k: 128, expand: 'xmd', hash: sha256 })[0]![0]!;
}

function makeP256(accelerated: boolean): Suite {
  const Point = p256.Point;
  const p = Point.Fp.ORDER;
  const order = Point.Fn.ORDER;
  return {
    id: 'P256-SHA256',
    pointLength: 33,
    scalarLength: 32,
    order,
    B: Point.BASE,
    zero: Point.ZERO,
    tokenDst: 'Sipster-v1-token-P256_XMD:SHA-256_SSWU_RO_',
    pairing: undefined,
    ...(accelerated ? p256Accel() : p256Noble(Point)),
    hashToScalar: hashToScalarFor(order),
    encodePoint(P) {
      if (P.is0()) throw new RangeError('cannot encode the identity');
      return P.toBytes(true);
    },
    decodePoint(b) {
      if (b.length !== 33) decodeFail('wrong-length', `P-256 point must be 33 bytes, got ${b.length}`);
      if (b[0] !== 2 && b[0] !== 3) decodeFail('bad-prefix', 'SEC1 compressed prefix must be 02 or 03');
      const x = bytesToBigInt(b.subarray(1));
      if (x >= p) decodeFail('non-canonical-field', 'x not reduced modulo p');
      let y = liftX(Point, x, accelerated ? sqrtP256 : nobleSqrt(Point));
      if ((y & 1n) !== BigInt(b[0]! & 1)) y = Point.Fp.neg(y);
      return checkedPoint(Point, x, y);
    },
    ...scalarCodec(order),
  };
}

function p256Noble(Point: PointCons): GroupOps {
  return { hashToGroup: (msg, dst) => p256_hasher.hashToCurve(msg, { DST: dst }) as Point, ...nobleOps(Point.ZERO) };
}

/** OpenSSL for products (constant time), mcl-wasm for sums, tables and msm, SSWU on mcl's field for H. */
function p256Accel(): GroupOps {
  return { hashToGroup: (msg, dst) => hashToCurveP256(msg, dst), ...mclGroup(mclP256, p256.Point, { base: mulBaseP256, mul: mulP256 }) };
}

/**
 * Backends of the BLS12-381 suite: `blst` (the default) is blst for hash_to_curve, products of
 * fresh points, decoding and the pairing, with mcl-wasm's fixed-base tables (B, A_e) and msm,
 * each where the protocol bench measured it faster; `mcl` is mcl-wasm alone, kept as the
 * measured alternative; `noble` is the reference.
 */
type BlsBackend = { blst: BlstOps } | 'mcl' | 'noble';

function makeBls12381(backend: BlsBackend): Suite {
  const blst = typeof backend === 'object' ? backend.blst : undefined;
  const G1 = bls12_381.G1;
  const G2 = bls12_381.G2;
  const Point = G1.Point as unknown as PointCons;
  const p = G1.Point.Fp.ORDER;
  const order = G1.Point.Fn.ORDER;
  const Fp12 = bls12_381.fields.Fp12;
  const pairing: PairingOps = {
    B2: G2.Point.BASE as unknown as G2Point,
    g2Length: 96,
    mulB2: (k) => G2.Point.BASE.multiply(k) as unknown as G2Point,
    encodeG2: (P) => (P as unknown as typeof G2.Point.BASE).toBytes(true),
    decodeG2(b) {
      if (b.length !== 96) decodeFail('wrong-length', `G2 point must be 96 bytes, got ${b.length}`);
      if ((b[0]! & 0x80) === 0) decodeFail('bad-prefix', 'G2 point must be compressed');
      if ((b[0]! & 0x40) !== 0) decodeFail('identity', 'point at infinity');
      let P: typeof G2.Point.BASE;
      try {
        P = G2.Point.fromBytes(b);
      } catch {
        return decodeFail('off-curve', 'not a valid G2 point');
      }
      if (!P.isTorsionFree()) decodeFail('not-in-subgroup', 'G2 point outside the prime-order subgroup');
      return P as unknown as G2Point;
    },
    equal:
      blst ? blst.pairingEqual
      : backend === 'mcl' ? mclPairingEqual
      : (P1, Q1, P2, Q2) => {
          const gt = bls12_381.pairingBatch([
            { g1: P1 as never, g2: Q1 as never },
            { g1: P2.negate() as never, g2: Q2 as never },
          ]);
          return Fp12.eql(gt, Fp12.ONE);
        },
  };
  const nobleHash = (msg: Uint8Array, dst: string | Uint8Array): Point => G1.hashToCurve(msg, { DST: dst }) as unknown as Point;
  const ops: GroupOps =
    blst ? { ...mclGroup(mclBls, Point, { mul: blst.mulG1 }), hashToGroup: (msg, dst) => (plainDst(dst) ? blst.hashToG1(msg, dst) : nobleHash(msg, dst)) }
    : backend === 'mcl' ? { ...mclGroup(mclBls, Point), hashToGroup: (msg, dst) => (plainDst(dst) ? mclHashToG1(msg, new TextEncoder().encode(dst)) : nobleHash(msg, dst)) }
    : { hashToGroup: nobleHash, ...nobleOps(G1.Point.ZERO as unknown as Point) };
  return {
    id: 'BLS12381-SHA256',
    pointLength: 48,
    scalarLength: 32,
    order,
    B: G1.Point.BASE as unknown as Point,
    zero: G1.Point.ZERO as unknown as Point,
    tokenDst: 'Sipster-v1-token-BLS12381G1_XMD:SHA-256_SSWU_RO_',
    pairing,
    ...ops,
    hashToScalar: hashToScalarFor(order),
    encodePoint(P) {
      if (P.is0()) throw new RangeError('cannot encode the identity');
      return P.toBytes(true);
    },
    decodePoint(b) {
      // ZCash compressed: bit 7 compressed, bit 6 infinity, bit 5 sign of y ("lexicographically largest").
      if (b.length !== 48) decodeFail('wrong-length', `G1 point must be 48 bytes, got ${b.length}`);
      const flags = b[0]!;
      if ((flags & 0x80) === 0) decodeFail('bad-prefix', 'G1 point must be compressed');
      if ((flags & 0x40) !== 0) decodeFail('identity', 'point at infinity');
      const xb = new Uint8Array(b); // a copy (a Buffer's slice() is a view: writing it would change the caller's bytes)
      xb[0] = flags & 0x1f;
      const x = bytesToBigInt(xb);
      if (x >= p) decodeFail('non-canonical-field', 'x not reduced modulo p');
      if (blst) return blst.decompressG1(b);
      let y = liftX(Point, x, nobleSqrt(Point));
      const largest = y > (p - 1n) / 2n;
      if (largest !== ((flags & 0x20) !== 0)) y = G1.Point.Fp.neg(y);
      return checkedPoint(Point, x, y);
    },
    ...scalarCodec(order),
  };
}

const MCL_BLS = makeBls12381('mcl');
/** blst where its binary loads on this platform and Node, else mcl-wasm alone (accel/blst.ts). */
const SUITES: Record<SuiteId, Suite> = { 'P256-SHA256': makeP256(true), 'BLS12381-SHA256': blstOps ? makeBls12381({ blst: blstOps }) : MCL_BLS };
/** The same suites on @noble/curves alone: the reference the accelerated ops are checked and benchmarked against. */
const REFERENCE_SUITES: Record<SuiteId, Suite> = { 'P256-SHA256': makeP256(false), 'BLS12381-SHA256': makeBls12381('noble') };

export function getSuite(id: string): Suite {
  const s = (SUITES as Record<string, Suite | undefined>)[id];
  if (!s) decodeFail('wrong-suite', `unknown ciphersuite ${JSON.stringify(id)}`);
  return s;
}

/** Noble-only twin of `getSuite(id)` (same ids, codecs and results; slower group operations). */
export function getReferenceSuite(id: SuiteId): Suite {
  return REFERENCE_SUITES[id];
}

/** The BLS12-381 suite on mcl-wasm alone (hash, products, pairing): what blst replaced, measured beside it and checked against it. */
export function getMclBlsSuite(): Suite {
  return MCL_BLS;
}

/** Uniform non-zero scalar from a CSPRNG (48 bytes reduced, bias < 2^-128). */
export function randomScalar(suite: Suite, rand: (n: number) => Uint8Array): bigint {
  for (;;) {
    const k = bytesToBigInt(rand(48)) % suite.order;
    if (k !== 0n) return k;
  }
}
