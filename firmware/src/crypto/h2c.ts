// RFC 9380 hashing to P-256: expand_message_xmd (SHA-256), hash_to_field (L = 48),
// simplified SWU straight-line (appendix F.2, sqrt_ratio for q = 3 mod 4, Z = -10) and
// hash_to_curve P256_XMD:SHA-256_SSWU_RO_ (cofactor 1, no isogeny).
//
// Cost per hash_to_curve: two sqrt_ratio exponentiations (the minimum for the RO variant,
// 265 multiplications each) plus ~20 multiplications per map and 11 for Q0 + Q1, and no
// inversion: each mapped point is taken as the Jacobian point (xn*xd, y*xd^3, xd), so the
// running sum the meter keeps stays Jacobian (one more addition, 16 multiplications).

import { fe, type Fe } from './field.ts';
import { concatBytes, sha256 } from './hash.ts';
import { Fp, fpPowC1, makeFn } from './p256.ts';
import { CURVE_B, Point, addTail, feHex } from './point.ts';

export function expandMessageXmd(msg: Uint8Array, dst: Uint8Array, len: number): Uint8Array {
  'ram';
  const ell = Math.ceil(len / 32);
  // ell <= 255 also keeps len below 65535 (RFC 9380's other bound)
  if (ell > 255 || dst.length > 255) throw new Error('xmd: length out of range');
  const dstPrime = new Uint8Array(dst.length + 1);
  dstPrime.set(dst, 0);
  dstPrime[dst.length] = dst.length;
  const b0 = sha256(concatBytes([new Uint8Array(64), msg, [(len >> 8) & 255, len & 255, 0], dstPrime]));
  const out = new Uint8Array(len);
  let prev: Uint8Array = new Uint8Array(32);
  for (let i = 1; i <= ell; i++) {
    const x = new Uint8Array(33);
    for (let j = 0; j < 32; j++) x[j] = b0[j] ^ prev[j];
    x[32] = i;
    prev = sha256(concatBytes([x, dstPrime]));
    const o = (i - 1) * 32;
    const take = len - o < 32 ? len - o : 32;
    out.set(prev.subarray(0, take), o);
  }
  return out;
}

/** RFC 9380 hash_to_field(msg, dst, count 1, L 48) mod n as a canonical 32-byte scalar (the bill's r: the scalar field is made for it). */
export function hashToScalar(msg: Uint8Array, dst: Uint8Array): Uint8Array {
  const Fn = makeFn();
  const e = fe();
  Fn.fromBytes48(e, expandMessageXmd(msg, dst, 48), 0);
  const out = new Uint8Array(32);
  Fn.toBytes(e, out, 0);
  return out;
}

/** Z = -10 */
const Z = fe();
Fp.setInt(Z, 10);
Fp.neg(Z, Z);
/** c2 = sqrt(-Z) = sqrt(10) mod p */
const C2 = feHex('da538e3be1d89b99c978fc675180aab27b8d1ff84c55d5b62ccd3427e433c47f');

const tv1 = fe();
const tv2 = fe();
const tv3 = fe();
const tv4 = fe();
const tv5 = fe();
const tv6 = fe();
const xn = fe();
const yy = fe();
const y1 = fe();
const s1 = fe();
const s2 = fe();

/** r = -3a (the curve's A) without a multiplication */
function mulA(r: Fe, a: Fe): void {
  'ram';
  Fp.mulSmall(s1, a, 3);
  Fp.neg(r, s1);
}

/** RFC 9380 F.2.1.2 for q = 3 mod 4: y1 = sqrt(u/v) or sqrt(Z u/v); returns is_QR */
function sqrtRatio(u: Fe, v: Fe): boolean {
  'ram';
  Fp.sqr(s1, v);
  Fp.mul(s2, u, v);
  Fp.mul(s1, s1, s2);
  fpPowC1(y1, s1);
  Fp.mul(y1, y1, s2);
  Fp.sqr(s1, y1);
  Fp.mul(s1, s1, v);
  if (Fp.eq(s1, u)) return true;
  Fp.mul(y1, y1, C2);
  return false;
}

/**
 * Simplified SWU (RFC 9380 F.2) of u (with sgn0(u) given) into the Jacobian point r; its Z^2
 * and Z^3 are left in z2, z3 for the addition that follows.
 */
export function mapToCurve(r: Point, u: Fe, sgnU: number, z2: Fe, z3: Fe): void {
  'ram';
  Fp.sqr(tv1, u);
  Fp.mulSmall(tv1, tv1, 10);
  Fp.neg(tv1, tv1);
  Fp.sqr(tv2, tv1);
  Fp.add(tv2, tv2, tv1);
  Fp.add(tv3, tv2, Fp.one);
  Fp.mul(tv3, CURVE_B, tv3);
  if (Fp.isZero(tv2)) tv4.set(Z);
  else Fp.neg(tv4, tv2);
  mulA(tv4, tv4);
  Fp.sqr(tv2, tv3);
  Fp.sqr(tv6, tv4);
  mulA(tv5, tv6);
  Fp.add(tv2, tv2, tv5);
  Fp.mul(tv2, tv2, tv3);
  Fp.mul(tv6, tv6, tv4);
  Fp.mul(tv5, CURVE_B, tv6);
  Fp.add(tv2, tv2, tv5);
  if (sqrtRatio(tv2, tv6)) {
    xn.set(tv3);
    yy.set(y1);
  } else {
    Fp.mul(xn, tv1, tv3);
    Fp.mul(yy, tv1, u);
    Fp.mul(yy, yy, y1);
  }
  if (sgnU !== Fp.sgn0(yy)) Fp.neg(yy, yy);
  // (xn/xd, y) as Jacobian with Z = xd: X = xn*xd, Y = y*xd^3
  Fp.mul(r.x, xn, tv4);
  Fp.sqr(z2, tv4);
  Fp.mul(z3, z2, tv4);
  Fp.mul(r.y, yy, z3);
  r.z.set(tv4);
  r.inf = false;
}

const q0 = new Point();
const q1 = new Point();
/** u0, then u1 (each map reads only its own) */
const u = fe();
const z0s = fe();
const z0c = fe();
const z1s = fe();
const z1c = fe();
// Q0 + Q1 is computed in mapToCurve's temporaries, free once both maps are done: on the board each
// field element is ~7 variables held for good. (addTail's own scratch is point.ts's.)
const hu1 = tv1;
const hs1 = tv2;
const hh = tv3;
const hr = tv5;
const hz = tv6;

/** RFC 9380 hash_to_curve, suite P256_XMD:SHA-256_SSWU_RO_, with the given DST. */
export function hashToCurve(msg: Uint8Array, dst: Uint8Array): Point {
  const b = expandMessageXmd(msg, dst, 96);
  let sgn = Fp.fromBytes48(u, b, 0);
  mapToCurve(q0, u, sgn, z0s, z0c);
  sgn = Fp.fromBytes48(u, b, 48);
  mapToCurve(q1, u, sgn, z1s, z1c);
  // Q0 + Q1 (add-1998-cmo-2) reusing the Z powers of both: 11 multiplications instead of 16
  Fp.mul(hu1, q0.x, z1s);
  Fp.mul(hh, q1.x, z0s);
  Fp.sub(hh, hh, hu1);
  Fp.mul(hs1, q0.y, z1c);
  Fp.mul(hr, q1.y, z0c);
  Fp.sub(hr, hr, hs1);
  Fp.mul(hz, q0.z, q1.z);
  const r = new Point();
  addTail(r, q0, hu1, hs1, hh, hr, hz);
  return r;
}
