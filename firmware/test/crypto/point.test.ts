// P-256 point arithmetic, scalar multiplication and SEC1 encoding against @noble/curves.
import { p256 } from '@noble/curves/nist.js';
import { describe, expect, it } from 'vitest';
import {
  BASE_TABLE_BYTES, COMB_TABLE_BYTES, baseTableBytes, mulBase, mulPoint, pointAdd, pointDecode, pointEncode, pointEqual, pointNeg,
  pointZero, setBaseTable, type Point,
} from '../../src/crypto/index.ts';
import { Point as JPoint, generator } from '../../src/crypto/point.ts';
import { combTable, multipliers } from '../../src/crypto/scalar.ts';
import { N, P, hex, randBelow, randBytes, toBytes32, unhex } from './helpers.ts';

const G = p256.Point.BASE;
const nobleEnc = (k: bigint) => hex(G.multiply(k).toBytes(true));
const enc = (p: Point) => hex(pointEncode(p));

describe('scalar multiplication', () => {
  it('mulBase matches noble on edge scalars (0, 1, n-1, byte and limb boundaries); n and above are rejected', () => {
    expect(pointEqual(mulBase(toBytes32(0n)), pointZero())).toBe(true);
    expect(() => pointEncode(mulBase(toBytes32(0n)))).toThrow();
    for (const bad of [N, N + 1n, (1n << 256n) - 1n]) {
      expect(() => mulBase(toBytes32(bad))).toThrow();
      expect(() => mulPoint(mulBase(toBytes32(1n)), toBytes32(bad))).toThrow();
    }
    expect(() => mulBase(new Uint8Array(31))).toThrow();
    const ks: bigint[] = [1n, 2n, 3n, N - 1n, N - 2n, (N - 1n) / 2n];
    for (let k = 1; k < 32; k++) ks.push((1n << BigInt(8 * k)) - 1n, 1n << BigInt(8 * k));
    for (let k = 1; k <= 10; k++) ks.push((1n << BigInt(24 * k)) - 1n);
    for (let t = 0; t < 8; t++) ks.push(1n << BigInt(32 * t), ((1n << 32n) - 1n) << BigInt(32 * t));
    for (const k of ks) if (k < N) expect(enc(mulBase(toBytes32(k)))).toBe(nobleEnc(k));
  });

  it('mulBase matches noble on 600 random scalars', () => {
    for (let i = 0; i < 600; i++) {
      const k = randBelow('mulbase', i, N - 1n) + 1n;
      expect(enc(mulBase(toBytes32(k)))).toBe(nobleEnc(k));
    }
  });

  it('mulPoint matches noble on 60 random points and scalars, including 0, 1 and n-1', () => {
    for (let i = 0; i < 60; i++) {
      const a = randBelow('mpa', i, N - 1n) + 1n;
      const k = i === 0 ? 0n : i === 1 ? 1n : i === 2 ? N - 1n : randBelow('mpk', i, N);
      const Pt = mulBase(toBytes32(a));
      const R = mulPoint(Pt, toBytes32(k));
      if (k === 0n) expect(() => pointEncode(R)).toThrow();
      else expect(enc(R)).toBe(hex(G.multiply(a).multiply(k).toBytes(true)));
    }
  });
});

describe('point addition', () => {
  it('pointAdd matches noble along a 2000-step chain of Jacobian sums (ever-changing Z)', () => {
    let A = mulBase(toBytes32(randBelow('pa', 0, N)));
    let B = mulBase(toBytes32(randBelow('pb', 0, N)));
    let nA = p256.Point.fromBytes(pointEncode(A));
    let nB = p256.Point.fromBytes(pointEncode(B));
    for (let i = 0; i < 2000; i++) {
      if (i % 3 === 2) {
        B = pointAdd(B, A);
        nB = nB.add(nA);
      } else {
        A = pointAdd(A, B);
        nA = nA.add(nB);
      }
      if (i % 4 === 0) expect(enc(A) + enc(B)).toBe(hex(nA.toBytes(true)) + hex(nB.toBytes(true)));
    }
    expect(enc(A)).toBe(hex(nA.toBytes(true)));
  });

  it('handles P + P (doubling), P + (-P), and the point at infinity on either side', () => {
    for (let i = 0; i < 50; i++) {
      const a = randBelow('pp', i, N - 1n) + 1n;
      const A = mulBase(toBytes32(a));
      const A2 = mulPoint(A, toBytes32(1n)); // same point, different Jacobian representation
      expect(enc(pointAdd(A, A2))).toBe(nobleEnc((2n * a) % N));
      expect(enc(pointAdd(A, A))).toBe(nobleEnc((2n * a) % N));
      const Z = pointAdd(A, pointNeg(A2));
      expect(() => pointEncode(Z)).toThrow();
      expect(pointEqual(Z, pointZero())).toBe(true);
      expect(enc(pointAdd(pointZero(), A))).toBe(nobleEnc(a));
      expect(enc(pointAdd(A, pointZero()))).toBe(nobleEnc(a));
      expect(enc(pointNeg(A))).toBe(hex(G.multiply(a).negate().toBytes(true)));
      expect(pointEqual(A, A2)).toBe(true);
      expect(pointEqual(A, pointNeg(A))).toBe(false);
      expect(pointEqual(A, pointZero())).toBe(false);
    }
    expect(pointEqual(pointAdd(pointZero(), pointZero()), pointZero())).toBe(true);
    expect(() => pointEncode(pointZero())).toThrow();
  });
});

describe('SEC1 compressed encoding', () => {
  it('decodes noble encodings of 500 random points and re-encodes them identically', () => {
    for (let i = 0; i < 500; i++) {
      const bytes = G.multiply(randBelow('dec', i, N - 1n) + 1n).toBytes(true);
      const Pt = pointDecode(bytes);
      expect(hex(pointEncode(Pt))).toBe(hex(bytes));
    }
  });

  it('rejects wrong length, prefix, x >= p, x off the curve and the identity', () => {
    const good = G.toBytes(true);
    expect(() => pointDecode(good.subarray(0, 32))).toThrow();
    expect(() => pointDecode(new Uint8Array([...good, 0]))).toThrow();
    expect(() => pointDecode(G.toBytes(false))).toThrow();
    expect(() => pointDecode(new Uint8Array([0]))).toThrow();
    for (const pre of [0, 1, 4, 5, 0x82]) {
      const b = new Uint8Array(good);
      b[0] = pre;
      expect(() => pointDecode(b)).toThrow();
    }
    for (const x of [P, P + 1n, (1n << 256n) - 1n]) {
      expect(() => pointDecode(new Uint8Array([2, ...toBytes32(x)]))).toThrow();
    }
    // about half of all x have no point: every one noble rejects must be rejected here too
    let offCurve = 0;
    for (let i = 0; i < 60; i++) {
      const b = new Uint8Array([2 + (i & 1), ...randBytes('offc', i, 32)]);
      let nobleOk = true;
      try { p256.Point.fromBytes(b); } catch { nobleOk = false; }
      if (!nobleOk) offCurve++;
      if (nobleOk) expect(hex(pointEncode(pointDecode(b)))).toBe(hex(b));
      else expect(() => pointDecode(b)).toThrow();
    }
    expect(offCurve).toBeGreaterThan(10);
  });
});

describe('base comb table (flash copy)', () => {
  it('installs the generated table; rejects a corrupted or truncated one', () => {
    const t = baseTableBytes();
    expect(t.length).toBe(BASE_TABLE_BYTES);
    expect(BASE_TABLE_BYTES).toBe(4 * COMB_TABLE_BYTES);
    setBaseTable(t);
    // an unaligned copy is accepted as well (copied into aligned limbs)
    const buf = new Uint8Array(t.length + 1);
    buf.set(t, 1);
    setBaseTable(buf.subarray(1));
    expect(enc(mulBase(toBytes32(12345n)))).toBe(nobleEnc(12345n));
    const bad = new Uint8Array(t);
    bad[1000] ^= 1;
    expect(() => setBaseTable(bad)).toThrow();
    expect(() => setBaseTable(t.subarray(0, t.length - 4))).toThrow();
    expect(enc(mulBase(unhex('00'.repeat(31) + '05')))).toBe(nobleEnc(5n));
  });
});

describe('comb tables of 1, 2 and 4 combs', () => {
  it('k·P matches noble for every comb count, on B and on another point (edge and random scalars)', () => {
    const q = 0x1234567890abcdefn * 977n + 5n;
    const Q = mulBase(toBytes32(q));
    const tablesB = [1, 2, 4].map((v) => combTable(generator(), v));
    const tablesQ = [1, 2, 4].map((v) => combTable(Q as JPoint, v));
    const { combMul } = multipliers();
    tablesB.forEach((t, i) => expect(t.length).toBe([1, 2, 4][i] * (COMB_TABLE_BYTES / 4)));
    const ks: bigint[] = [1n, 2n, N - 1n, (1n << 128n) - 1n, 1n << 128n, 1n << 16n, (1n << 16n) - 1n, 1n << 255n];
    for (let c = 0; c < 32; c++) ks.push(0x0101010101010101010101010101010101010101010101010101010101010101n << BigInt(c % 8) >> 0n);
    for (let i = 0; i < 12; i++) ks.push(randBelow('combv', i, N - 1n) + 1n);
    const QN = G.multiply(q);
    for (let i = 0; i < ks.length; i++) {
      const k = ks[i] % N;
      if (k === 0n) continue;
      for (let a = 0; a < 3; a++) {
        const r = new JPoint();
        combMul(r, toBytes32(k), tablesB[a]);
        expect(`${i}/${a}:` + enc(r)).toBe(`${i}/${a}:` + nobleEnc(k));
        const rq = new JPoint();
        combMul(rq, toBytes32(k), tablesQ[a]);
        expect(`${i}/${a}:` + enc(rq)).toBe(`${i}/${a}:` + hex(QN.multiply(k).toBytes(true)));
      }
    }
  });
});
