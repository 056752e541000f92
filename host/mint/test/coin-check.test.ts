// The accelerated proof check agrees with cashu-ts's own verifyUnblindedSignature on valid
// proofs and on near-misses (negated C, C + G, another key, another secret), and its NUT-00
// hash_to_curve (square root in mcl) with cashu-ts's hashToCurve.
import { randomBytes } from 'node:crypto';
import { createRandomSecretKey, hashToCurve, pointFromHex, verifyUnblindedSignature } from '@cashu/cashu-ts';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { describe, expect, it } from 'vitest';
import { checkProof, decodeCompressed, hashToCurveCashu } from '../coin-check.ts';

describe('checkProof (mcl) against cashu-ts verifyUnblindedSignature', () => {
  it('agrees on 40 valid proofs and 160 near-misses, and returns Y = hash_to_curve(secret)', () => {
    const G = hashToCurve(new TextEncoder().encode('generator stand-in'));
    let agreed = 0;
    for (let n = 0; n < 40; n++) {
      const k = createRandomSecretKey();
      const secret = new TextEncoder().encode(randomBytes(32).toString('hex'));
      const Y = hashToCurve(secret);
      const C = Y.multiply(BigInt('0x' + Buffer.from(k).toString('hex')));
      const other = createRandomSecretKey();
      const cases: [typeof C, Uint8Array, Uint8Array, boolean][] = [
        [C, secret, k, true],
        [C.negate(), secret, k, false],
        [C.add(G), secret, k, false],
        [C, secret, other, false],
        [C, new TextEncoder().encode('another secret'), k, false],
      ];
      for (const [point, s, key, expected] of cases) {
        const fast = checkProof(s, point, key);
        expect(fast.valid).toBe(expected);
        expect(verifyUnblindedSignature({ C: point, secret: s, id: '00' }, key)).toBe(expected);
        expect(Buffer.from(fast.Y).toString('hex')).toBe(hashToCurve(s).toHex(true));
        agreed++;
      }
    }
    expect(agreed).toBe(200);
  });

  it('hash_to_curve matches cashu-ts on 300 secrets (about half need more than one try)', () => {
    for (let n = 0; n < 300; n++) {
      const secret = n % 3 === 0 ? new TextEncoder().encode(randomBytes(32).toString('hex')) : new Uint8Array(randomBytes(n % 50));
      const ours = hashToCurveCashu(secret);
      const theirs = hashToCurve(secret);
      expect(Buffer.from(ours.compressed).toString('hex')).toBe(theirs.toHex(true));
      expect(ours.point.toAffine()).toEqual(theirs.toAffine());
    }
  });
});

describe('decodeCompressed (square root in mcl) against cashu-ts pointFromHex', () => {
  const cashu = (b: Uint8Array) => {
    try {
      const p = pointFromHex(Buffer.from(b).toString('hex'));
      p.assertValidity();
      return p.toAffine();
    } catch {
      return undefined;
    }
  };
  const ours = (b: Uint8Array) => decodeCompressed(b)?.toAffine();

  it('agrees on 300 points of both parities and on 300 random abscissas (about half not on the curve)', () => {
    let invalid = 0;
    for (let n = 0; n < 300; n++) {
      const valid = secp256k1.Point.BASE.multiply(BigInt('0x' + randomBytes(31).toString('hex')) + 1n).toBytes(true);
      expect(ours(valid)).toEqual(cashu(valid));
      expect(ours(valid)).toBeDefined();
      const random = new Uint8Array([2 + (n & 1), ...randomBytes(32)]);
      expect(ours(random)).toEqual(cashu(random));
      if (!ours(random)) invalid++;
    }
    expect(invalid).toBeGreaterThan(100);
  });

  it('refuses x ≥ p, other prefixes and other lengths', () => {
    const g = secp256k1.Point.BASE.toBytes(true);
    const p = secp256k1.Point.Fp.ORDER;
    // A point with a small abscissa x: x + p still fits 32 bytes and must not decode as x mod p.
    const enc = (x: bigint) => new Uint8Array([2, ...Buffer.from(x.toString(16).padStart(64, '0'), 'hex')]);
    let x = 1n;
    while (!decodeCompressed(enc(x))) x++;
    expect(cashu(enc(x))).toBeDefined();
    expect(decodeCompressed(enc(x + p))).toBeUndefined();
    expect(cashu(enc(x + p))).toBeUndefined();
    const allOnes = new Uint8Array(33).fill(0xff);
    allOnes[0] = 2;
    expect(decodeCompressed(allOnes)).toBeUndefined();
    for (const prefix of [0, 1, 4, 5, 6, 7]) expect(decodeCompressed(new Uint8Array([prefix, ...g.subarray(1)]))).toBeUndefined();
    expect(decodeCompressed(g.subarray(0, 32))).toBeUndefined();
    expect(decodeCompressed(new Uint8Array([...g, 0]))).toBeUndefined();
    expect(decodeCompressed(g)?.equals(secp256k1.Point.BASE)).toBe(true);
  });
});
