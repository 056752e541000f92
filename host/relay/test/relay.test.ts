// Pay and receipt lookup through the Oblivious HTTP relay, all real processes on loopback:
// `sipster uc serve` (gateway) and `sipster relay serve`, with recording wires around the relay.
// What a relay that records everything holds (no ρ, no coin, no receipt), what the UC's access log
// holds (the relay's address only), and every refusal with its own error.
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Proof } from '@cashu/cashu-ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeResponse, encodeRequest } from '../../ohttp/bhttp.ts';
import { decapsulateResponse, decodeKeyConfig, encapsulateRequest, OhttpError, type KeyConfig } from '../../ohttp/ohttp.ts';
import { encodePayRequest, fromHex, toHex, verifyParamsLog, type PinnedParams } from '../../protocol/index.ts';
import { startUcProcess, type UcProcess } from '../../uc/process.ts';
import { withdraw } from '../../uc/test/helpers.ts';
import { UcClient } from '../../wallet/uc-client.ts';
import { startRelayProcess, type RelayProcess } from '../process.ts';
import { recordingWire, type Wire } from './wire.ts';

const dir = mkdtempSync(join(tmpdir(), 'sipster-relay-'));
const RELAY_EGRESS = '127.0.0.3';

let uc: UcProcess;
let params: PinnedParams;
let coins: Proof[];
/** client → wireIn → relay → wireOut → UC */
let wireIn: Wire;
let wireOut: Wire;
let recorded: RelayProcess;
/** client → relay (egress from RELAY_EGRESS) → UC */
let relay: RelayProcess;

const port = (url: string): number => Number(new URL(url).port);
const coin = (p: Proof) => ({ id: p.id, amount: Number(p.amount), secret: p.secret, C: p.C });

beforeAll(async () => {
  const origin = Math.floor(Date.now() / 1000) - 60; // epoch 0 now: its receipt and OHTTP keys are published
  uc = await startUcProcess(join(dir, 'uc.sqlite'), {}, ['--log-level', 'debug', '--origin-unix', String(origin), '--period-seconds', '3600', '--epoch-length', '4']);
  const served = (await (await fetch(`${uc.url}/v1/params`)).json()) as { logVk: string; entries: [] };
  params = verifyParamsLog(served.entries, fromHex(served.logVk, 33));
  coins = await withdraw(uc.url, 12);
  wireOut = await recordingWire({ host: '127.0.0.1', port: port(uc.url) });
  recorded = await startRelayProcess(`${wireOut.url}/v1/ohttp`);
  wireIn = await recordingWire({ host: '127.0.0.1', port: port(recorded.url) });
  relay = await startRelayProcess(`${uc.url}/v1/ohttp`, ['--local-address', RELAY_EGRESS]);
});

afterAll(async () => {
  await Promise.all([relay?.stop(), recorded?.stop(), wireIn?.stop(), wireOut?.stop()]);
  await uc?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const pinnedKey = (): KeyConfig => params.ohttpKeys.get(0)!;
const client = (relayUrl: string, keyConfig: () => KeyConfig = pinnedKey) => new UcClient({ ucUrl: uc.url, oblivious: { relayUrl, keyConfig } });

/** Every way a value could show on the wire: raw bytes, hex (either case), base64. */
function leaks(haystack: Buffer, secret: Uint8Array | string): boolean {
  const b = typeof secret === 'string' ? Buffer.from(secret) : Buffer.from(secret);
  const forms = [b, Buffer.from(b.toString('hex')), Buffer.from(b.toString('hex').toUpperCase()), Buffer.from(b.toString('base64'))];
  if (typeof secret === 'string') forms.push(Buffer.from(secret));
  return forms.some((f) => haystack.includes(f));
}

describe('the Oblivious HTTP relay', () => {
  it('holds no ρ, no coin and no receipt in what it receives or sends, yet the UC paid every token', async () => {
    const c = client(wireIn.url);
    const paid: { rho: Uint8Array; proof: Proof; receipt: Uint8Array }[] = [];
    for (const proof of coins.slice(0, 3)) {
      const rho = new Uint8Array(randomBytes(32));
      const { receipt, replay } = await c.pay(encodePayRequest({ e: 0, rho }), proof);
      expect(replay).toBe(false);
      paid.push({ rho, proof, receipt });
    }
    // A coin-less lookup through the relay finds the stored receipt.
    expect(toHex((await c.receipt(encodePayRequest({ e: 0, rho: paid[0]!.rho })))!)).toBe(toHex(paid[0]!.receipt));
    const capture = Buffer.concat([wireIn.sent(), wireIn.received(), wireOut.sent(), wireOut.received()]);
    expect(wireIn.sent().includes('message/ohttp-req')).toBe(true); // the wires did record the traffic
    expect(wireOut.received().includes('message/ohttp-res')).toBe(true);
    for (const p of paid) {
      for (const secret of [p.rho, encodePayRequest({ e: 0, rho: p.rho }), p.proof.secret, p.proof.C, p.receipt]) expect(leaks(capture, secret), 'found on the wire').toBe(false);
    }
    expect(capture.includes('"proofs"')).toBe(false);
  });

  it('forwards nothing of the client: only host, content type, length and connection reach the UC', async () => {
    const before = wireOut.sent().length;
    const { encapsulated } = await encapsulateRequest(pinnedKey(), encodeRequest({ method: 'POST', scheme: 'http', authority: 'uc', path: '/v1/receipt', headers: [['content-type', 'application/json']], content: new Uint8Array(Buffer.from(JSON.stringify({ request: toHex(encodePayRequest({ e: 0, rho: new Uint8Array(32).fill(9) })) }))), trailers: [] }));
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(wireIn.url, {
        method: 'POST',
        headers: { 'content-type': 'message/ohttp-req', 'x-forwarded-for': '10.9.8.7', forwarded: 'for=10.9.8.7', via: '1.1 household', cookie: 'household=42', 'user-agent': 'household-wallet/1', 'x-household': 'H42' },
      }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(Buffer.from(encapsulated));
    });
    expect(status).toBe(200); // the gateway answered (an encapsulated 404: that token is not paid)
    const forwarded = wireOut.sent().subarray(before).toString('latin1');
    const head = forwarded.slice(0, forwarded.indexOf('\r\n\r\n'));
    const names = head.split('\r\n').slice(1).map((l) => l.slice(0, l.indexOf(':')).toLowerCase());
    expect(new Set(names)).toEqual(new Set(['host', 'content-type', 'content-length', 'connection']));
    for (const v of ['10.9.8.7', 'household', 'H42']) expect(forwarded.includes(v)).toBe(false);
  });

  it('leaves only the relay\'s address in the UC\'s access log for pays and lookups', async () => {
    const from = uc.output().length;
    const c = client(relay.url);
    const rho = new Uint8Array(randomBytes(32));
    await c.pay(encodePayRequest({ e: 0, rho }), coins[3]!);
    await c.receipt(encodePayRequest({ e: 0, rho }));
    await new UcClient({ ucUrl: uc.url }).params(); // a direct call, from the wallet's own address
    // The UC writes each access-log line once it has answered: wait for the last one to arrive.
    for (let k = 0; k < 200 && !uc.output().slice(from).includes('path=/v1/params'); k++) await new Promise((r) => setTimeout(r, 50));
    const lines = uc.output().slice(from).split('\n').filter((l) => / uc: request method=/.test(l));
    const oblivious = lines.filter((l) => l.includes('path=/v1/ohttp'));
    expect(oblivious).toHaveLength(2);
    expect(oblivious.every((l) => l.includes(`remote=${RELAY_EGRESS}`))).toBe(true);
    expect(lines.some((l) => /path=\/v1\/(pay|receipt)/.test(l))).toBe(false);
    expect(lines.find((l) => l.includes('path=/v1/params'))).toContain('remote=127.0.0.1');
    expect(uc.output().includes(toHex(rho))).toBe(false);
  });

  it('refuses a replayed encapsulation and a tampered one, each with its own error; a fresh encapsulation of the same request is served', async () => {
    const rho = new Uint8Array(randomBytes(32));
    const inner = encodeRequest({
      method: 'POST',
      scheme: 'http',
      authority: 'uc',
      path: '/v1/pay',
      headers: [['content-type', 'application/json']],
      content: new Uint8Array(Buffer.from(JSON.stringify({ request: toHex(encodePayRequest({ e: 0, rho })), proofs: [coin(coins[4]!)] }))),
      trailers: [],
    });
    const post = async (body: Uint8Array) => {
      const res = await fetch(relay.url, { method: 'POST', headers: { 'content-type': 'message/ohttp-req' }, body });
      return { status: res.status, type: res.headers.get('content-type'), body: new Uint8Array(await res.arrayBuffer()) };
    };
    const first = await encapsulateRequest(pinnedKey(), inner);
    const ok = await post(first.encapsulated);
    expect(ok).toMatchObject({ status: 200, type: 'message/ohttp-res' });
    const answer = decodeResponse(await decapsulateResponse(first.client, ok.body));
    expect(answer.status).toBe(200);
    const receipt = (JSON.parse(Buffer.from(answer.content).toString()) as { receipt: string; replay: boolean });
    expect(receipt.replay).toBe(false);

    const replayed = await post(first.encapsulated);
    expect(replayed.status).toBe(409);
    expect(JSON.parse(Buffer.from(replayed.body).toString())).toMatchObject({ code: 53005 });

    const tampered = (await encapsulateRequest(pinnedKey(), inner)).encapsulated;
    tampered[tampered.length - 3]! ^= 0x40;
    const t = await post(tampered);
    expect(t.status).toBe(400);
    expect(JSON.parse(Buffer.from(t.body).toString())).toMatchObject({ code: 53004 });
    const unknown = (await encapsulateRequest(pinnedKey(), inner)).encapsulated;
    unknown[0] = 200;
    expect(JSON.parse(Buffer.from((await post(unknown)).body).toString())).toMatchObject({ code: 53002 });
    const otherSuite = (await encapsulateRequest(pinnedKey(), inner)).encapsulated;
    otherSuite[6] = 3;
    expect(JSON.parse(Buffer.from((await post(otherSuite)).body).toString())).toMatchObject({ code: 53003 });

    // The wallet's retry: the identical request, encapsulated afresh: the stored receipt, no coin spent.
    const retry = await encapsulateRequest(pinnedKey(), inner);
    const again = decodeResponse(await decapsulateResponse(retry.client, (await post(retry.encapsulated)).body));
    expect(JSON.parse(Buffer.from(again.content).toString())).toEqual({ receipt: receipt.receipt, replay: true });
  });

  it('the wallet refuses a key configuration it cannot use, or none, before anything is sent', async () => {
    const connections = wireIn.connections;
    const chachaOnly = decodeKeyConfig(fromHex('01002031e1f05a740102115220e9af918f738674aec95f54db6e04eb705aae8e798155000400010003'));
    const err = await client(wireIn.url, () => chachaOnly).pay(encodePayRequest({ e: 0, rho: new Uint8Array(32).fill(1) }), coins[5]!).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OhttpError);
    expect((err as OhttpError).code).toBe('unsupported-suite');
    const none = () => {
      throw new Error('no pinned OHTTP key');
    };
    await expect(client(wireIn.url, none).receipt(encodePayRequest({ e: 0, rho: new Uint8Array(32).fill(1) }))).rejects.toThrow('no pinned OHTTP key');
    expect(wireIn.connections).toBe(connections);
  });

  it('refuses what is not an encapsulated request, bodies past its limit, other methods, and a client past its rate', async () => {
    const limited = await startRelayProcess(`${uc.url}/v1/ohttp`, ['--max-body', '256', '--rate', '1', '--burst', '2']);
    try {
      const post = (body: Uint8Array, type = 'message/ohttp-req') => fetch(limited.url, { method: 'POST', headers: { 'content-type': type }, body });
      expect((await post(new Uint8Array(64), 'application/json')).status).toBe(415);
      expect((await post(new Uint8Array(257))).status).toBe(413);
      expect((await fetch(limited.url)).status).toBe(405);
      const statuses = await Promise.all(Array.from({ length: 20 }, () => post(new Uint8Array(64)).then((r) => r.status)));
      expect(statuses).toContain(429);
      // What did pass reached the gateway, which could not open 64 zero bytes (unknown key 0 … or suite).
      expect(statuses.filter((s) => s !== 429).every((s) => s === 400)).toBe(true);
    } finally {
      await limited.stop();
    }
  });
});
