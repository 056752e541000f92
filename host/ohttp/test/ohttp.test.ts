// Oblivious HTTP encapsulation against RFC 9458 Appendix A (key configuration, request and
// response, byte for byte), and the refusals of a tampered, misdirected or malformed message.
import type { webcrypto } from 'node:crypto';
import { Aes128Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';
import { describe, expect, it } from 'vitest';
import { decodeRequest, decodeResponse } from '../bhttp.ts';
import {
  decapsulateRequest,
  decapsulateResponse,
  decodeKeyConfig,
  encapsulateRequest,
  encapsulateResponse,
  encodeKeyConfig,
  gatewayKey,
  OhttpError,
  parseEncapsulatedRequest,
  type OhttpErrorCode,
} from '../ohttp.ts';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

// RFC 9458 Appendix A, verbatim.
const A = {
  skR: '3c168975674b2fa8e465970b79c8dcf09f1c741626480bd4c6162fc5b6a98e1a',
  keyConfig: '01002031e1f05a740102115220e9af918f738674aec95f54db6e04eb705aae8e79815500080001000100010003',
  request: '00034745540568747470730b6578616d706c652e636f6d012f',
  skE: 'bc51d5e930bda26589890ac7032f70ad12e4ecb37abb1b65b1256c9c48999c73',
  pkE: '4b28f881333e7c164ffc499ad9796f877f4e1051ee6d31bad19dec96c208b472',
  encapsulatedRequest:
    '010020000100014b28f881333e7c164ffc499ad9796f877f4e1051ee6d31bad19dec96c208b4726374e469135906992e1268c594d2a10c695d858c40a026e7965e7d86b83dd440b2c0185204b4d63525',
  response: '0140c8',
  responseNonce: 'c789e7151fcba46158ca84b04464910d',
  encapsulatedResponse: 'c789e7151fcba46158ca84b04464910d86f9013e404feea014e7be4a441f234f857fbd',
};

async function ephemeral(): Promise<webcrypto.CryptoKeyPair> {
  const kem = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes128Gcm() }).kem;
  return { privateKey: await kem.importKey('raw', hex(A.skE).buffer, false), publicKey: await kem.importKey('raw', hex(A.pkE).buffer, true) };
}

async function refused(p: Promise<unknown>, code: OhttpErrorCode): Promise<void> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err, `expected ${code}`).toBeInstanceOf(OhttpError);
  expect((err as OhttpError).code).toBe(code);
}

describe('Oblivious HTTP, RFC 9458 Appendix A', () => {
  it('decodes the key configuration and re-encodes it byte for byte; the gateway key derives the same public key', async () => {
    const config = decodeKeyConfig(hex(A.keyConfig));
    expect(config.keyId).toBe(1);
    expect(config.kemId).toBe(0x20);
    expect(config.algorithms).toEqual([{ kdfId: 1, aeadId: 1 }, { kdfId: 1, aeadId: 3 }]);
    expect(toHex(encodeKeyConfig(config))).toBe(A.keyConfig);
    const key = await gatewayKey(1, hex(A.skR));
    expect(toHex(key.config.publicKey)).toBe(toHex(config.publicKey));
  });

  it('encapsulates the example request with the example ephemeral key to the exact Encapsulated Request', async () => {
    const { encapsulated } = await encapsulateRequest(decodeKeyConfig(hex(A.keyConfig)), hex(A.request), await ephemeral());
    expect(toHex(encapsulated)).toBe(A.encapsulatedRequest);
  });

  it('decapsulates the example request, answers with the example nonce to the exact Encapsulated Response, which the client opens', async () => {
    const key = await gatewayKey(1, hex(A.skR));
    const { request, gateway } = await decapsulateRequest(key, hex(A.encapsulatedRequest));
    expect(toHex(request)).toBe(A.request);
    expect(decodeRequest(request).authority).toBe('example.com');
    const encapsulated = await encapsulateResponse(gateway, hex(A.response), hex(A.responseNonce));
    expect(toHex(encapsulated)).toBe(A.encapsulatedResponse);
    const { client } = await encapsulateRequest(decodeKeyConfig(hex(A.keyConfig)), hex(A.request), await ephemeral());
    const response = await decapsulateResponse(client, hex(A.encapsulatedResponse));
    expect(decodeResponse(response).status).toBe(200);
  });
});

describe('Oblivious HTTP, refusals', () => {
  const secret = new Uint8Array(32).fill(7);

  it('a fresh encapsulation differs every time (new ephemeral key) and still opens', async () => {
    const key = await gatewayKey(9, secret);
    const a = await encapsulateRequest(key.config, hex(A.request));
    const b = await encapsulateRequest(key.config, hex(A.request));
    expect(toHex(a.encapsulated)).not.toBe(toHex(b.encapsulated));
    expect(toHex((await decapsulateRequest(key, b.encapsulated)).request)).toBe(A.request);
  });

  it('refuses a tampered request, a request sealed to another key, and a response altered on the way', async () => {
    const key = await gatewayKey(9, secret);
    const { encapsulated, client } = await encapsulateRequest(key.config, hex(A.request));
    for (const at of [10, encapsulated.length - 1]) {
      const t = encapsulated.slice();
      t[at]! ^= 1;
      await refused(decapsulateRequest(key, t), 'decrypt-failed');
    }
    await refused(decapsulateRequest(await gatewayKey(9, new Uint8Array(32).fill(8)), encapsulated), 'decrypt-failed');
    await refused(decapsulateRequest(await gatewayKey(10, secret), encapsulated), 'unknown-key');
    const { gateway } = await decapsulateRequest(key, encapsulated);
    const res = await encapsulateResponse(gateway, hex(A.response));
    const t = res.slice();
    t[t.length - 1]! ^= 1;
    await refused(decapsulateResponse(client, t), 'decrypt-failed');
    await refused(decapsulateResponse(client, res.subarray(0, 20)), 'malformed');
  });

  it('refuses a short message, another suite, and key configurations that are malformed or lack the mandatory suite', async () => {
    expect(() => parseEncapsulatedRequest(new Uint8Array(40))).toThrow(OhttpError);
    const other = hex(A.encapsulatedRequest);
    other[6] = 3; // ChaCha20-Poly1305
    expect(() => parseEncapsulatedRequest(other)).toThrow(/not served/);
    const config = hex(A.keyConfig);
    expect(() => decodeKeyConfig(config.subarray(0, config.length - 1))).toThrow(OhttpError);
    expect(() => decodeKeyConfig(new Uint8Array([...config, 0]))).toThrow(OhttpError);
    const p256 = config.slice();
    p256[2] = 0x10;
    expect(() => decodeKeyConfig(p256)).toThrow(/not DHKEM\(X25519/);
    const chachaOnly = decodeKeyConfig(hex('01002031e1f05a740102115220e9af918f738674aec95f54db6e04eb705aae8e798155000400010003'));
    await refused(encapsulateRequest(chachaOnly, hex(A.request)), 'unsupported-suite');
    // A low-order point as the gateway's key: X25519 gives the all-zero secret, HPKE refuses.
    await refused(encapsulateRequest({ ...chachaOnly, algorithms: [{ kdfId: 1, aeadId: 1 }], publicKey: new Uint8Array(32) }, hex(A.request)), 'bad-key-config');
  });
});
