// The boot known-answer test's digest covers what @noble/curves and the protocol core compute, and
// the firmware's crypto passes it (and fails it when an answer differs).
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { billScalar, periodSeed, tokenPoint, tokenRho } from '../../../host/protocol/derive.ts';
import { getSuite } from '../../../host/protocol/suite.ts';
import { katOutputs, katVectors, runKat } from '../../src/kat.ts';

const KAT = katVectors();

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const filled = (v: number) => new Uint8Array(32).fill(v);

/** The KAT's answers, each computed by noble / the protocol core, in the digest's order. */
function nobleAnswers(): Uint8Array[] {
  const suite = getSuite('P256-SHA256');
  const vk = p256.getPublicKey(filled(KAT.keySeed), true);
  const seed = periodSeed(suite, filled(KAT.kappa), filled(KAT.rnd), KAT.meterId, vk, KAT.c);
  const rho = tokenRho(seed, KAT.tokenC, KAT.tokenI);
  const T = tokenPoint(suite, rho);
  const r = billScalar(suite, seed);
  const msg = new TextEncoder().encode(KAT.msg);
  const sig = p256.sign(msg, filled(KAT.keySeed), { prehash: true, lowS: true, format: 'compact', extraEntropy: filled(KAT.extra) });
  expect(p256.verify(sig, msg, vk, { prehash: true, lowS: true, format: 'compact' })).toBe(true);
  return [
    sha256(new TextEncoder().encode('abc')), vk, seed, rho, suite.encodePoint(T), suite.encodeScalar(r),
    suite.encodePoint(T.subtract(suite.mul(suite.B, r))), sig, suite.encodePoint(suite.mul(T, BigInt(KAT.small))),
  ];
}

describe('boot KAT', () => {
  it('its digest is SHA-256 of the answers @noble/curves computes, and the firmware computes each of them', () => {
    const answers = nobleAnswers();
    expect(hex(sha256(Buffer.concat(answers)))).toBe(KAT.digest);
    expect(katOutputs(KAT, []).map(hex)).toEqual(answers.map(hex));
  });

  it('the firmware crypto passes it, and fails it when an expected answer differs', () => {
    expect(runKat()).toBe(true);
    expect(runKat(katVectors())).toBe(true);
    const digest = KAT.digest;
    expect(runKat({ ...KAT, digest: (digest[0] === '0' ? '1' : '0') + digest.substring(1) })).toBe(false);
    expect(runKat({ ...KAT, extra: KAT.extra + 1 })).toBe(false);
    expect(runKat()).toBe(true);
  });
});
