// The boot known-answer test's expected values are what @noble/curves and the protocol core compute,
// and the firmware's crypto passes it.
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { billScalar, periodSeed, tokenPoint, tokenRho } from '../../../host/protocol/derive.ts';
import { getSuite } from '../../../host/protocol/suite.ts';
import { KAT, runKat } from '../../src/kat.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const filled = (v: number) => new Uint8Array(32).fill(v);

describe('boot KAT', () => {
  it('expected values match @noble/curves', () => {
    const suite = getSuite('P256-SHA256');
    const vk = p256.getPublicKey(filled(KAT.keySeed), true);
    const seed = periodSeed(suite, filled(KAT.kappa), filled(KAT.rnd), KAT.meterId, vk, KAT.c);
    const rho = tokenRho(seed, KAT.tokenC, KAT.tokenI);
    const T = tokenPoint(suite, rho);
    const r = billScalar(suite, seed);
    const msg = new TextEncoder().encode(KAT.msg);
    expect({ vk: hex(vk), seed: hex(seed), rho: hex(rho), T: hex(suite.encodePoint(T)), r: hex(suite.encodeScalar(r)), R: hex(suite.encodePoint(T.subtract(suite.mul(suite.B, r)))) })
      .toEqual({ vk: KAT.vk, seed: KAT.seed, rho: KAT.rho, T: KAT.T, r: KAT.r, R: KAT.R });
    expect(p256.verify(Buffer.from(KAT.sig, 'hex'), msg, vk, { prehash: true, lowS: true, format: 'compact' })).toBe(true);
    expect(hex(sha256(new TextEncoder().encode('abc')))).toBe(KAT.sha256Abc);
  });

  it('the firmware crypto passes it', () => {
    expect(runKat()).toBe(true);
  });
});
