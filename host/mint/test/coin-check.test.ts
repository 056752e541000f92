// The accelerated proof check agrees with cashu-ts's own verifyUnblindedSignature on valid
// proofs and on near-misses (negated C, C + G, another key, another secret), and its NUT-00
// hash_to_curve (square root in mcl) with cashu-ts's hashToCurve.
import { randomBytes } from 'node:crypto';
import { createRandomSecretKey, hashToCurve, verifyUnblindedSignature } from '@cashu/cashu-ts';
import { describe, expect, it } from 'vitest';
import { checkProof, hashToCurveCashu } from '../coin-check.ts';

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
