/**
 * Meter signatures: ECDSA P-256 with SHA-256 over the raw message (hashed once), r ‖ s 64 B,
 * low-s, RFC 6979 nonces hedged with fresh randomness, verified before they leave.
 * Meter keys are P-256 in both ciphersuites.
 */
import { p256 } from '@noble/curves/nist.js';
import { verifyP256Sha256 } from './accel/ecdsa.ts';
import { bytesToBigInt } from './bytes.ts';
import { decodeFail, fail } from './errors.ts';
import { getSuite } from './suite.ts';

const N = p256.Point.Fn.ORDER;
const P256 = getSuite('P256-SHA256');

export interface MeterKeyPair {
  readonly sk: Uint8Array;
  /** vkM: SEC1 compressed, 33 B. */
  readonly vk: Uint8Array;
}

/** Key from 32 bytes of device randomness (rejected if not a valid scalar, as a device would redraw). */
export function meterKeyFromSeed(seed32: Uint8Array): MeterKeyPair {
  if (!p256.utils.isValidSecretKey(seed32)) throw new RangeError('seed is not a valid P-256 secret key');
  return { sk: seed32.slice(), vk: p256.getPublicKey(seed32, true) };
}

/** Strict decoding of vkM: 33-byte compressed point on P-256. */
export function decodeVerifyingKey(vk: Uint8Array): Uint8Array {
  P256.decodePoint(vk);
  return vk;
}

export function signMessage(key: MeterKeyPair, message: Uint8Array, freshRandomness: Uint8Array): Uint8Array {
  const sig = p256.sign(message, key.sk, { prehash: true, lowS: true, extraEntropy: freshRandomness, format: 'compact' });
  if (!verifyP256Sha256(key.vk, message, sig, decodeVerifyingKey)) throw new Error('signature failed its own verification');
  return sig;
}

/** Typed verification: wrong length, r or s outside [1, n), high s, or an invalid signature. */
export function verifySignature(vk: Uint8Array, message: Uint8Array, sig: Uint8Array): void {
  if (sig.length !== 64) decodeFail('wrong-length', `signature must be 64 bytes, got ${sig.length}`);
  const r = bytesToBigInt(sig.subarray(0, 32));
  const s = bytesToBigInt(sig.subarray(32));
  if (r === 0n || r >= N || s === 0n || s >= N) decodeFail('non-canonical-scalar', 'signature r or s out of range');
  if (s > N >> 1n) fail('high-s', 'signature s is in the upper half (malleated)');
  // OpenSSL (accepts high s, so the strict checks above stay first; vkM is decoded strictly the
  // first time it is seen); noble's p256.verify is the reference it is tested against.
  if (!verifyP256Sha256(vk, message, sig, decodeVerifyingKey)) fail('bad-signature', 'signature does not verify under vkM');
}
