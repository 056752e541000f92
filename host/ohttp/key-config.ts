/**
 * Oblivious HTTP key configurations (RFC 9458 Section 3): what a gateway publishes (here, in the
 * UC's signed parameters log) and a client encapsulates to. Free of HPKE itself, so the protocol
 * core can check a published configuration without loading it.
 */

export const KEM_X25519_HKDF_SHA256 = 0x0020;
export const KDF_HKDF_SHA256 = 0x0001;
export const AEAD_AES_128_GCM = 0x0001;

/** X25519 public key length (Npk), also its enc (Nenc). */
export const NPK = 32;

export type OhttpErrorCode = 'bad-key-config' | 'unsupported-suite' | 'malformed' | 'unknown-key' | 'decrypt-failed' | 'replay';

export class OhttpError extends Error {
  constructor(
    readonly code: OhttpErrorCode,
    message: string,
  ) {
    super(`oblivious HTTP: ${message}`);
    this.name = 'OhttpError';
  }
}

export interface SymmetricAlgorithm {
  readonly kdfId: number;
  readonly aeadId: number;
}

export interface KeyConfig {
  readonly keyId: number;
  readonly kemId: number;
  readonly publicKey: Uint8Array;
  readonly algorithms: readonly SymmetricAlgorithm[];
}

export const u16 = (b: Uint8Array, at: number): number => (b[at]! << 8) | b[at + 1]!;

export function encodeKeyConfig(c: KeyConfig): Uint8Array {
  if (!Number.isInteger(c.keyId) || c.keyId < 0 || c.keyId > 0xff) throw new RangeError(`key id out of range: ${c.keyId}`);
  if (c.publicKey.length !== NPK) throw new RangeError('X25519 public key must be 32 bytes');
  if (c.algorithms.length < 1) throw new RangeError('a key configuration names at least one symmetric algorithm');
  const out = new Uint8Array(3 + NPK + 2 + 4 * c.algorithms.length);
  const v = new DataView(out.buffer);
  v.setUint8(0, c.keyId);
  v.setUint16(1, c.kemId);
  out.set(c.publicKey, 3);
  v.setUint16(3 + NPK, 4 * c.algorithms.length);
  c.algorithms.forEach((a, k) => {
    v.setUint16(5 + NPK + 4 * k, a.kdfId);
    v.setUint16(7 + NPK + 4 * k, a.aeadId);
  });
  return out;
}

/** One key configuration, exactly (no trailing bytes); only the X25519 KEM is known. */
export function decodeKeyConfig(b: Uint8Array): KeyConfig {
  if (b.length < 3) throw new OhttpError('bad-key-config', 'key configuration too short');
  const kemId = u16(b, 1);
  if (kemId !== KEM_X25519_HKDF_SHA256) throw new OhttpError('unsupported-suite', `KEM 0x${kemId.toString(16).padStart(4, '0')} is not DHKEM(X25519, HKDF-SHA256)`);
  if (b.length < 3 + NPK + 2) throw new OhttpError('bad-key-config', 'key configuration too short');
  const len = u16(b, 3 + NPK);
  if (len < 4 || len % 4 !== 0) throw new OhttpError('bad-key-config', `symmetric algorithms length ${len} is not a positive multiple of 4`);
  if (b.length !== 5 + NPK + len) throw new OhttpError('bad-key-config', `key configuration is ${b.length} bytes, its lengths say ${5 + NPK + len}`);
  const algorithms = Array.from({ length: len / 4 }, (_, k) => ({ kdfId: u16(b, 5 + NPK + 4 * k), aeadId: u16(b, 7 + NPK + 4 * k) }));
  return { keyId: b[0]!, kemId, publicKey: b.slice(3, 3 + NPK), algorithms };
}

export const supportsMandatorySuite = (c: KeyConfig): boolean =>
  c.kemId === KEM_X25519_HKDF_SHA256 && c.algorithms.some((a) => a.kdfId === KDF_HKDF_SHA256 && a.aeadId === AEAD_AES_128_GCM);

/** The one key configuration a Sipster gateway publishes for key `keyId`: the mandatory suite alone. */
export const sipsterKeyConfig = (keyId: number, publicKey: Uint8Array): KeyConfig => ({
  keyId,
  kemId: KEM_X25519_HKDF_SHA256,
  publicKey,
  algorithms: [{ kdfId: KDF_HKDF_SHA256, aeadId: AEAD_AES_128_GCM }],
});
