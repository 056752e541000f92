// Scalar multiplication on P-256.
//
// Fixed base: an 8-tooth comb with spacing 32. Table entry j (1..255) is the affine point
// sum over the set bits t of j of 2^(32t)·P; k·P is then 31 doublings and <= 32 mixed
// additions. A table is 255 x 22 limbs (x then y, canonical Montgomery form), stored as
// little-endian u32: 22,440 bytes, which the board can keep in a flash Storage file.
// Two tables interleave (u1·B + u2·Q shares the doublings), so verifying under the meter's
// own key is fixed-base too.
// Variable base (keys without a table): 4-bit window, ~252 doublings + 64 additions.
// Scalars are 32-byte big-endian; any value < 2^256 works (k and k mod n give the same point).

import { fe } from './field.ts';
import { Fp, fpInv } from './p256.ts';
import { Point, pointAddAffine, pointAddTo, pointCopy, pointDouble } from './point.ts';

const TEETH = 8;
const SPACING = 32;
const ENTRIES = 255;
const ENTRY = 22;
export const COMB_TABLE_BYTES = ENTRIES * ENTRY * 4;

/** Comb table of a point (255 affine multiples, see above), as limbs. */
export function combTable(p: Point): Uint32Array {
  if (p.inf) throw new Error('comb: point at infinity');
  const pts: Point[] = [];
  const base = new Point();
  pointCopy(base, p);
  // pts[j - 1] = entry j; entries with one bit are 2^(32t)·P
  for (let j = 1; j <= ENTRIES; j++) pts.push(new Point());
  for (let t = 0; t < TEETH; t++) {
    if (t > 0) for (let i = 0; i < SPACING; i++) pointDouble(base, base);
    const hi = 1 << t;
    pointCopy(pts[hi - 1], base);
    for (let j = 1; j < hi; j++) pointAddTo(pts[hi + j - 1], pts[j - 1], base);
  }
  // Batch normalization: one inversion for all 255 points (Montgomery's trick).
  const prefix: Float64Array[] = [];
  const acc = fe();
  acc.set(pts[0].z);
  prefix.push(fe());
  prefix[0].set(acc);
  for (let j = 1; j < ENTRIES; j++) {
    Fp.mul(acc, acc, pts[j].z);
    const c = fe();
    c.set(acc);
    prefix.push(c);
  }
  const inv = fe();
  fpInv(inv, acc);
  const zi = fe();
  const zi2 = fe();
  const x = fe();
  const y = fe();
  const out = new Uint32Array(ENTRIES * ENTRY);
  for (let j = ENTRIES - 1; j >= 0; j--) {
    if (j > 0) {
      Fp.mul(zi, inv, prefix[j - 1]);
      Fp.mul(inv, inv, pts[j].z);
    } else {
      zi.set(inv);
    }
    Fp.sqr(zi2, zi);
    Fp.mul(x, pts[j].x, zi2);
    Fp.mul(zi2, zi2, zi);
    Fp.mul(y, pts[j].y, zi2);
    Fp.canonInPlace(x);
    Fp.canonInPlace(y);
    for (let i = 0; i < 11; i++) {
      out[j * ENTRY + i] = x[i];
      out[j * ENTRY + 11 + i] = y[i];
    }
  }
  return out;
}

/** Serialize a comb table (little-endian u32 limbs). */
export function combTableToBytes(t: Uint32Array): Uint8Array {
  const out = new Uint8Array(COMB_TABLE_BYTES);
  for (let i = 0; i < t.length; i++) {
    const v = t[i];
    out[4 * i] = v & 255;
    out[4 * i + 1] = (v >> 8) & 255;
    out[4 * i + 2] = (v >> 16) & 255;
    out[4 * i + 3] = (v >>> 24) & 255;
  }
  return out;
}

/** Limbs view of serialized table bytes (no copy when aligned; the board maps flash this way). */
export function combTableFromBytes(u8: Uint8Array): Uint32Array {
  if (!(u8 instanceof Uint8Array) || u8.length !== COMB_TABLE_BYTES) throw new Error('comb: bad table length');
  if (u8.byteOffset % 4 === 0) return new Uint32Array(u8.buffer, u8.byteOffset, COMB_TABLE_BYTES / 4);
  const t = new Uint32Array(COMB_TABLE_BYTES / 4);
  for (let i = 0; i < t.length; i++) {
    t[i] = u8[4 * i] + u8[4 * i + 1] * 256 + u8[4 * i + 2] * 65536 + u8[4 * i + 3] * 16777216;
  }
  return t;
}

const ex = fe();
const ey = fe();

/** ex, ey = entry j (1..255) of table t */
export function combEntry(t: Uint32Array, j: number): void {
  const o = (j - 1) * ENTRY;
  for (let i = 0; i < 11; i++) {
    ex[i] = t[o + i];
    ey[i] = t[o + 11 + i];
  }
}

/** comb column i of scalar k: bit (32t + i) of k as bit t */
function combIndex(k: Uint8Array, i: number): number {
  const sh = i & 7;
  const b = 31 - (i >> 3);
  return (
    ((k[b] >> sh) & 1) |
    (((k[b - 4] >> sh) & 1) << 1) |
    (((k[b - 8] >> sh) & 1) << 2) |
    (((k[b - 12] >> sh) & 1) << 3) |
    (((k[b - 16] >> sh) & 1) << 4) |
    (((k[b - 20] >> sh) & 1) << 5) |
    (((k[b - 24] >> sh) & 1) << 6) |
    (((k[b - 28] >> sh) & 1) << 7)
  );
}

/** r = k1·P1 (+ k2·P2 when t2 is given), P1, P2 given by their comb tables. */
export function combMul(r: Point, k1: Uint8Array, t1: Uint32Array, k2: Uint8Array | null, t2: Uint32Array | null): void {
  r.inf = true;
  for (let i = SPACING - 1; i >= 0; i--) {
    pointDouble(r, r);
    const j1 = combIndex(k1, i);
    if (j1 !== 0) {
      combEntry(t1, j1);
      pointAddAffine(r, r, ex, ey);
    }
    if (k2 !== null && t2 !== null) {
      const j2 = combIndex(k2, i);
      if (j2 !== 0) {
        combEntry(t2, j2);
        pointAddAffine(r, r, ex, ey);
      }
    }
  }
}

/** r = k·P for any P: 4-bit fixed window over Jacobian multiples 1P..15P. */
export function mulVar(r: Point, p: Point, k: Uint8Array): void {
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
