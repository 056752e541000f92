/**
 * P-256 fast paths:
 * - k·B by OpenSSL (node:crypto ECDH: setting a private key computes its public key with
 *   OpenSSL's precomputed fixed-base tables, about 15x faster than a variable-base product);
 * - k·P by OpenSSL too: ECDH gives x(k·P) and x((k+1)·P) in constant time (fixed-length
 *   scalar), and y(k·P) follows from them and P (Okeya–Sakurai recovery). mcl's product is
 *   not used for P-256 scalars: its running time grows with the bit length of k, which for
 *   DLEQ prover scalars like a_e·d0 mod q would leak a hidden-number-problem sample about a_e
 *   to anyone timing receipt issuance;
 * - H = RFC 9380 `P256_XMD:SHA-256_SSWU_RO_`: noble's hash_to_field (the SHA-256 part), then the
 *   simplified SWU map of RFC 9380 §6.6.2 with its inversion and square roots in mcl's field
 *   (noble spends most of its time in BigInt exponentiations there), then Q0 + Q1 in mcl.
 *   P-256 has cofactor 1. The map is the RFC's straight-line definition, not a constant-time
 *   one: its inputs are public (ρ is sent to the UC in the clear).
 */
import { createECDH } from 'node:crypto';
import { hash_to_field } from '@noble/curves/abstract/hash-to-curve.js';
import type { WeierstrassPoint } from '@noble/curves/abstract/weierstrass.js';
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { FP_BYTES, G1_BYTES, mclP256 as c } from './mcl.ts';

type Point = WeierstrassPoint<bigint>;
const Point = p256.Point;
const Fp = Point.Fp;
const p = Fp.ORDER;
const q = Point.Fn.ORDER;
const { a: A, b: B } = Point.CURVE();
const Z = Fp.neg(10n);
const minusBoverA = Fp.div(Fp.neg(B), A);
const BoverZA = Fp.div(B, Fp.mul(Z, A));

const ecdh = createECDH('prime256v1');
const ecdh2 = createECDH('prime256v1');
const kBytes = new Uint8Array(32);
const peer = new Uint8Array(65);

function scalarBytes(k: bigint): Uint8Array {
  let x = k;
  for (let i = 31; i >= 0; i--) {
    kBytes[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return kBytes;
}

function bigIntInto(b: Uint8Array, off: number, x: bigint): void {
  for (let i = off + 31; i >= off; i--) {
    b[i] = Number(x & 0xffn);
    x >>= 8n;
  }
}

/** k·B for 0 ≤ k < q, by OpenSSL. */
export function mulBaseP256(k: bigint): Point {
  if (typeof k !== 'bigint' || k < 0n || k >= q) throw new RangeError('scalar out of range [0, q)');
  if (k === 0n) return Point.ZERO;
  ecdh.setPrivateKey(scalarBytes(k));
  const pub = ecdh.getPublicKey(); // 04 ‖ x ‖ y
  return Point.fromAffine({ x: beBytesToBigInt(pub, 1, 33), y: beBytesToBigInt(pub, 33, 65) });
}

/**
 * k·P for a point P ≠ O and 0 ≤ k < q, by OpenSSL ECDH (constant time in k). With
 * Q = k·P = (x1, y1), x2 = x((k+1)·P) and P = (x, y), for Q ≠ ±P:
 *   y1 = (2b + (a + x·x1)(x + x1) − x2·(x − x1)²) / (2y).
 */
export function mulP256(P: Point, k: bigint): Point {
  if (typeof k !== 'bigint' || k < 0n || k >= q) throw new RangeError('scalar out of range [0, q)');
  if (k === 0n || P.is0()) return Point.ZERO;
  if (k === 1n) return P;
  if (k === q - 1n) return P.negate();
  const { x, y } = P.toAffine();
  peer[0] = 4;
  bigIntInto(peer, 1, x);
  bigIntInto(peer, 33, y);
  ecdh.setPrivateKey(scalarBytes(k));
  const x1 = beBytesToBigInt(ecdh.computeSecret(peer), 0, 32);
  ecdh2.setPrivateKey(scalarBytes(k + 1n));
  const x2 = beBytesToBigInt(ecdh2.computeSecret(peer), 0, 32);
  const d = md(x - x1 + p);
  const num = md(2n * B + md(md(A + md(x * x1)) * (x + x1)) - md(x2 * md(d * d)) + p);
  const y1 = md(num * inv(md(2n * y)));
  return Point.fromAffine({ x: x1, y: y1 });
}

function beBytesToBigInt(b: Uint8Array, from: number, to: number): bigint {
  let x = 0n;
  for (let i = from; i < to; i += 8) {
    let w = 0n;
    for (let j = i; j < i + 8; j++) w = (w << 8n) | BigInt(b[j]!);
    x = (x << 64n) | w;
  }
  return x;
}

const m = c.m;
const fpA = m._malloc(FP_BYTES);
const fpB = m._malloc(FP_BYTES);
const G0 = m._malloc(G1_BYTES);
const G1p = m._malloc(G1_BYTES);

/** Square root of a square in Fp (either root), or undefined for a non-square. */
export function sqrtP256(v: bigint): bigint | undefined {
  c.setFp(fpA, v);
  if (m._mclBnFp_squareRoot(fpB, fpA) !== 0) return undefined;
  return c.getFp(fpB);
}

function inv(v: bigint): bigint {
  c.setFp(fpA, v);
  m._mclBnFp_inv(fpB, fpA);
  return c.getFp(fpB);
}

const md = (x: bigint): bigint => x % p;
const gx = (x: bigint): bigint => md(md(md(x * x) * x) + md(A * x) + B);

/** RFC 9380 §6.6.2 map_to_curve_simple_swu(u), returning affine (x, y). */
export function sswuP256(u: bigint): { x: bigint; y: bigint } {
  const u2 = md(u * u);
  const zu2 = md(Z * u2);
  const tv1 = md(zu2 * zu2 + zu2); // Z² u⁴ + Z u²
  const x1 = tv1 === 0n ? BoverZA : md(minusBoverA * (1n + inv(tv1)));
  let x = x1;
  let y = sqrtP256(gx(x1));
  if (y === undefined) {
    x = md(zu2 * x1);
    y = sqrtP256(gx(x));
    if (y === undefined) throw new Error('sswu: g(x2) is not a square (impossible for a valid Z)');
  }
  if ((u & 1n) !== (y & 1n)) y = y === 0n ? 0n : p - y;
  return { x, y };
}

/** hash_to_curve(msg) under `dst` for P-256 (the RO variant: two field elements, two maps, one addition). */
export function hashToCurveP256(msg: Uint8Array, dst: string | Uint8Array): Point {
  const u = hash_to_field(msg, 2, { DST: dst, p, m: 1, k: 128, expand: 'xmd', hash: sha256 });
  c.setG1(G0, sswuP256(u[0]![0]!));
  c.setG1(G1p, sswuP256(u[1]![0]!));
  m._mclBnG1_add(G0, G0, G1p);
  const a = c.getG1(G0);
  return a ? Point.fromAffine(a) : Point.ZERO;
}
