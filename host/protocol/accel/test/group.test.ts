/**
 * Cross-check of the accelerated group operations (mcl-wasm, OpenSSL fixed base) against the
 * noble reference suite, on random and edge inputs: scalars 0, 1, 2, q−2, q−1; identity inputs;
 * non-normalized (projective Z ≠ 1) inputs; cancelling sums; the generator B.
 */
import { describe, expect, it } from 'vitest';
import { getReferenceSuite, getSuite, SUITE_IDS, type Point, type Suite } from '../../suite.ts';
import { mulBaseP256 } from '../p256.ts';
import { testRng } from './rng.ts';

function expectSamePoint(suite: Suite, actual: Point, expected: Point): void {
  expect(actual.is0()).toBe(expected.is0());
  if (expected.is0()) return;
  expect(actual.equals(expected)).toBe(true);
  actual.assertValidity();
  expect(Buffer.from(suite.encodePoint(actual)).toString('hex')).toBe(Buffer.from(suite.encodePoint(expected)).toString('hex'));
}

describe.each(SUITE_IDS)('accelerated group ops, %s', (id) => {
  const fast = getSuite(id);
  const ref = getReferenceSuite(id);
  const q = fast.order;
  const rng = testRng(`group-${id}`);
  const randomPoint = (): Point => ref.mul(ref.B, 1n + rng.scalar(q - 1n));
  /** Random-case counts: noble's BLS12-381 reference is the slow side of each comparison. */
  const N = id === 'P256-SHA256' ? 300 : 150;
  const edgeScalars = [0n, 1n, 2n, 3n, q - 2n, q - 1n, q >> 1n, (q >> 1n) + 1n];

  it('mul agrees with noble on random (point, scalar) pairs', () => {
    for (let i = 0; i < N; i++) {
      const P = randomPoint();
      const k = rng.scalar(q);
      expectSamePoint(fast, fast.mul(P, k), ref.mul(P, k));
    }
  });

  it('mul agrees on edge scalars, identity, B and non-normalized inputs', () => {
    const P = randomPoint();
    const inputs = [P, P.double().add(fast.B), fast.B, fast.B.double(), fast.B.negate(), fast.zero];
    expect(inputs[1]!.Z).not.toBe(1n); // a projective input really is exercised
    for (const X of inputs) {
      for (const k of edgeScalars) expectSamePoint(fast, fast.mul(X, k), X.is0() ? fast.zero : ref.mul(X, k));
    }
    // k·P + (q−k)·P = identity
    const k = rng.scalar(q);
    expect(fast.mul(P, k).add(fast.mul(P, q - k)).is0()).toBe(true);
  });

  it('mul of B agrees with noble on random scalars', () => {
    for (let i = 0; i < N; i++) {
      const k = rng.scalar(q);
      expectSamePoint(fast, fast.mul(fast.B, k), ref.mul(ref.B, k));
    }
  });

  it('mul through the fixed-base table (a point object multiplied many times) agrees with noble', () => {
    const P = randomPoint();
    const digitEdges = [1n, 255n, 256n, 257n, 1n << 248n, (1n << 248n) * 255n % q, 0xff00ff00ff00ff00ffn, q - 1n, q - 256n];
    for (let i = 0; i < 80; i++) {
      const k = i < 2 * digitEdges.length ? digitEdges[i % digitEdges.length]! : rng.scalar(q);
      expectSamePoint(fast, fast.mul(P, k), ref.mul(P, k));
    }
    expectSamePoint(fast, fast.mul(P, 0n), fast.zero);
    // small msms mixing the tabled point, B and a fresh point (term by term), and a large one (mulVec)
    for (let i = 0; i < 12; i++) {
      const Q = randomPoint();
      const terms: [Point[], bigint[]][] = [
        [[fast.B, P], [rng.scalar(q), rng.scalar(q)]],
        [[P, Q, fast.B], [rng.scalar(q), rng.scalar(q), i === 0 ? 0n : rng.scalar(q)]],
        [[Q, Q.negate(), P, P], [5n, 5n, q - 1n, 1n]],
        [[P, Q, fast.B, Q, P, fast.zero], [rng.scalar(q), rng.scalar(q), rng.scalar(q), 1n, q - 1n, 7n]],
      ];
      for (const [pts, ks] of terms) expectSamePoint(fast, fast.msm(pts, ks), ref.msm(pts, ks));
    }
    // more tables than the cache keeps: evicted ones are rebuilt, results stay exact
    const many = Array.from({ length: 10 }, randomPoint);
    for (let round = 0; round < 2; round++) {
      for (const X of many) {
        for (let i = 0; i < 9; i++) fast.mul(X, 1n + BigInt(i));
        const k = rng.scalar(q);
        expectSamePoint(fast, fast.mul(X, k), ref.mul(X, k));
      }
    }
  });

  it('mul rejects scalars outside [0, q), like the reference', () => {
    const P = randomPoint();
    for (const bad of [q, q + 1n, -1n]) {
      expect(() => ref.mul(P, bad)).toThrow();
      expect(() => fast.mul(P, bad)).toThrow(RangeError);
      expect(() => fast.mul(fast.B, bad)).toThrow(RangeError);
    }
  });

  it('sum agrees with noble on random multisets (identities, duplicates, cancellations, projective inputs)', () => {
    const pool = Array.from({ length: 24 }, randomPoint);
    for (let i = 0; i < N / 2; i++) {
      const n = rng.int(18);
      const pts: Point[] = [];
      for (let j = 0; j < n; j++) {
        const r = rng.int(10);
        const P = pool[rng.int(pool.length)]!;
        if (r === 0) pts.push(fast.zero);
        else if (r === 1 && pts.length > 0) pts.push(pts[pts.length - 1]!.negate());
        else if (r === 2) pts.push(P.add(fast.B)); // Z ≠ 1
        else pts.push(P);
      }
      expectSamePoint(fast, fast.sum(pts), ref.sum(pts));
    }
    expectSamePoint(fast, fast.sum([]), fast.zero);
    const P = pool[0]!;
    expectSamePoint(fast, fast.sum([P, P.negate()]), fast.zero);
    expectSamePoint(fast, fast.sum([P, P]), P.double());
  });

  it('sum of 2,000 points equals the noble sum', () => {
    const base = Array.from({ length: 40 }, randomPoint);
    const pts = Array.from({ length: 2000 }, (_, i) => base[i % base.length]!);
    expectSamePoint(fast, fast.sum(pts), ref.sum(pts));
  });

  it('msm agrees with noble on random instances incl. edge scalars and identities', () => {
    const pool = [...Array.from({ length: 12 }, randomPoint), fast.B, fast.zero];
    for (let i = 0; i < N / 3; i++) {
      const n = rng.int(6);
      const pts = Array.from({ length: n }, () => pool[rng.int(pool.length)]!);
      const ks = pts.map(() => (rng.int(3) === 0 ? edgeScalars[rng.int(edgeScalars.length)]! : rng.scalar(q)));
      expectSamePoint(fast, fast.msm(pts, ks), ref.msm(pts, ks));
    }
    const P = pool[0]!;
    expectSamePoint(fast, fast.msm([P, P], [1n, q - 1n]), fast.zero);
    expect(() => fast.msm([P], [1n, 2n])).toThrow(RangeError);
    expect(() => fast.msm([P], [q])).toThrow(RangeError);
  });
});

describe('OpenSSL fixed-base k·B (P-256)', () => {
  const ref = getReferenceSuite('P256-SHA256');
  const q = ref.order;
  it('agrees with noble on edge scalars', () => {
    for (const k of [1n, 2n, 3n, q - 1n, q - 2n, 0xffffffffn, 1n << 255n]) {
      expect(mulBaseP256(k).equals(ref.mul(ref.B, k))).toBe(true);
    }
    expect(mulBaseP256(0n).is0()).toBe(true);
  });
});
