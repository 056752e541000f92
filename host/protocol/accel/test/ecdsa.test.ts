/**
 * Cross-check of OpenSSL ECDSA-P256-SHA256 verification against noble (prehash, low s), directly
 * and through the protocol's typed `verifySignature`: valid, tampered, wrong-key and malleated
 * (high-s) signatures, r/s at and beyond the range ends.
 */
import { describe, expect, it } from 'vitest';
import { p256 } from '@noble/curves/nist.js';
import { SipsterError } from '../../errors.ts';
import { decodeVerifyingKey, meterKeyFromSeed, signMessage, verifySignature } from '../../signature.ts';
import { verifyP256Sha256 } from '../ecdsa.ts';
import { testRng } from './rng.ts';

const n = p256.Point.Fn.ORDER;
const be32 = (x: bigint): Uint8Array => Uint8Array.from(Buffer.from(x.toString(16).padStart(64, '0'), 'hex'));
const sigOf = (r: bigint, s: bigint): Uint8Array => Uint8Array.from([...be32(r), ...be32(s)]);
const nobleOk = (vk: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean =>
  p256.verify(sig, msg, vk, { prehash: true, lowS: false, format: 'compact' });
const codeOf = (f: () => void): string | undefined => {
  try {
    f();
    return undefined;
  } catch (e) {
    if (e instanceof SipsterError) return e.code;
    throw e;
  }
};

describe('OpenSSL ECDSA verification', () => {
  const rng = testRng('ecdsa');
  const keys = Array.from({ length: 8 }, () => meterKeyFromSeed(rng.bytes(32)));

  it('agrees with noble on 100 valid, tampered, wrong-key and high-s signatures', () => {
    for (let i = 0; i < 100; i++) {
      const key = keys[i % keys.length]!;
      const other = keys[(i + 1) % keys.length]!;
      const msg = rng.bytes(rng.int(200));
      const sig = signMessage(key, msg, rng.bytes(32));
      const s = BigInt('0x' + Buffer.from(sig.subarray(32)).toString('hex'));
      const high = sigOf(BigInt('0x' + Buffer.from(sig.subarray(0, 32)).toString('hex')), n - s);
      const flipped = msg.length ? Uint8Array.from(msg, (b, j) => (j === 0 ? b ^ 1 : b)) : Uint8Array.of(1);
      const badSig = sig.slice();
      badSig[rng.int(64)]! ^= 1 << rng.int(8);
      for (const [vk, m, sg] of [
        [key.vk, msg, sig],
        [other.vk, msg, sig],
        [key.vk, flipped, sig],
        [key.vk, msg, badSig],
        [key.vk, msg, high],
      ] as const) {
        expect(verifyP256Sha256(vk, m, sg, decodeVerifyingKey)).toBe(nobleOk(vk, m, sg));
      }
      expect(verifyP256Sha256(key.vk, msg, sig, decodeVerifyingKey)).toBe(true);
      expect(verifyP256Sha256(key.vk, msg, high, decodeVerifyingKey)).toBe(true); // OpenSSL accepts high s ...
      expect(codeOf(() => verifySignature(key.vk, msg, high))).toBe('high-s'); // ... the strict check in front does not
      expect(codeOf(() => verifySignature(key.vk, msg, sig))).toBeUndefined();
      expect(codeOf(() => verifySignature(other.vk, msg, sig))).toBe('bad-signature');
      expect(codeOf(() => verifySignature(key.vk, flipped, sig))).toBe('bad-signature');
    }
  });

  it('runs the strict key decoder on a key not seen yet, and rejects a bad key with its typed error every time', () => {
    const msg = rng.bytes(20);
    const key = meterKeyFromSeed(rng.bytes(32));
    const sig = signMessage(key, msg, rng.bytes(32));
    let calls = 0;
    const counting = (vk: Uint8Array) => {
      calls++;
      decodeVerifyingKey(vk);
    };
    const fresh = meterKeyFromSeed(rng.bytes(32));
    const sig2 = signMessage(fresh, msg, rng.bytes(32)); // signMessage caches fresh.vk
    expect(verifyP256Sha256(fresh.vk, msg, sig2, counting)).toBe(true);
    expect(calls).toBe(0);
    const unseen = meterKeyFromSeed(rng.bytes(32));
    expect(verifyP256Sha256(unseen.vk, msg, sig, counting)).toBe(false);
    expect(verifyP256Sha256(unseen.vk, msg, sig, counting)).toBe(false);
    expect(calls).toBe(1);
    const offCurve = key.vk.slice();
    offCurve[0] = 0x04; // bad prefix
    for (let i = 0; i < 2; i++) expect(codeOf(() => verifySignature(offCurve, msg, sig))).toBe('bad-prefix');
    const notX = Uint8Array.from([2, ...new Uint8Array(32).fill(0xff)]); // x ≥ p
    for (let i = 0; i < 2; i++) expect(codeOf(() => verifySignature(notX, msg, sig))).toBe('non-canonical-field');
  });

  it('rejects r or s out of range with typed errors before OpenSSL is asked', () => {
    const key = keys[0]!;
    const msg = rng.bytes(10);
    for (const [r, s] of [
      [0n, 1n],
      [1n, 0n],
      [n, 1n],
      [1n, n],
      [n + 1n, 1n],
    ] as const) {
      expect(codeOf(() => verifySignature(key.vk, msg, sigOf(r, s)))).toBe('non-canonical-scalar');
    }
    expect(codeOf(() => verifySignature(key.vk, msg, new Uint8Array(63)))).toBe('wrong-length');
    expect(verifyP256Sha256(key.vk, msg, sigOf(1n, 1n), decodeVerifyingKey)).toBe(false);
  });
});
