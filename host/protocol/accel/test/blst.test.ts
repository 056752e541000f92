/**
 * blst (host/protocol/accel/blst.ts) against noble, the RFC 9380 BLS12381G1_XMD:SHA-256_SSWU_RO_
 * vectors and the mcl-only backend it replaced: hash_to_curve, products at edge scalars,
 * strict decoding (off-curve, outside the subgroup, non-canonical x, infinity-flag misuse, the
 * sign bit) and the pairing check. The default suite routes through blst, so host/vectors' own
 * test checks the committed vectors on it too.
 */
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { describe, expect, it } from 'vitest';
import { RFC9380_BLS12381G1 } from '../../../vectors/rfc9380.ts';
import { bigIntToBytes } from '../../bytes.ts';
import { SipsterError } from '../../errors.ts';
import { getMclBlsSuite, getReferenceSuite, getSuite, type Point } from '../../suite.ts';
import { blstOps } from '../blst.ts';
import { testRng } from './rng.ts';

// blst ships a binary for this platform and Node (linux-x64, Node 20): it must load here
if (!blstOps) throw new Error('the blst binding did not load');
const { hashToG1, mulG1, pairingEqual } = blstOps;
const fast = getSuite('BLS12381-SHA256');
const ref = getReferenceSuite('BLS12381-SHA256');
const mcl = getMclBlsSuite();
const q = fast.order;
const p = bls12_381.G1.Point.Fp.ORDER;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const rng = testRng('blst');

/** A point's encoding, or the typed error's code (an untyped error fails the comparison). */
const outcome = (f: () => Point): string => {
  try {
    return hex(ref.encodePoint(f()));
  } catch (err) {
    return err instanceof SipsterError ? err.code : `untyped: ${(err as Error).message}`;
  }
};

describe('blst hash_to_curve into G1', () => {
  it('matches the RFC 9380 vectors', () => {
    for (const v of RFC9380_BLS12381G1.vectors) {
      const { x, y } = hashToG1(new TextEncoder().encode(v.msg), RFC9380_BLS12381G1.dst).toAffine();
      expect(x.toString(16).padStart(96, '0')).toBe(v.x);
      expect(y.toString(16).padStart(96, '0')).toBe(v.y);
    }
  });

  it('agrees with noble and mcl under the token and bill DSTs', () => {
    for (let i = 0; i < 60; i++) {
      const msg = rng.bytes(rng.int(100));
      const dst = i % 2 ? fast.tokenDst : 'Sipster-v1-bill-BLS12381-SHA256';
      const P = fast.hashToGroup(msg, dst);
      expect(P.Z).toBe(1n);
      P.assertValidity();
      expect(hex(fast.encodePoint(P))).toBe(hex(ref.encodePoint(ref.hashToGroup(msg, dst))));
      expect(hex(fast.encodePoint(P))).toBe(hex(mcl.encodePoint(mcl.hashToGroup(msg, dst))));
    }
  });
});

describe('blst products k·P', () => {
  const edge = [1n, 2n, 3n, 255n, 256n, q >> 1n, q - 2n, q - 1n];
  it('agree with noble on edge and random scalars, fresh points (mulG1 direct and through the suite)', () => {
    const T = ref.hashToGroup(rng.bytes(32), fast.tokenDst);
    const scalars = [...edge, ...Array.from({ length: 20 }, () => 1n + rng.scalar(q - 1n))];
    for (const k of scalars) {
      const expected = hex(ref.encodePoint(ref.mul(T, k)));
      expect(hex(ref.encodePoint(mulG1(T, k)))).toBe(expected);
      const fresh = bls12_381.G1.Point.fromAffine(T.toAffine()) as unknown as Point; // no table for a new object
      expect(hex(fast.encodePoint(fast.mul(fresh, k)))).toBe(expected);
    }
    expect(mulG1(T, q - 1n).equals(T.negate())).toBe(true);
    expect(fast.mul(T, 0n).is0()).toBe(true);
    expect(fast.mul(ref.zero, 5n).is0()).toBe(true);
    expect(mulG1(ref.zero, 5n).is0()).toBe(true); // the identity crosses both ways
    expect(() => fast.mul(T, q)).toThrow(RangeError);
  });

  it('agree with noble on projective (Z ≠ 1) inputs and with mcl on random ones', () => {
    const P = ref.hashToGroup(rng.bytes(32), fast.tokenDst).double().add(ref.B);
    expect(P.Z).not.toBe(1n);
    const k = 1n + rng.scalar(q - 1n);
    expect(mulG1(P, k).equals(ref.mul(P, k))).toBe(true);
    for (let i = 0; i < 30; i++) {
      const T = fast.hashToGroup(rng.bytes(32), fast.tokenDst);
      const s = rng.scalar(q);
      expect(fast.mul(T, s).equals(mcl.mul(T, s))).toBe(true);
    }
  });
});

describe('blst strict decoding of G1 (48-byte ZCash compressed)', () => {
  const withFlags = (x: bigint, flags: number): Uint8Array => {
    const b = bigIntToBytes(x, 48);
    b[0] = b[0]! | flags;
    return b;
  };

  it('agrees with noble on random x (on and off the curve, almost all outside the subgroup) and both sign bits', () => {
    const seen = new Map<string, number>();
    for (let i = 0; i < 300; i++) {
      const b = rng.bytes(48);
      b[0] = (b[0]! & 0x3f) | 0x80; // compressed, not infinity, random sign and top bits
      const got = outcome(() => fast.decodePoint(b));
      expect(got).toBe(outcome(() => ref.decodePoint(b)));
      const kind = got.length === 96 ? 'point' : got;
      seen.set(kind, (seen.get(kind) ?? 0) + 1);
    }
    // the three failures a random string meets are all exercised
    for (const kind of ['off-curve', 'not-in-subgroup', 'non-canonical-field']) expect(seen.get(kind) ?? 0).toBeGreaterThan(0);
  });

  it('round-trips real points, and the sign bit picks the negation', () => {
    for (let i = 0; i < 40; i++) {
      const P = ref.mul(ref.B, 1n + rng.scalar(q - 1n));
      const b = ref.encodePoint(P);
      expect(fast.decodePoint(b).equals(P)).toBe(true);
      const flipped = b.slice();
      flipped[0] = flipped[0]! ^ 0x20;
      expect(fast.decodePoint(flipped).equals(P.negate())).toBe(true);
    }
  });

  it('reads views into larger buffers (pooled Buffers, subarrays) like fresh arrays, for decoding and hashing', () => {
    const P = ref.mul(ref.B, 1n + rng.scalar(q - 1n));
    const enc = ref.encodePoint(P);
    const big = new Uint8Array(200);
    big.set(enc, 17);
    expect(fast.decodePoint(big.subarray(17, 17 + 48)).equals(P)).toBe(true);
    const pooled = Buffer.from(hex(enc), 'hex'); // a small Buffer is a view into Node's pool
    for (let i = 0; i < 2; i++) expect(fast.decodePoint(pooled).equals(P)).toBe(true);
    expect(hex(pooled)).toBe(hex(enc)); // decoding leaves its input as it was
    const msg = rng.bytes(64);
    expect(hashToG1(msg.subarray(5, 40), fast.tokenDst).equals(ref.hashToGroup(msg.slice(5, 40), fast.tokenDst))).toBe(true);
  });

  it('rejects misuse of the flags and non-canonical x with the same typed errors as noble', () => {
    const x = ref.B.toAffine().x;
    const cases: [string, Uint8Array, string][] = [
      ['uncompressed flag', withFlags(x, 0), 'bad-prefix'],
      ['infinity flag on a real x', withFlags(x, 0xc0), 'identity'],
      ['infinity flag with the sign bit', withFlags(0n, 0xe0), 'identity'],
      ['canonical infinity', withFlags(0n, 0xc0), 'identity'],
      ['x = p', withFlags(p, 0x80), 'non-canonical-field'],
      ['x = p + 1', withFlags(p + 1n, 0x80), 'non-canonical-field'],
      ['x = 2^381 − 1', withFlags((1n << 381n) - 1n, 0xa0), 'non-canonical-field'],
      ['x = 0: (0, ±2) is on the curve, of order 3', withFlags(0n, 0x80), 'not-in-subgroup'],
      ['47 bytes', withFlags(x, 0x80).subarray(1), 'wrong-length'],
    ];
    for (const [name, b, code] of cases) {
      expect([name, outcome(() => fast.decodePoint(b))]).toEqual([name, code]);
      expect([name, outcome(() => ref.decodePoint(b))]).toEqual([name, code]);
    }
  });
});

describe('blst pairing check', () => {
  const re = ref.pairing!;
  it('agrees with noble and mcl on true and false instances', () => {
    for (let i = 0; i < 4; i++) {
      const a = 1n + rng.scalar(q - 1n);
      const T = fast.hashToGroup(rng.bytes(32), fast.tokenDst);
      const A2 = re.mulB2(a);
      const Z = fast.mul(T, a);
      for (const [P1, Q1, P2, Q2, want] of [
        [Z, re.B2, T, A2, true],
        [Z.add(T), re.B2, T, A2, false],
        [Z.negate(), re.B2, T, A2, false],
        [T, A2, Z, re.B2, true],
      ] as const) {
        expect(pairingEqual(P1, Q1, P2, Q2)).toBe(want);
        expect(mcl.pairing!.equal(P1, Q1, P2, Q2)).toBe(want);
        if (i === 0) expect(re.equal(P1, Q1, P2, Q2)).toBe(want);
      }
    }
  });

  it('throws on identity inputs, like noble', () => {
    const T = fast.hashToGroup(rng.bytes(32), fast.tokenDst);
    const O2 = re.B2.subtract(re.B2);
    expect(() => pairingEqual(ref.zero, re.B2, T, re.B2)).toThrow();
    expect(() => pairingEqual(T, O2, T, re.B2)).toThrow();
    expect(() => pairingEqual(T, re.B2, ref.zero, re.B2)).toThrow();
    expect(() => pairingEqual(T, re.B2, T, O2)).toThrow();
  });
});
