import { describe, expect, it } from 'vitest';
import { p256, p256_oprf } from '@noble/curves/nist.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { bytesToBigInt, concat, utf8 } from '../bytes.ts';
import { decodeProof, encodeProof, generateProof, sipsterContext, verifyProof } from '../dleq.ts';
import { getSuite, randomScalar, SUITE_IDS } from '../suite.ts';

const P256 = getSuite('P256-SHA256');
// RFC 9497 §3.1/§4.3: contextString = "OPRFV1-" ‖ I2OSP(mode = 0x01 VOPRF, 1) ‖ "-" ‖ "P256-SHA256"
const rfcContext = concat(utf8('OPRFV1-'), new Uint8Array([1]), utf8('-P256-SHA256'));

describe('DLEQ (RFC 9497 GenerateProof/VerifyProof, m = 1)', () => {
  it('matches noble’s RFC 9497 VOPRF proof byte for byte under the RFC context string', () => {
    for (let t = 0; t < 20; t++) {
      const sk = randomScalar(P256, randomBytes);
      const skBytes = P256.encodeScalar(sk);
      const pk = p256.Point.BASE.multiply(sk);
      const blinded = P256.hashToGroup(randomBytes(32), 'test-blinded');
      const r = randomScalar(P256, randomBytes);
      // noble draws the proof randomness as (rng(48) mod (q − 1)) + 1: feed it r − 1
      const rBytes = concat(new Uint8Array(16), P256.encodeScalar(r - 1n));
      const ev = p256_oprf.voprf.blindEvaluate(skBytes, pk.toBytes(true), blinded.toBytes(true), () => rBytes);
      const ours = generateProof(P256, rfcContext, sk, pk, blinded, blinded.multiply(sk), r);
      expect(Buffer.from(encodeProof(P256, ours)).toString('hex')).toBe(Buffer.from(ev.proof).toString('hex'));
      expect(bytesToBigInt(ev.evaluated)).toBe(bytesToBigInt(blinded.multiply(sk).toBytes(true)));
    }
  });

  for (const id of SUITE_IDS) {
    const suite = getSuite(id);
    const ctx = sipsterContext(suite);
    it(`${id}: valid proofs verify; a proof for another key, point or context does not`, () => {
      const a = randomScalar(suite, randomBytes);
      const A = suite.B.multiply(a);
      const T = suite.hashToGroup(randomBytes(32), suite.tokenDst);
      const Z = T.multiply(a);
      const proof = generateProof(suite, ctx, a, A, T, Z, randomScalar(suite, randomBytes));
      expect(verifyProof(suite, ctx, A, T, Z, proof)).toBe(true);
      const roundTrip = decodeProof(suite, encodeProof(suite, proof));
      expect(verifyProof(suite, ctx, A, T, Z, roundTrip)).toBe(true);
      expect(verifyProof(suite, ctx, A, T, Z.add(suite.B), proof)).toBe(false);
      expect(verifyProof(suite, ctx, A.add(suite.B), T, Z, proof)).toBe(false);
      expect(verifyProof(suite, ctx, A, T, T.multiply(a + 1n), proof)).toBe(false);
      expect(verifyProof(suite, utf8('Sipster-v1-other'), A, T, Z, proof)).toBe(false);
      expect(verifyProof(suite, ctx, A, T, Z, { c: proof.c, s: (proof.s + 1n) % suite.order })).toBe(false);
    });
  }
});
