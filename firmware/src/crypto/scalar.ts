// Scalar multiplication on P-256.
//
// Fixed base: 8-tooth combs with tooth spacing 32. Comb entry j (1..255) is the affine point
// sum over the set bits t of j of 2^(32t)·P; k·P is then 31 doublings and <= 32 mixed
// additions. A comb is 255 x 22 limbs (x then y, canonical Montgomery form), stored as
// little-endian u32: 22,440 bytes, which the board can keep in a flash Storage file.
// A table of v combs (v = 1, 2, 4), comb c built on 2^(32c/v)·P, takes the columns 32c/v + i:
// k·P is 32/v - 1 doublings and <= 32 additions (the base table has v = 4: 7 doublings).
// Variable base (keys without a table): 4-bit window, ~252 doublings + 64 additions.
// Scalars are 32-byte big-endian; any value < 2^256 works (k and k mod n give the same point).
// The products are made on demand (multipliers()): the board needs them at boot and when a period
// opens and closes, never per token, and module-level functions would hold their variables (and
// "ram" copies) all the time.

import { batchInvert, fe, type Fe } from './field.ts';
import { nativesOnly } from './native.ts';
import { Fp, fpInv } from './p256.ts';
import { Point, pointAddAffine, pointAddTo, pointCopy, pointDouble } from './point.ts';

const TEETH = 8;
const SPACING = 32;
const ENTRIES = 255;
const ENTRY = 22;
export const COMB_TABLE_BYTES = ENTRIES * ENTRY * 4;

/** Points normalized per batch when building a table (bounds the RAM used besides the table). */
const BATCH = 16;

/**
 * Table of v combs of a point (see above), as limbs. Each comb is built tooth by tooth:
 * entry 2^t + j = entry j + 2^(32t)·P, so each tooth's entries only need earlier ones; they are
 * made affine BATCH at a time with one inversion (Montgomery's trick), so besides the 22 KB
 * per comb only ~BATCH points are live (a board has a few thousand variables).
 * Cost ~11,500 field multiplications per comb (~3 s on the interpreter), once per key.
 */
export function combTable(p: Point, v: number): Uint32Array {
  if (p.inf) throw new Error('comb: point at infinity');
  const out = new Uint32Array(v * ENTRIES * ENTRY);
  const start = new Point();
  pointCopy(start, p);
  const base = new Point();
  const pts: Point[] = [];
  for (let c = 0; c < BATCH; c++) pts.push(new Point());
  const zi2 = fe();
  const x = fe();
  const y = fe();
  const m = multipliers();
  for (let ct = 0; ct < v * TEETH; ct++) {
    const t = ct % TEETH;
    const c0 = (ct - t) / TEETH * ENTRIES; // first entry of comb ct / TEETH, built on 2^(32 ct / (TEETH v))·P
    if (t === 0) {
      if (ct > 0) for (let i = 0; i < SPACING / v; i++) pointDouble(start, start);
      pointCopy(base, start);
    } else {
      for (let i = 0; i < SPACING; i++) pointDouble(base, base);
    }
    const hi = 1 << t;
    for (let j0 = 0; j0 < hi; j0 += BATCH) {
      const cnt = hi - j0 < BATCH ? hi - j0 : BATCH;
      const zs: Fe[] = [];
      for (let c = 0; c < cnt; c++) {
        const j = j0 + c;
        if (j === 0) {
          pointCopy(pts[c], base);
        } else {
          m.combEntry(out, c0 + j, x, y);
          pointAddAffine(pts[c], base, x, y);
        }
        if (pts[c].inf) throw new Error('comb: degenerate point');
        zs.push(pts[c].z);
      }
      batchInvert(Fp, fpInv, zs); // each pts[c].z is 1/Z now
      for (let c = 0; c < cnt; c++) {
        const zi = pts[c].z;
        Fp.sqr(zi2, zi);
        Fp.mul(x, pts[c].x, zi2);
        Fp.mul(zi2, zi2, zi);
        Fp.mul(y, pts[c].y, zi2);
        Fp.canonInPlace(x);
        Fp.canonInPlace(y);
        const o = (c0 + hi + j0 + c - 1) * ENTRY;
        for (let i = 0; i < 11; i++) {
          out[o + i] = x[i];
          out[o + 11 + i] = y[i];
        }
      }
    }
  }
  return out;
}

/**
 * Typed arrays use the platform's byte order; the serialized tables are little-endian. Every
 * runtime of the flashed bundle is (Espruino's ARM, ESP32 and Linux builds; WebAssembly for the
 * virtual board), so there it is a constant and the big-endian copy drops out (nativesOnly).
 */
const LITTLE_ENDIAN = nativesOnly || new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Serialize a comb table (little-endian u32 limbs); a view, not a copy, on little-endian platforms (the board's RAM is scarce). */
export function combTableToBytes(t: Uint32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(t.buffer, t.byteOffset, t.length * 4);
  const out = new Uint8Array(t.length * 4);
  for (let i = 0; i < t.length; i++) {
    const v = t[i];
    out[4 * i] = v & 255;
    out[4 * i + 1] = (v >> 8) & 255;
    out[4 * i + 2] = (v >> 16) & 255;
    out[4 * i + 3] = (v >>> 24) & 255;
  }
  return out;
}

/** Limbs of serialized table bytes (v combs): a view when aligned on a little-endian platform (the board maps flash this way), else a copy. */
export function combTableFromBytes(u8: Uint8Array, v: number): Uint32Array {
  if (!(u8 instanceof Uint8Array) || u8.length !== v * COMB_TABLE_BYTES) throw new Error('comb: bad table length');
  if (LITTLE_ENDIAN && u8.byteOffset % 4 === 0) return new Uint32Array(u8.buffer, u8.byteOffset, u8.length / 4);
  const t = new Uint32Array(u8.length / 4);
  for (let i = 0; i < t.length; i++) {
    t[i] = u8[4 * i] + u8[4 * i + 1] * 256 + u8[4 * i + 2] * 65536 + u8[4 * i + 3] * 16777216;
  }
  return t;
}

/** Products with a point (see the top of this file), made by multipliers(). */
export interface Multipliers {
  /** r = k·P, P given by its comb table t of v combs: 32/v - 1 doublings, <= 32 additions. */
  combMul(r: Point, k: Uint8Array, t: Uint32Array): void;
  /** r = k·P for any P: 4-bit fixed window over Jacobian multiples 1P..15P. */
  mulVar(r: Point, p: Point, k: Uint8Array): void;
  /** x, y = entry j of table t (comb c's entries are c·255 + 1..255) */
  combEntry(t: Uint32Array, j: number, x: Fe, y: Fe): void;
}

/**
 * The products, made for each use and dropped after it: a function defined at module level holds
 * 5 of the board's variables + 1 per parameter (+ its "ram" copy) for good, a nested one only
 * while its maker's result is referenced. Making them costs parsing 4 small functions.
 */
export function multipliers(): Multipliers {
  const ex = fe();
  const ey = fe();

  function combEntry(t: Uint32Array, j: number, x: Fe, y: Fe): void {
    'ram';
    const o = (j - 1) * ENTRY;
    for (let i = 0; i < 11; i++) {
      x[i] = t[o + i];
      y[i] = t[o + 11 + i];
    }
  }

  /** comb column i of scalar k: bit (32t + i) of k as bit t (a loop: ~1 ms more per product on the board than unrolled, 85 B less code) */
  function combIndex(k: Uint8Array, i: number): number {
    'ram';
    const sh = i & 7;
    const b = 31 - (i >> 3);
    let j = 0;
    for (let t = 7; t >= 0; t--) j = j * 2 + ((k[b - 4 * t] >> sh) & 1);
    return j;
  }

  function combMul(r: Point, k: Uint8Array, t: Uint32Array): void {
    'ram';
    const v = t.length / (ENTRIES * ENTRY);
    r.inf = true;
    for (let i = SPACING / v - 1; i >= 0; i--) {
      pointDouble(r, r);
      for (let c = 0; c < v; c++) {
        const j = combIndex(k, (c * SPACING) / v + i);
        if (j !== 0) {
          combEntry(t, c * ENTRIES + j, ex, ey);
          pointAddAffine(r, r, ex, ey);
        }
      }
    }
  }

  function mulVar(r: Point, p: Point, k: Uint8Array): void {
    'ram';
    const tbl: Point[] = [];
    const p1 = new Point();
    pointCopy(p1, p);
    tbl.push(p1);
    for (let i = 2; i <= 15; i++) {
      const q = new Point();
      if (i === 2) pointDouble(q, p1);
      else pointAddTo(q, tbl[i - 2], p1);
      tbl.push(q);
    }
    r.inf = true;
    for (let i = 0; i < 32; i++) {
      for (let h = 4; h >= 0; h -= 4) {
        for (let d = 0; d < 4; d++) pointDouble(r, r);
        const w = (k[i] >> h) & 15;
        if (w !== 0) pointAddTo(r, r, tbl[w - 1]);
      }
    }
  }

  return { combMul, mulVar, combEntry };
}
