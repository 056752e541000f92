/**
 * Cross-check of the accelerated pairing-product check e(P1, Q1) = e(P2, Q2) (blst) against
 * noble's, on true and false instances and identity inputs, and across many G2 keys.
 */
import { describe, expect, it } from 'vitest';
import { getReferenceSuite, getSuite } from '../../suite.ts';
import { testRng } from './rng.ts';

describe('accelerated pairing check (BLS12-381)', () => {
  const fast = getSuite('BLS12381-SHA256');
  const ref = getReferenceSuite('BLS12381-SHA256');
  const fe = fast.pairing!;
  const re = ref.pairing!;
  const q = fast.order;
  const rng = testRng('pairing');

  it('agrees with noble on true and false random instances', () => {
    for (let i = 0; i < 8; i++) {
      const a = 1n + rng.scalar(q - 1n);
      const T = ref.hashToGroup(rng.bytes(32), ref.tokenDst);
      const A2 = re.mulB2(a);
      const Z = ref.mul(T, a);
      const wrong = i % 2 === 0 ? ref.mul(T, a + 1n) : Z.negate();
      for (const [P1, Q1, P2, Q2] of [
        [Z, re.B2, T, A2],
        [wrong, re.B2, T, A2],
        [T, A2, Z, re.B2],
        [Z, A2, T, re.B2],
      ] as const) {
        const expected = re.equal(P1, Q1, P2, Q2);
        expect(fe.equal(P1, Q1, P2, Q2)).toBe(expected);
      }
      expect(fe.equal(Z, re.B2, T, A2)).toBe(true);
      expect(fe.equal(wrong, re.B2, T, A2)).toBe(false);
    }
  });

  it('stays exact across more G2 keys than a key cache would hold', () => {
    const T = ref.hashToGroup(rng.bytes(32), ref.tokenDst);
    const keys = Array.from({ length: 70 }, (_, i) => ({ a: BigInt(i + 2), A2: re.mulB2(BigInt(i + 2)) }));
    for (let round = 0; round < 2; round++) {
      for (const { a, A2 } of keys) {
        const Z = fast.mul(T, a);
        expect(fe.equal(Z, fe.B2, T, A2)).toBe(true);
        expect(fe.equal(Z.add(T), fe.B2, T, A2)).toBe(false);
      }
    }
  });

  it('rejects identity inputs in G1 and G2, like noble', () => {
    const T = ref.hashToGroup(rng.bytes(32), ref.tokenDst);
    const O1 = ref.zero;
    const O2 = re.B2.subtract(re.B2);
    expect(O2.is0()).toBe(true);
    for (const [P1, Q1, P2, Q2] of [
      [O1, re.B2, T, re.B2],
      [T, O2, T, re.B2],
      [T, re.B2, O1, re.B2],
      [T, re.B2, T, O2],
    ] as const) {
      expect(() => re.equal(P1, Q1, P2, Q2)).toThrow();
      expect(() => fe.equal(P1, Q1, P2, Q2)).toThrow();
    }
  });

  it('agrees with noble on decoded G2 keys (fresh objects) and projective G1 inputs', () => {
    const a = 1n + rng.scalar(q - 1n);
    const A2bytes = re.encodeG2(re.mulB2(a));
    const T = ref.hashToGroup(rng.bytes(32), ref.tokenDst);
    const Zp = ref.mul(T, a).add(ref.B).subtract(ref.B); // Z ≠ 1
    for (let i = 0; i < 3; i++) {
      const A2 = fe.decodeG2(A2bytes);
      expect(fe.equal(Zp, fe.B2, T, A2)).toBe(true);
      expect(fe.equal(Zp.double(), fe.B2, T, A2)).toBe(false);
    }
  });
});
