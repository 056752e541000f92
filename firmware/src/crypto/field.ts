// Montgomery arithmetic modulo an odd N < 2^256, without BigInt.
//
// An element is a Float64Array of 11 limbs of 24 bits (little-endian), Montgomery radix
// R = 2^264. Products of two limbs are < 2^48 and a column of 11 of them plus the reduction
// terms stays < 2^53, so every intermediate is an exact double. Invariant: every element
// handed out is a normalized representative < 2^258 (limbs 0..9 in [0, 2^24), limb 10 < 2^18),
// not necessarily < N. Multiplication needs no final subtraction: with a, b < 2^258 the
// Montgomery product is < N + 2^252. canonInPlace() gives the unique value in [0, N).
//
// Column sums use the native E.convolve when present (two calls per column: a*b and m*N),
// else plain loops (left out of the flashed bundle, which has E.convolve: native.ts). A modulus can bring its own straight-line product (the P-256 prime does:
// p256-mont.ts), which the field then calls instead.
// A field is an object of closures over its state (makeField), not a class: the state is then
// local names the minifier shortens and the interpreter finds without a `this.` lookup.
// Espruino subset only: no BigInt, no Math.imul, no default/rest params, no spread.

import { nativesOnly, nativeConvolve } from './native.ts';

export type Fe = Float64Array;

const NL = 11;
const B24 = 16777216;
const M24 = 0xffffff;
const INV24 = 1 / 16777216;

/** Operation counters, flat (keys per field: mul, sqr, add, inv, sqrt + the field's suffix; add counts add/sub/neg). */
export type OpCounters = { [name: string]: number };

export function fe(): Fe {
  return new Float64Array(NL);
}

/** Big-endian bytes (len <= 33) at u8[off..off+len) into limbs, value < 2^264. */
export function bytesToLimbs(r: Fe, u8: Uint8Array, off: number, len: number): void {
  r.fill(0);
  let j = 0;
  for (let k = off + len - 1; k >= off; k -= 3) {
    let v = u8[k];
    if (k - 1 >= off) v += u8[k - 1] * 256;
    if (k - 2 >= off) v += u8[k - 2] * 65536;
    r[j++] = v;
  }
}

/** Hex digits (even count) to bytes. */
export function hexBytes(hex: string): Uint8Array {
  const u8 = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < u8.length; i++) u8[i] = parseInt(hex.substr(i * 2, 2), 16);
  return u8;
}

/** -1 if a < b, 0 if equal, 1 if a > b (normalized limbs). */
function cmpLimbs(a: Fe, b: Fe): number {
  for (let i = NL - 1; i >= 0; i--) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

/** A Montgomery product r = a * b * R^-1 mod N (r may alias a or b). */
export type MontFn = (r: Fe, a: Fe, b: Fe) => void;

/** The generic Montgomery product for the modulus limbs n (product scanning, FIPS). */
function montGeneric(n: Fe): MontFn {
  const t = new Float64Array(2 * NL);
  const rb = new Float64Array(2 * NL - 1);
  const rn = new Float64Array(2 * NL - 1);
  for (let j = 0; j < NL; j++) rn[2 * NL - 2 - j] = n[j];
  const mm = new Float64Array(NL);
  // n' = -N^-1 mod 2^24 by Newton iteration (each step doubles the correct low bits).
  const n0 = n[0];
  let x = 1;
  for (let i = 0; i < 5; i++) x = (x * (2 - ((n0 * x) & M24))) & M24;
  const nInv = (B24 - x) & M24;
  return function (r: Fe, a: Fe, b: Fe): void {
    'ram';
    const conv = nativeConvolve;
    if (nativesOnly || conv !== undefined) {
      // Column k holds a*b and m*N terms; one convolve each.
      for (let j = 0; j < NL; j++) rb[20 - j] = b[j];
      mm.fill(0);
      let c = 0;
      for (let k = 0; k < NL; k++) {
        let s = conv!(a, rb, 20 - k) + conv!(mm, rn, 20 - k) + c;
        const m = ((s & M24) * nInv) & M24;
        mm[k] = m;
        s += m * n[0];
        c = s * INV24;
      }
      for (let k = NL; k < 2 * NL - 1; k++) {
        const s = conv!(a, rb, 20 - k) + conv!(mm, rn, 20 - k) + c;
        const lo = s & M24;
        t[k - NL] = lo;
        c = (s - lo) * INV24;
      }
      // written last: r may alias a, which the columns above still read
      for (let j = 0; j < NL - 1; j++) r[j] = t[j];
      r[NL - 1] = c;
      return;
    }
    t.fill(0);
    for (let i = 0; i < NL; i++) {
      const ai = a[i];
      if (ai === 0) continue;
      for (let j = 0; j < NL; j++) t[i + j] += ai * b[j];
    }
    for (let i = 0; i < NL; i++) {
      const m = ((t[i] & M24) * nInv) & M24;
      for (let j = 0; j < NL; j++) t[i + j] += m * n[j];
      t[i + 1] += t[i] * INV24;
    }
    let c = 0;
    for (let j = 0; j < NL - 1; j++) {
      const s = t[NL + j] + c;
      const lo = s & M24;
      r[j] = lo;
      c = (s - lo) * INV24;
    }
    r[NL - 1] = t[2 * NL - 1] + c;
  };
}

/** Arithmetic modulo one odd N < 2^256 on normalized representatives (see the top of this file). */
export interface Field {
  /** canonical big-endian bytes of the modulus */
  readonly nBytes: Uint8Array;
  /** Montgomery form of 1 (R mod N, canonical) */
  readonly one: Fe;
  mul(r: Fe, a: Fe, b: Fe): void;
  sqr(r: Fe, a: Fe): void;
  /** r = a squared k times */
  sqrN(r: Fe, a: Fe, k: number): void;
  /** r = a + b */
  add(r: Fe, a: Fe, b: Fe): void;
  /** r = a - b */
  sub(r: Fe, a: Fe, b: Fe): void;
  /** r = k*a for a small k (2..16), one pass instead of k-1 additions */
  mulSmall(r: Fe, a: Fe, k: number): void;
  neg(r: Fe, a: Fe): void;
  /** Reduce a normalized representative to [0, N) in place. */
  canonInPlace(a: Fe): void;
  isZero(a: Fe): boolean;
  eq(a: Fe, b: Fe): boolean;
  /** Parity of the canonical value (RFC 9380 sgn0 for prime fields). */
  sgn0(a: Fe): number;
  setInt(r: Fe, v: number): void;
  /** Strict decode of 32 big-endian bytes: false (r untouched) unless the value is < N. */
  fromBytes(r: Fe, u8: Uint8Array, off: number): boolean;
  /** Any 32 bytes (value < 2^256) reduced mod N. */
  fromBytesMod(r: Fe, u8: Uint8Array, off: number): void;
  /**
   * 48 big-endian bytes reduced mod N into r (RFC 9380 hash_to_field, L = 48); returns the parity
   * of the value (sgn0), free because hi*2^192 + lo is formed canonically out of Montgomery form first.
   */
  fromBytes48(r: Fe, u8: Uint8Array, off: number): number;
  /** Canonical 32-byte big-endian encoding into out[off..off+32). */
  toBytes(a: Fe, out: Uint8Array, off: number): void;
}

/**
 * Adds a field's counters (mul, sqr, add, inv, sqrt + suffix, in the order timing records list
 * them; inv, sqrt: p256.ts) to ops, keeping the counts of those already there.
 */
export function addCounters(ops: OpCounters, suffix: string): void {
  for (const k of ['mul', 'sqr', 'add', 'inv', 'sqrt']) if (!ops[k + suffix]) ops[k + suffix] = 0;
}

/**
 * The field modulo N (modHex: 64 hex digits). Operations are counted in ops under 'mul' + suffix,
 * 'sqr' + suffix, 'add' + suffix ('inv' + suffix, 'sqrt' + suffix: p256.ts). fast: a specialized
 * Montgomery product for this modulus, or null for the generic one.
 */
export function makeField(modHex: string, ops: OpCounters, suffix: string, fast: MontFn | null): Field {
  // declared first: the interpreter looks names up in declaration order
  const nBytes = hexBytes(modHex);
  const n = fe();
  bytesToLimbs(n, nBytes, 0, 32);
  const kMul = 'mul' + suffix;
  const kSqr = 'sqr' + suffix;
  const kAdd = 'add' + suffix;
  addCounters(ops, suffix);
  const mont = fast !== null ? fast : montGeneric(n);
  const tmp = fe();
  const tmp2 = fe();
  const tmp3 = fe();
  const zero = fe();
  const one = fe();
  const c192 = fe();
  const r2 = fe();

  const mul = (r: Fe, a: Fe, b: Fe): void => {
    'ram';
    ops[kMul]++;
    mont(r, a, b);
  };
  const sqr = (r: Fe, a: Fe): void => {
    'ram';
    ops[kSqr]++;
    mont(r, a, a);
  };

  // add/sub/mulSmall are straight-line: the interpreter pays per statement, and every point
  // operation has a dozen of them. Limb sums stay within int32, so >> 24 is the (floor) carry.

  /** r = a + b - q*N, q = floor((a + b) / 2^256) estimated from the top limbs: r < 2^258 */
  const add = (r: Fe, a: Fe, b: Fe): void => {
    'ram';
    ops[kAdd]++;
    const k = -((a[10] + b[10]) >> 16);
    let s = a[0] + b[0] + k * n[0];
    r[0] = s & M24;
    s = a[1] + b[1] + k * n[1] + (s >> 24);
    r[1] = s & M24;
    s = a[2] + b[2] + k * n[2] + (s >> 24);
    r[2] = s & M24;
    s = a[3] + b[3] + k * n[3] + (s >> 24);
    r[3] = s & M24;
    s = a[4] + b[4] + k * n[4] + (s >> 24);
    r[4] = s & M24;
    s = a[5] + b[5] + k * n[5] + (s >> 24);
    r[5] = s & M24;
    s = a[6] + b[6] + k * n[6] + (s >> 24);
    r[6] = s & M24;
    s = a[7] + b[7] + k * n[7] + (s >> 24);
    r[7] = s & M24;
    s = a[8] + b[8] + k * n[8] + (s >> 24);
    r[8] = s & M24;
    s = a[9] + b[9] + k * n[9] + (s >> 24);
    r[9] = s & M24;
    r[10] = a[10] + b[10] + k * n[10] + (s >> 24);
  };

  /** r = a - b + k*N with k = 8 - q, q estimated from the top limbs (the -1 keeps it from overshooting): 0 <= r < 2^258 */
  const sub = (r: Fe, a: Fe, b: Fe): void => {
    'ram';
    ops[kAdd]++;
    const k = 8 - ((a[10] - b[10] + 8 * n[10] - 1) >> 16);
    let s = a[0] - b[0] + k * n[0];
    r[0] = s & M24;
    s = a[1] - b[1] + k * n[1] + (s >> 24);
    r[1] = s & M24;
    s = a[2] - b[2] + k * n[2] + (s >> 24);
    r[2] = s & M24;
    s = a[3] - b[3] + k * n[3] + (s >> 24);
    r[3] = s & M24;
    s = a[4] - b[4] + k * n[4] + (s >> 24);
    r[4] = s & M24;
    s = a[5] - b[5] + k * n[5] + (s >> 24);
    r[5] = s & M24;
    s = a[6] - b[6] + k * n[6] + (s >> 24);
    r[6] = s & M24;
    s = a[7] - b[7] + k * n[7] + (s >> 24);
    r[7] = s & M24;
    s = a[8] - b[8] + k * n[8] + (s >> 24);
    r[8] = s & M24;
    s = a[9] - b[9] + k * n[9] + (s >> 24);
    r[9] = s & M24;
    r[10] = a[10] - b[10] + k * n[10] + (s >> 24);
  };

  /** r = k*a - q*N for a small k (2..16): r < 2^258 */
  const mulSmall = (r: Fe, a: Fe, k: number): void => {
    'ram';
    ops[kAdd]++;
    const q = -((k * a[10]) >> 16);
    let s = k * a[0] + q * n[0];
    r[0] = s & M24;
    s = k * a[1] + q * n[1] + (s >> 24);
    r[1] = s & M24;
    s = k * a[2] + q * n[2] + (s >> 24);
    r[2] = s & M24;
    s = k * a[3] + q * n[3] + (s >> 24);
    r[3] = s & M24;
    s = k * a[4] + q * n[4] + (s >> 24);
    r[4] = s & M24;
    s = k * a[5] + q * n[5] + (s >> 24);
    r[5] = s & M24;
    s = k * a[6] + q * n[6] + (s >> 24);
    r[6] = s & M24;
    s = k * a[7] + q * n[7] + (s >> 24);
    r[7] = s & M24;
    s = k * a[8] + q * n[8] + (s >> 24);
    r[8] = s & M24;
    s = k * a[9] + q * n[9] + (s >> 24);
    r[9] = s & M24;
    r[10] = k * a[10] + q * n[10] + (s >> 24);
  };

  const canonInPlace = (a: Fe): void => {
    while (cmpLimbs(a, n) >= 0) {
      let c = 0;
      for (let i = 0; i < NL; i++) {
        const s = a[i] - n[i] + c;
        const lo = s & M24;
        a[i] = lo;
        c = (s - lo) * INV24;
      }
    }
  };

  const isZero = (a: Fe): boolean => {
    tmp.set(a);
    canonInPlace(tmp);
    for (let i = 0; i < NL; i++) if (tmp[i] !== 0) return false;
    return true;
  };

  /** Out of Montgomery form, canonical: r = a * R^-1 mod N in [0, N). */
  const toRaw = (r: Fe, a: Fe): void => {
    tmp.fill(0);
    tmp[0] = 1;
    mul(r, a, tmp);
    canonInPlace(r);
  };

  /** Into Montgomery form from any limbs value < 2^258. */
  const fromRaw = (r: Fe, a: Fe): void => {
    mul(r, a, r2);
  };

  // Start-up constants as raw values (not in Montgomery form): R mod N (Montgomery 1), 2^192 * R mod N
  // (mul(hi, c192) = hi * 2^192 mod N, out of Montgomery form) and R^2 mod N. From 2^257 (limb 10 =
  // 2^17), multiplications by 16 and 8 give R = 2^264, by 16 (three times) R * 2^12; a Montgomery
  // product of R * 2^d and R * 2^e is R * 2^(d+e), so 4 squarings give R * 2^24 ... R * 2^192, and
  // two products R * 2^264: 5 one-pass additions and 6 products, a few ms on the board (the scalar
  // field is made for each use, p256.ts), where 132 additions took ~20 ms. The scratch values keep
  // this scope (which the closures above hold) free of start-up temporaries.
  c192[NL - 1] = 1 << 17;
  mulSmall(c192, c192, 16);
  mulSmall(c192, c192, 8);
  one.set(c192);
  canonInPlace(one);
  for (let i = 0; i < 3; i++) mulSmall(c192, c192, 16);
  for (let d = 24; d <= 192; d *= 2) {
    mont(c192, c192, c192); // R * 2^d
    if (d === 24) tmp.set(c192);
    if (d === 48) tmp2.set(c192);
  }
  mont(r2, c192, tmp2);
  mont(r2, r2, tmp);
  ops[kAdd] -= 5; // start-up work is not counted (a field made during an operation leaves the counts as they were)

  return {
    nBytes,
    one,
    mul,
    sqr,
    sqrN(r: Fe, a: Fe, k: number): void {
      'ram';
      // counted once and run without sqr's call: the exponentiations are ~250 squarings in a row
      ops[kSqr] += k;
      mont(r, a, a);
      for (let i = 1; i < k; i++) mont(r, r, r);
    },
    add,
    sub,
    mulSmall,
    neg(r: Fe, a: Fe): void {
      sub(r, zero, a);
    },
    canonInPlace,
    isZero,
    eq(a: Fe, b: Fe): boolean {
      sub(tmp2, a, b);
      return isZero(tmp2);
    },
    sgn0(a: Fe): number {
      toRaw(tmp2, a);
      return tmp2[0] & 1;
    },
    setInt(r: Fe, v: number): void {
      tmp.fill(0);
      tmp[0] = v;
      fromRaw(r, tmp);
    },
    fromBytes(r: Fe, u8: Uint8Array, off: number): boolean {
      bytesToLimbs(tmp2, u8, off, 32);
      if (cmpLimbs(tmp2, n) >= 0) return false;
      fromRaw(r, tmp2);
      return true;
    },
    fromBytesMod(r: Fe, u8: Uint8Array, off: number): void {
      bytesToLimbs(tmp2, u8, off, 32);
      fromRaw(r, tmp2);
    },
    fromBytes48(r: Fe, u8: Uint8Array, off: number): number {
      const hi = tmp2;
      bytesToLimbs(hi, u8, off, 24);
      bytesToLimbs(tmp3, u8, off + 24, 24);
      mul(hi, hi, c192);
      add(hi, hi, tmp3);
      canonInPlace(hi);
      fromRaw(r, hi);
      return hi[0] & 1;
    },
    toBytes(a: Fe, out: Uint8Array, off: number): void {
      const t = tmp2;
      toRaw(t, a);
      for (let j = 0; j < 10; j++) {
        const v = t[j];
        out[off + 31 - 3 * j] = v & 255;
        out[off + 30 - 3 * j] = (v >> 8) & 255;
        out[off + 29 - 3 * j] = (v >> 16) & 255;
      }
      out[off + 1] = t[10] & 255;
      out[off] = (t[10] >> 8) & 255;
    },
  };
}

/**
 * r[i] = a[i]^-1 for nonzero elements of F, with one inversion for all (Montgomery's trick):
 * 3(m-1) multiplications besides it.
 */
export function batchInvert(F: Field, inv: (r: Fe, a: Fe) => void, a: Fe[]): void {
  const m = a.length;
  const prefix: Fe[] = [];
  for (let i = 0; i < m; i++) {
    const p = fe();
    if (i === 0) p.set(a[0]);
    else F.mul(p, prefix[i - 1], a[i]);
    prefix.push(p);
  }
  const t = fe();
  inv(t, prefix[m - 1]);
  for (let i = m - 1; i > 0; i--) {
    F.mul(prefix[i], t, prefix[i - 1]); // a[i]^-1
    F.mul(t, t, a[i]);
    a[i].set(prefix[i]);
  }
  a[0].set(t);
}
