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
// p256-mont.ts), which this class then calls instead.
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

function hexLimbs(hex: string): Fe {
  const u8 = hexBytes(hex);
  const r = fe();
  bytesToLimbs(r, u8, 0, u8.length);
  return r;
}

/** -1 if a < b, 0 if equal, 1 if a > b (normalized limbs). */
function cmpLimbs(a: Fe, b: Fe): number {
  for (let i = NL - 1; i >= 0; i--) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

export class Field {
  /** modulus limbs */
  readonly n: Fe;
  /** canonical big-endian bytes of the modulus */
  readonly nBytes: Uint8Array;
  /** counters and this field's key names in them */
  readonly ops: OpCounters;
  readonly kMul: string;
  readonly kSqr: string;
  readonly kAdd: string;
  /** Montgomery form of 1 (R mod N), of 0 */
  readonly one: Fe;
  readonly zero: Fe;
  private readonly r2: Fe;
  private readonly c192: Fe;
  private readonly nInv: number;
  private readonly fast: ((r: Fe, a: Fe, b: Fe) => void) | null;
  private readonly t: Float64Array;
  private readonly rb: Float64Array;
  private readonly rn: Float64Array;
  private readonly mm: Float64Array;
  private readonly tmp: Fe;
  private readonly tmp2: Fe;
  private readonly tmp3: Fe;

  /**
   * modHex: N as 64 hex digits; r2Hex: R^2 mod N (R = 2^264), precomputed to spare the board
   * 528 doublings at start-up (checked against BigInt in the tests). Operations are counted
   * in ops under 'mul' + suffix, 'sqr' + suffix, 'add' + suffix, 'inv' + suffix, 'sqrt' + suffix.
   * fast: a specialized Montgomery product for this modulus, or null for the generic one.
   */
  constructor(modHex: string, r2Hex: string, ops: OpCounters, suffix: string, fast: ((r: Fe, a: Fe, b: Fe) => void) | null) {
    this.n = hexLimbs(modHex);
    this.nBytes = hexBytes(modHex);
    this.ops = ops;
    this.kMul = 'mul' + suffix;
    this.kSqr = 'sqr' + suffix;
    this.kAdd = 'add' + suffix;
    // all of this field's counters, in the order timing records list them (inv, sqrt: p256.ts)
    for (const k of ['mul', 'sqr', 'add', 'inv', 'sqrt']) ops[k + suffix] = 0;
    // n' = -N^-1 mod 2^24 by Newton iteration (each step doubles the correct low bits).
    const n0 = this.n[0];
    let x = 1;
    for (let i = 0; i < 5; i++) x = (x * (2 - ((n0 * x) & M24))) & M24;
    this.nInv = (B24 - x) & M24;
    this.fast = fast;
    this.t = new Float64Array(2 * NL);
    this.rb = new Float64Array(2 * NL - 1);
    this.rn = new Float64Array(2 * NL - 1);
    for (let j = 0; j < NL; j++) this.rn[2 * NL - 2 - j] = this.n[j];
    this.mm = new Float64Array(NL);
    this.tmp = fe();
    this.tmp2 = fe();
    this.tmp3 = fe();
    this.r2 = hexLimbs(r2Hex);
    this.zero = fe();
    this.one = fe();
    const raw1 = fe();
    raw1[0] = 1;
    this.mont(this.one, raw1, this.r2);
    this.canonInPlace(this.one);
    // c192 = 2^192 in Montgomery form: mont(hi, c192) = hi * 2^192 mod N, out of Montgomery form.
    const e192 = fe();
    e192[8] = 1;
    this.c192 = fe();
    this.mont(this.c192, e192, this.r2);
  }

  /** r = a * b * R^-1 mod N (r may alias a or b). */
  private mont(r: Fe, a: Fe, b: Fe): void {
    const fast = this.fast;
    if (fast !== null) {
      fast(r, a, b);
      return;
    }
    const t = this.t;
    const n = this.n;
    const conv = nativeConvolve;
    const rb = this.rb;
    if (nativesOnly || conv !== undefined) {
      // Product scanning (FIPS): column k holds a*b and m*N terms; one convolve each.
      const mm = this.mm;
      const rn = this.rn;
      const nInv = this.nInv;
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
    const nInv = this.nInv;
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
  }

  mul(r: Fe, a: Fe, b: Fe): void {
    this.ops[this.kMul]++;
    this.mont(r, a, b);
  }

  sqr(r: Fe, a: Fe): void {
    this.ops[this.kSqr]++;
    this.mont(r, a, a);
  }

  /** r = a squared k times */
  sqrN(r: Fe, a: Fe, k: number): void {
    this.sqr(r, a);
    for (let i = 1; i < k; i++) this.sqr(r, r);
  }

  // add/sub are straight-line: the interpreter pays per statement, and every point operation
  // has a dozen of them. Limb sums stay within int32, so >> 24 is the (floor) carry.

  /** r = a + b - q*N, q = floor((a + b) / 2^256) estimated from the top limbs: r < 2^258 */
  add(r: Fe, a: Fe, b: Fe): void {
    this.ops[this.kAdd]++;
    const n = this.n;
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
  }

  /** r = a - b + k*N with k = 8 - q, q estimated from the top limbs (the -1 keeps it from overshooting): 0 <= r < 2^258 */
  sub(r: Fe, a: Fe, b: Fe): void {
    this.ops[this.kAdd]++;
    const n = this.n;
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
  }

  /** r = k*a - q*N for a small k (2..16), one pass instead of k-1 additions: r < 2^258 */
  mulSmall(r: Fe, a: Fe, k: number): void {
    this.ops[this.kAdd]++;
    const n = this.n;
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
  }

  neg(r: Fe, a: Fe): void {
    this.sub(r, this.zero, a);
  }

  /** Reduce a normalized representative to [0, N) in place. */
  canonInPlace(a: Fe): void {
    const n = this.n;
    while (cmpLimbs(a, n) >= 0) {
      let c = 0;
      for (let i = 0; i < NL; i++) {
        const s = a[i] - n[i] + c;
        const lo = s & M24;
        a[i] = lo;
        c = (s - lo) * INV24;
      }
    }
  }

  isZero(a: Fe): boolean {
    const t = this.tmp;
    t.set(a);
    this.canonInPlace(t);
    for (let i = 0; i < NL; i++) if (t[i] !== 0) return false;
    return true;
  }

  eq(a: Fe, b: Fe): boolean {
    this.sub(this.tmp2, a, b);
    return this.isZero(this.tmp2);
  }

  /** Out of Montgomery form, canonical: r = a * R^-1 mod N in [0, N). */
  toRaw(r: Fe, a: Fe): void {
    const t = this.tmp;
    t.fill(0);
    t[0] = 1;
    this.mul(r, a, t);
    this.canonInPlace(r);
  }

  /** Into Montgomery form from any limbs value < 2^258. */
  fromRaw(r: Fe, a: Fe): void {
    this.mul(r, a, this.r2);
  }

  /** Parity of the canonical value (RFC 9380 sgn0 for prime fields). */
  sgn0(a: Fe): number {
    const t = this.tmp2;
    this.toRaw(t, a);
    return t[0] & 1;
  }

  setInt(r: Fe, v: number): void {
    const t = this.tmp;
    t.fill(0);
    t[0] = v;
    this.fromRaw(r, t);
  }

  /** Strict decode of 32 big-endian bytes: false (r untouched) unless the value is < N. */
  fromBytes(r: Fe, u8: Uint8Array, off: number): boolean {
    const t = this.tmp2;
    bytesToLimbs(t, u8, off, 32);
    if (cmpLimbs(t, this.n) >= 0) return false;
    this.fromRaw(r, t);
    return true;
  }

  /** 0 if the 32 bytes at off encode a value >= N, 1 if the value is 0, 2 if it is in [1, N). */
  classify(u8: Uint8Array, off: number): number {
    const t = this.tmp2;
    bytesToLimbs(t, u8, off, 32);
    if (cmpLimbs(t, this.n) >= 0) return 0;
    for (let i = 0; i < NL; i++) if (t[i] !== 0) return 2;
    return 1;
  }

  /** Any 32 bytes (value < 2^256) reduced mod N. */
  fromBytesMod(r: Fe, u8: Uint8Array, off: number): void {
    const t = this.tmp2;
    bytesToLimbs(t, u8, off, 32);
    this.fromRaw(r, t);
  }

  /**
   * 48 big-endian bytes reduced mod N into r (RFC 9380 hash_to_field, L = 48); returns the parity
   * of the value (sgn0), free because hi*2^192 + lo is formed canonically out of Montgomery form first.
   */
  fromBytes48(r: Fe, u8: Uint8Array, off: number): number {
    const hi = this.tmp2;
    const lo = this.tmp3;
    bytesToLimbs(hi, u8, off, 24);
    bytesToLimbs(lo, u8, off + 24, 24);
    this.mul(hi, hi, this.c192);
    this.add(hi, hi, lo);
    this.canonInPlace(hi);
    this.fromRaw(r, hi);
    return hi[0] & 1;
  }

  /** Canonical 32-byte big-endian encoding into out[off..off+32). */
  toBytes(a: Fe, out: Uint8Array, off: number): void {
    const t = this.tmp2;
    this.toRaw(t, a);
    for (let j = 0; j < 10; j++) {
      const v = t[j];
      out[off + 31 - 3 * j] = v & 255;
      out[off + 30 - 3 * j] = (v >> 8) & 255;
      out[off + 29 - 3 * j] = (v >> 16) & 255;
    }
    out[off + 1] = t[10] & 255;
    out[off] = (t[10] >> 8) & 255;
  }

  /** r = a^e, e big-endian bytes (e > 0), sliding window of up to 5 bits over odd powers (used mod n; mod p has addition chains). */
  powBytes(r: Fe, a: Fe, e: Uint8Array): void {
    const nb = e.length * 8;
    const bit = function (i: number): number {
      return (e[e.length - 1 - (i >> 3)] >> (i & 7)) & 1;
    };
    // odd powers a^1, a^3, ..., a^31
    const odd: Fe[] = [fe()];
    odd[0].set(a);
    const a2 = fe();
    this.sqr(a2, a);
    for (let i = 1; i < 16; i++) {
      const x = fe();
      this.mul(x, odd[i - 1], a2);
      odd.push(x);
    }
    const acc = fe();
    let started = false;
    let i = nb - 1;
    while (i >= 0) {
      if (bit(i) === 0) {
        if (started) this.sqr(acc, acc);
        i--;
        continue;
      }
      // window [i .. j] of at most 5 bits, ending in a set bit
      let j = i - 4 < 0 ? 0 : i - 4;
      while (bit(j) === 0) j++;
      let w = 0;
      for (let k = i; k >= j; k--) {
        w = w * 2 + bit(k);
        if (started) this.sqr(acc, acc);
      }
      if (started) this.mul(acc, acc, odd[w >> 1]);
      else acc.set(odd[w >> 1]);
      started = true;
      i = j - 1;
    }
    r.set(acc);
  }
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
