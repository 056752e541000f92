/**
 * Cross-check of the accelerated hash_to_curve (P-256: SSWU on mcl's field; BLS12-381 G1: blst)
 * against noble and the RFC 9380 vectors, incl. the SSWU exceptional case u = 0
 * and DSTs of every shape (empty, 255/256 bytes and longer, non-ASCII: those fall back to noble).
 */
import { describe, expect, it } from 'vitest';
import { p256, p256_hasher } from '@noble/curves/nist.js';
import { RFC9380_BLS12381G1, RFC9380_P256 } from '../../../vectors/rfc9380.ts';
import { getReferenceSuite, getSuite, SUITE_IDS, type Point } from '../../suite.ts';
import { sswuP256 } from '../p256.ts';
import { testRng } from './rng.ts';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe.each(SUITE_IDS)('accelerated hash_to_curve, %s', (id) => {
  const fast = getSuite(id);
  const ref = getReferenceSuite(id);
  const rng = testRng(`hash-${id}`);
  const N = id === 'P256-SHA256' ? 1500 : 400;

  it('matches the RFC 9380 vectors', () => {
    const set = id === 'P256-SHA256' ? RFC9380_P256 : RFC9380_BLS12381G1;
    for (const v of set.vectors) {
      const { x, y } = fast.hashToGroup(utf8(v.msg), set.dst).toAffine();
      expect(x.toString(16).padStart(v.x.length, '0')).toBe(v.x);
      expect(y.toString(16).padStart(v.y.length, '0')).toBe(v.y);
    }
  });

  it('agrees with noble on random messages under the token DST', () => {
    for (let i = 0; i < N; i++) {
      const msg = rng.bytes(rng.int(80));
      const P = fast.hashToGroup(msg, fast.tokenDst);
      expect(P.Z).toBe(1n); // returned normalized: encoding it costs no inversion
      P.assertValidity();
      expect(P.equals(ref.hashToGroup(msg, ref.tokenDst))).toBe(true);
    }
  });

  it('agrees with noble (or throws alike) for DSTs of every shape', () => {
    const dsts = ['x', 'A'.repeat(255), 'B'.repeat(256), 'C'.repeat(1000), 'ünïcode', ''];
    for (const dst of dsts) {
      for (const msg of [new Uint8Array(0), utf8('abc'), rng.bytes(200)]) {
        let expected: string | undefined;
        try {
          expected = ref.hashToGroup(msg, dst).toHex(true);
        } catch {
          expected = undefined;
        }
        if (expected === undefined) expect(() => fast.hashToGroup(msg, dst)).toThrow();
        else expect(fast.hashToGroup(msg, dst).toHex(true)).toBe(expected);
      }
    }
  });
});

describe('P-256 simplified SWU map', () => {
  const Fp = p256.Point.Fp;
  const rng = testRng('sswu');
  it('agrees with noble map_to_curve on edge and random field elements (both branches)', () => {
    const us = [0n, 1n, 2n, Fp.ORDER - 1n, Fp.ORDER - 2n, ...Array.from({ length: 500 }, () => rng.scalar(Fp.ORDER))];
    let firstBranch = 0;
    for (const u of us) {
      const a = sswuP256(u);
      const b = (p256_hasher.mapToCurve as unknown as (u: bigint) => Point).call(p256_hasher, u).toAffine();
      expect(a).toEqual(b);
      const Z = Fp.neg(10n);
      const tv1 = Fp.add(Fp.mul(Fp.sqr(Z), Fp.pow(u, 4n)), Fp.mul(Z, Fp.sqr(u)));
      const x1 = tv1 === 0n ? Fp.div(p256.Point.CURVE().b, Fp.mul(Z, p256.Point.CURVE().a)) : Fp.mul(Fp.div(Fp.neg(p256.Point.CURVE().b), p256.Point.CURVE().a), Fp.add(Fp.ONE, Fp.inv(tv1)));
      if (a.x === x1) firstBranch++;
    }
    // both the x1 (g(x1) square) and the x2 branch are exercised
    expect(firstBranch).toBeGreaterThan(50);
    expect(firstBranch).toBeLessThan(us.length - 50);
  });
});
