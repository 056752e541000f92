// P-256 points in Jacobian coordinates (x = X/Z^2, y = Y/Z^3, Montgomery form) with an
// explicit infinity flag. Every addition handles P = Q (doubles) and P = -Q (infinity).
// SEC1 compressed encoding (33 B). Espruino subset only.

import { fe, hexBytes, type Fe } from './field.ts';
import { Fp, fpInv, fpSqrtCandidate } from './p256.ts';

export class Point {
  readonly x: Fe;
  readonly y: Fe;
  readonly z: Fe;
  inf: boolean;
  constructor() {
    this.x = fe();
    this.y = fe();
    this.z = fe();
    this.inf = true;
  }
}

/** A field element mod p from 64 hex digits. */
export function feHex(hex: string): Fe {
  const r = fe();
  Fp.fromBytes(r, hexBytes(hex), 0);
  return r;
}

/** curve coefficient b (a = -3) */
export const CURVE_B = feHex('5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b');

export function pointZero(): Point {
  return new Point();
}

export function pointCopy(r: Point, a: Point): void {
  r.x.set(a.x);
  r.y.set(a.y);
  r.z.set(a.z);
  r.inf = a.inf;
}

function pointFromAffine(r: Point, x: Fe, y: Fe): void {
  r.x.set(x);
  r.y.set(y);
  r.z.set(Fp.one);
  r.inf = false;
}

/** B; made on each call, so the flashed bundle (which only needs B's flash table) drops its coordinates. */
export function generator(): Point {
  const g = new Point();
  pointFromAffine(g, feHex('6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296'), feHex('4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5'));
  return g;
}

const t0 = fe();
const t1 = fe();
const t2 = fe();
const t3 = fe();
const t4 = fe();
const t5 = fe();
const t6 = fe();
const fe2 = fe();

/** r = 2a (dbl-2001-b, a = -3, with Z3 = 2YZ): 4M + 4S + 10 additions. r may alias a. P-256 has no point with y = 0. */
export function pointDouble(r: Point, a: Point): void {
  'ram';
  if (a.inf) {
    r.inf = true;
    return;
  }
  const delta = t0;
  const gamma = t1;
  const beta = t2;
  const alpha = t3;
  Fp.sqr(delta, a.z);
  Fp.sqr(gamma, a.y);
  Fp.mul(beta, a.x, gamma);
  Fp.sub(t4, a.x, delta);
  Fp.add(t5, a.x, delta);
  Fp.mul(alpha, t4, t5);
  Fp.mulSmall(alpha, alpha, 3);
  // Z3 = 2YZ (before Y, Z are overwritten): one multiplication instead of (Y + Z)^2 - gamma - delta
  Fp.mul(t4, a.y, a.z);
  Fp.mulSmall(r.z, t4, 2);
  // X3 = alpha^2 - 8 beta
  Fp.mulSmall(beta, beta, 4);
  Fp.sqr(t4, alpha);
  Fp.sub(t4, t4, beta);
  Fp.sub(r.x, t4, beta);
  // Y3 = alpha (4 beta - X3) - 8 gamma^2
  Fp.sub(t5, beta, r.x);
  Fp.mul(t5, alpha, t5);
  Fp.sqr(gamma, gamma);
  Fp.mulSmall(gamma, gamma, 8);
  Fp.sub(r.y, t5, gamma);
  r.inf = false;
}

/**
 * Shared tail of the additions: given U1, S1 (of a), H = U2 - U1, R = S2 - S1 and the
 * product of the Z's in zz, writes a + b into r. Falls back to doubling or infinity.
 * u1 and s1 are overwritten; none of the arguments may be this module's scratch values.
 */
export function addTail(r: Point, a: Point, u1: Fe, s1: Fe, h: Fe, rr: Fe, zz: Fe): void {
  'ram';
  if (Fp.isZero(h)) {
    if (Fp.isZero(rr)) pointDouble(r, a);
    else r.inf = true;
    return;
  }
  const hh = t5;
  const hhh = t6;
  Fp.sqr(hh, h);
  Fp.mul(hhh, h, hh);
  Fp.mul(u1, u1, hh); // V = U1 H^2
  Fp.mul(r.z, zz, h);
  Fp.sqr(hh, rr);
  Fp.sub(hh, hh, hhh);
  Fp.sub(hh, hh, u1);
  Fp.sub(r.x, hh, u1);
  Fp.sub(u1, u1, r.x);
  Fp.mul(u1, rr, u1);
  Fp.mul(s1, s1, hhh);
  Fp.sub(r.y, u1, s1);
  r.inf = false;
}

/** r = a + b, both Jacobian (add-1998-cmo-2): 12M + 4S. r may alias a or b. */
export function pointAddTo(r: Point, a: Point, b: Point): void {
  'ram';
  if (a.inf) {
    pointCopy(r, b);
    return;
  }
  if (b.inf) {
    pointCopy(r, a);
    return;
  }
  const z1z1 = t0;
  const z2z2 = t1;
  const u1 = t2;
  const s1 = t3;
  const h = t4;
  const rr = fe2;
  Fp.sqr(z1z1, a.z);
  Fp.sqr(z2z2, b.z);
  Fp.mul(u1, a.x, z2z2);
  Fp.mul(h, b.x, z1z1);
  Fp.sub(h, h, u1);
  Fp.mul(s1, a.y, b.z);
  Fp.mul(s1, s1, z2z2);
  Fp.mul(rr, b.y, a.z);
  Fp.mul(rr, rr, z1z1);
  Fp.sub(rr, rr, s1);
  Fp.mul(z1z1, a.z, b.z);
  addTail(r, a, u1, s1, h, rr, z1z1);
}

/** r = a + (x, y) with (x, y) affine (Montgomery form): 8M + 3S. r may alias a. */
export function pointAddAffine(r: Point, a: Point, x: Fe, y: Fe): void {
  'ram';
  if (a.inf) {
    pointFromAffine(r, x, y);
    return;
  }
  const z1z1 = t0;
  const u1 = t2;
  const s1 = t3;
  const h = t4;
  const rr = fe2;
  Fp.sqr(z1z1, a.z);
  Fp.mul(h, x, z1z1);
  Fp.sub(h, h, a.x);
  Fp.mul(rr, a.z, z1z1);
  Fp.mul(rr, rr, y);
  Fp.sub(rr, rr, a.y);
  u1.set(a.x);
  s1.set(a.y);
  addTail(r, a, u1, s1, h, rr, a.z);
}

export function pointNegTo(r: Point, a: Point): void {
  pointCopy(r, a);
  Fp.neg(r.y, a.y);
}

/** Affine coordinates (Montgomery form) of a finite point: 1 inversion, 3M + 1S. */
export function toAffine(x: Fe, y: Fe, a: Point): void {
  if (a.inf) throw new Error('point at infinity');
  const zi = t0;
  const zi2 = t1;
  fpInv(zi, a.z);
  Fp.sqr(zi2, zi);
  Fp.mul(x, a.x, zi2);
  Fp.mul(zi2, zi2, zi);
  Fp.mul(y, a.y, zi2);
}

export function pointEqual(a: Point, b: Point): boolean {
  if (a.inf || b.inf) return a.inf === b.inf;
  Fp.sqr(t0, a.z);
  Fp.sqr(t1, b.z);
  Fp.mul(t2, a.x, t1);
  Fp.mul(t3, b.x, t0);
  if (!Fp.eq(t2, t3)) return false;
  Fp.mul(t0, t0, a.z);
  Fp.mul(t1, t1, b.z);
  Fp.mul(t2, a.y, t1);
  Fp.mul(t3, b.y, t0);
  return Fp.eq(t2, t3);
}

// pointEncode's affine coordinates: scratch that toAffine does not use itself (t0, t1)
const ax = t2;
const ay = t3;

/** SEC1 compressed, 33 bytes. Throws on infinity (it has no encoding here). */
export function pointEncode(a: Point): Uint8Array {
  toAffine(ax, ay, a);
  const out = new Uint8Array(33);
  out[0] = 2 + Fp.sgn0(ay);
  Fp.toBytes(ax, out, 1);
  return out;
}

/** y^2 = x^3 - 3x + b into r */
function curveRhs(r: Fe, x: Fe): void {
  Fp.sqr(r, x);
  Fp.mul(r, r, x);
  Fp.mulSmall(t6, x, 3);
  Fp.sub(r, r, t6);
  Fp.add(r, r, CURVE_B);
}

/**
 * Strict SEC1 compressed decode: exactly 33 bytes, prefix 02/03, x < p, on the curve
 * (cofactor 1, so in the prime-order group). Throws an Error otherwise.
 */
export function pointDecode(bytes: Uint8Array): Point {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 33) throw new Error('point: need 33 bytes');
  const pre = bytes[0];
  if (pre !== 2 && pre !== 3) throw new Error('point: bad prefix');
  const x = fe();
  if (!Fp.fromBytes(x, bytes, 1)) throw new Error('point: x not canonical');
  const rhs = fe();
  curveRhs(rhs, x);
  const y = fe();
  fpSqrtCandidate(y, rhs);
  Fp.sqr(t0, y);
  if (!Fp.eq(t0, rhs)) throw new Error('point: not on curve');
  if (Fp.sgn0(y) !== pre - 2) Fp.neg(y, y);
  const p = new Point();
  pointFromAffine(p, x, y);
  return p;
}
