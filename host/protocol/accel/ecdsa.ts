/**
 * ECDSA-P256-SHA256 verification by OpenSSL (node:crypto), about 40x faster than noble.
 * OpenSSL accepts high-s signatures: the caller's strict checks (length, 1 ≤ r, s < n, low s,
 * a valid vkM) stay in front of this, so the accepted set is exactly noble's with lowS.
 * Public-key objects are cached (importing one costs more than a verification), and a key gets
 * into the cache only after the caller's strict decoder accepted it: that decoder runs once per
 * distinct key instead of once per signature (same verdicts, it is deterministic).
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/** DER prefix of a SubjectPublicKeyInfo for id-ecPublicKey / prime256v1 with a 33-byte compressed point. */
const SPKI_P256_COMPRESSED = Buffer.from('3039301306072a8648ce3d020106082a8648ce3d030107032200', 'hex');
const CACHE_MAX = 4096;
const keys = new Map<string, KeyObject>();

function keyObject(vk: Uint8Array, validate: (vk: Uint8Array) => void): KeyObject {
  const id = Buffer.from(vk.buffer, vk.byteOffset, vk.length).toString('hex');
  let key = keys.get(id);
  if (!key) {
    validate(vk);
    key = createPublicKey({ key: Buffer.concat([SPKI_P256_COMPRESSED, vk]), format: 'der', type: 'spki' });
    if (keys.size >= CACHE_MAX) keys.delete(keys.keys().next().value!);
    keys.set(id, key);
  }
  return key;
}

/**
 * Verifies a 64-byte r ‖ s signature over SHA-256(message) under a 33-byte compressed P-256 key;
 * `validate` (the strict key decoder, throwing its typed error) runs first for a key not seen yet.
 */
export function verifyP256Sha256(vk: Uint8Array, message: Uint8Array, sig: Uint8Array, validate: (vk: Uint8Array) => void): boolean {
  return verify('sha256', message, { key: keyObject(vk, validate), dsaEncoding: 'ieee-p1363' }, sig);
}
