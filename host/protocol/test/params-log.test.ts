// The parameters log's Oblivious HTTP key entries: pinned per epoch like A_e, only the one
// configuration a Sipster gateway makes, and logs from before them still verify.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { drbg } from '../../meter/drbg.ts';
import { encodeKeyConfig, sipsterKeyConfig, type KeyConfig } from '../../ohttp/key-config.ts';
import { appendEntry, encodeEpochKey, generateEpochKey, getSuite, meterKeyFromSeed, ohttpKeyFor, SipsterError, toHex, verifyParamsLog, type ParamsBody, type ParamsEntry } from '../index.ts';

const suite = getSuite('P256-SHA256');
const rand = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
const logKey = meterKeyFromSeed(drbg('params-log test key')(32));
const genesis: ParamsBody = { kind: 'genesis', ucName: 'Test', suite: suite.id, epochLength: 4, periodSeconds: 3600, originUnix: 0 };
const ohttp = (e: number, config: KeyConfig = sipsterKeyConfig(e & 0xff, rand(32))): ParamsBody => ({ kind: 'ohttp-key', e, config: toHex(encodeKeyConfig(config)) });

function log(...bodies: ParamsBody[]): ParamsEntry[] {
  const entries: ParamsEntry[] = [];
  for (const b of [genesis, ...bodies]) entries.push(appendEntry(entries, b, logKey, rand));
  return entries;
}

function refused(entries: ParamsEntry[], why: RegExp): void {
  try {
    verifyParamsLog(entries, logKey.vk);
  } catch (err) {
    expect(err).toBeInstanceOf(SipsterError);
    expect((err as SipsterError).code).toBe('bad-params-log');
    expect((err as Error).message).toMatch(why);
    return;
  }
  throw new Error('log accepted');
}

describe('parameters log: OHTTP key configurations', () => {
  const epochKey = (e: number): ParamsBody => ({ kind: 'epoch-key', key: toHex(encodeEpochKey(suite, generateEpochKey(suite, e, rand))) });

  it('pins one key configuration per epoch beside A_e; a log without any still verifies', () => {
    const old = verifyParamsLog(log(epochKey(0), epochKey(1)), logKey.vk);
    expect(old.ohttpKeys.size).toBe(0);
    expect(ohttpKeyFor(old, 1)).toBeUndefined();
    const k0 = sipsterKeyConfig(0, rand(32));
    const k2 = sipsterKeyConfig(2, rand(32));
    const pinned = verifyParamsLog(log(epochKey(0), ohttp(0, k0), epochKey(2), ohttp(2, k2), ohttp(256)), logKey.vk);
    expect(toHex(pinned.ohttpKeys.get(0)!.publicKey)).toBe(toHex(k0.publicKey));
    // Rotation by epoch: the epoch's own key, else the latest one before it.
    expect(toHex(ohttpKeyFor(pinned, 1)!.publicKey)).toBe(toHex(k0.publicKey));
    expect(toHex(ohttpKeyFor(pinned, 3)!.publicKey)).toBe(toHex(k2.publicKey));
    expect(ohttpKeyFor(pinned, 256)!.keyId).toBe(0);
  });

  it('refuses a configuration with another key id, another or an extra suite, or malformed bytes', () => {
    refused(log(ohttp(3, sipsterKeyConfig(4, rand(32)))), /must be key id 3/);
    refused(log(ohttp(3, { ...sipsterKeyConfig(3, rand(32)), algorithms: [{ kdfId: 1, aeadId: 3 }] })), /must be key id 3 with X25519/);
    refused(log(ohttp(3, { ...sipsterKeyConfig(3, rand(32)), algorithms: [{ kdfId: 1, aeadId: 1 }, { kdfId: 1, aeadId: 3 }] })), /alone/);
    refused(log({ kind: 'ohttp-key', e: 3, config: toHex(encodeKeyConfig(sipsterKeyConfig(3, rand(32)))).slice(0, -2) }), /entry 1: .*key configuration/);
    refused(log({ kind: 'ohttp-key', e: 3, config: toHex(encodeKeyConfig({ ...sipsterKeyConfig(3, rand(32)), kemId: 0x10 })) }), /not DHKEM\(X25519/);
    refused(log({ kind: 'ohttp-key', e: -1, config: toHex(encodeKeyConfig(sipsterKeyConfig(255, rand(32)))) }), /u32/);
  });

  it('refuses a second key for one epoch, and a configuration swapped after signing', () => {
    refused(log(ohttp(5), ohttp(5)), /epoch 5 published twice/);
    const entries = log(ohttp(5));
    const swapped = { ...entries[1]!, body: ohttp(5) };
    refused([entries[0]!, swapped], /entry 1: .*signature/i);
  });
});
