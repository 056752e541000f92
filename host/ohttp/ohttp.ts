/**
 * Oblivious HTTP (RFC 9458): the HPKE encapsulation of a Binary HTTP request to a gateway's key
 * (its configuration: key-config.ts) and of its response (Section 4), in RFC 9458's
 * mandatory suite only: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM. HPKE itself is
 * @hpke/core's (RFC 9180); this file adds the message layout, the labels and the response keys
 * (HKDF from @noble/hashes).
 */
import type { webcrypto } from 'node:crypto';
import { Aes128Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256, type RecipientContext, type SenderContext } from '@hpke/core';
import { x25519 } from '@noble/curves/ed25519.js';
import { expand, extract } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { AEAD_AES_128_GCM, KDF_HKDF_SHA256, KEM_X25519_HKDF_SHA256, NPK, OhttpError, sipsterKeyConfig, supportsMandatorySuite, u16, type KeyConfig } from './key-config.ts';

export { decodeKeyConfig, encodeKeyConfig, OhttpError, type KeyConfig, type OhttpErrorCode } from './key-config.ts';

export const REQUEST_MEDIA_TYPE = 'message/ohttp-req';
export const RESPONSE_MEDIA_TYPE = 'message/ohttp-res';

const NK = 16; // AES-128-GCM key
const NN = 12; // AES-128-GCM nonce
const RESPONSE_NONCE = Math.max(NN, NK);
const TAG = 16;
const HEADER = 7; // key id (8) ‖ kem (16) ‖ kdf (16) ‖ aead (16)

const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes128Gcm() });
const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const concat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

/** A gateway key: the secret, and the configuration it publishes (the mandatory suite alone). */
export interface GatewayKey {
  readonly config: KeyConfig;
  readonly privateKey: webcrypto.CryptoKey;
}

export async function gatewayKey(keyId: number, secret: Uint8Array): Promise<GatewayKey> {
  if (secret.length !== 32) throw new RangeError('X25519 secret must be 32 bytes');
  return { config: sipsterKeyConfig(keyId, x25519.getPublicKey(secret)), privateKey: await suite.kem.importKey('raw', secret.slice().buffer, false) };
}

// ---- requests -------------------------------------------------------------------------------------

const header = (keyId: number): Uint8Array => {
  const h = new Uint8Array(HEADER);
  const v = new DataView(h.buffer);
  v.setUint8(0, keyId);
  v.setUint16(1, KEM_X25519_HKDF_SHA256);
  v.setUint16(3, KDF_HKDF_SHA256);
  v.setUint16(5, AEAD_AES_128_GCM);
  return h;
};

const requestInfo = (hdr: Uint8Array): Uint8Array => concat(ascii('message/bhttp request'), Uint8Array.of(0), hdr);

/** What the client keeps to open the response: its HPKE context and the enc it sent. */
export interface ClientContext {
  readonly context: SenderContext;
  readonly enc: Uint8Array;
}

/**
 * Encapsulates a Binary HTTP request to `config`'s key. `ephemeral` fixes the HPKE ephemeral key
 * pair (known-answer tests only); by default every call draws a fresh one.
 */
export async function encapsulateRequest(config: KeyConfig, request: Uint8Array, ephemeral?: webcrypto.CryptoKeyPair): Promise<{ encapsulated: Uint8Array; client: ClientContext }> {
  if (!supportsMandatorySuite(config)) throw new OhttpError('unsupported-suite', 'the key configuration does not offer DHKEM(X25519, HKDF-SHA256) with HKDF-SHA256 and AES-128-GCM');
  const hdr = header(config.keyId);
  let context: SenderContext;
  try {
    const recipientPublicKey = await suite.kem.importKey('raw', config.publicKey.slice().buffer, true);
    context = await suite.createSenderContext({ recipientPublicKey, info: requestInfo(hdr), ...(ephemeral ? { ekm: ephemeral } : {}) });
  } catch (err) {
    // e.g. a low-order public key: X25519 yields the all-zero secret, which HPKE refuses
    throw new OhttpError('bad-key-config', `cannot encapsulate to this public key (${(err as Error).message})`);
  }
  const enc = new Uint8Array(context.enc);
  const ct = new Uint8Array(await context.seal(request));
  return { encapsulated: concat(hdr, enc, ct), client: { context, enc } };
}

/** The header fields and enc of an encapsulated request, checked against the one suite served. */
export function parseEncapsulatedRequest(b: Uint8Array): { keyId: number; enc: Uint8Array; ct: Uint8Array } {
  if (b.length < HEADER + NPK + TAG) throw new OhttpError('malformed', `encapsulated request of ${b.length} bytes is shorter than its header, enc and tag`);
  const kem = u16(b, 1);
  const kdf = u16(b, 3);
  const aead = u16(b, 5);
  if (kem !== KEM_X25519_HKDF_SHA256 || kdf !== KDF_HKDF_SHA256 || aead !== AEAD_AES_128_GCM) {
    throw new OhttpError('unsupported-suite', `suite (KEM 0x${kem.toString(16)}, KDF 0x${kdf.toString(16)}, AEAD 0x${aead.toString(16)}) is not served`);
  }
  return { keyId: b[0]!, enc: b.slice(HEADER, HEADER + NPK), ct: b.subarray(HEADER + NPK) };
}

/** What the gateway keeps to seal the response. */
export interface GatewayContext {
  readonly context: RecipientContext;
  readonly enc: Uint8Array;
}

export async function decapsulateRequest(key: GatewayKey, encapsulated: Uint8Array): Promise<{ request: Uint8Array; gateway: GatewayContext }> {
  const { keyId, enc, ct } = parseEncapsulatedRequest(encapsulated);
  if (keyId !== key.config.keyId) throw new OhttpError('unknown-key', `key id ${keyId} is not this key's (${key.config.keyId})`);
  try {
    const context = await suite.createRecipientContext({ recipientKey: key.privateKey, enc, info: requestInfo(header(keyId)) });
    const request = new Uint8Array(await context.open(ct));
    return { request, gateway: { context, enc } };
  } catch {
    throw new OhttpError('decrypt-failed', 'the encapsulated request does not open under this key (tampered, or sealed to another key)');
  }
}

// ---- responses ------------------------------------------------------------------------------------

/** aead_key and aead_nonce of RFC 9458 Section 4.4 from the exported secret, enc and response_nonce. */
async function responseKeys(context: SenderContext | RecipientContext, enc: Uint8Array, nonce: Uint8Array) {
  const secret = await context.export(ascii('message/bhttp response'), RESPONSE_NONCE);
  // Plain HKDF (RFC 5869): @hpke's extract wants a hash-sized salt, this one is enc ‖ nonce.
  const prk = extract(sha256, new Uint8Array(secret), concat(enc, nonce)); // (hash, ikm, salt)
  const key = expand(sha256, prk, ascii('key'), NK);
  const iv = expand(sha256, prk, ascii('nonce'), NN);
  return { aead: suite.aead.createEncryptionContext(key), iv };
}

/** `nonce` fixes response_nonce (known-answer tests only); by default it is fresh randomness. */
export async function encapsulateResponse(g: GatewayContext, response: Uint8Array, nonce: Uint8Array = crypto.getRandomValues(new Uint8Array(RESPONSE_NONCE))): Promise<Uint8Array> {
  if (nonce.length !== RESPONSE_NONCE) throw new RangeError(`response nonce must be ${RESPONSE_NONCE} bytes`);
  const { aead, iv } = await responseKeys(g.context, g.enc, nonce);
  return concat(nonce, new Uint8Array(await aead.seal(iv, response, new Uint8Array(0))));
}

export async function decapsulateResponse(c: ClientContext, encapsulated: Uint8Array): Promise<Uint8Array> {
  if (encapsulated.length < RESPONSE_NONCE + TAG) throw new OhttpError('malformed', `encapsulated response of ${encapsulated.length} bytes is shorter than its nonce and tag`);
  const { aead, iv } = await responseKeys(c.context, c.enc, encapsulated.subarray(0, RESPONSE_NONCE));
  try {
    return new Uint8Array(await aead.open(iv, encapsulated.subarray(RESPONSE_NONCE), new Uint8Array(0)));
  } catch {
    throw new OhttpError('decrypt-failed', 'the encapsulated response does not open (tampered on the way, or not an answer to this request)');
  }
}
