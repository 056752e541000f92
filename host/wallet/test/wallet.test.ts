// The wallet daemon against a real UC + mint over loopback HTTP, with its own SQLite store, a
// reference meter's records and a controlled clock: schedule, the Oblivious HTTP relay (a real
// `sipster relay serve` process), restart, UC and relay outages, debt.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { close, listen } from '../../mint/http.ts';
import { silentLogger } from '../../common/log.ts';
import { decodeRecord, type BillRecord, type TokenRecord } from '../../records/decode.ts';
import type { Db } from '../../store/db.ts';
import { openStore } from '../../store/open.ts';
import { genesisFor, newMeter, serveUc, type RunningUc } from '../../uc/test/helpers.ts';
import { WalletDaemon, type WalletOptions } from '../daemon.ts';
import { followPort, ingestFile } from '../intake.ts';
import { walletStatus } from '../status.ts';
import { startRelayProcess } from '../../relay/process.ts';
import { recordingWire } from '../../relay/test/wire.ts';
import { UcClient } from '../uc-client.ts';
import { paymentWindow, settlementWindow } from '../windows.ts';
import { payloadOf, recordedStream } from './frames.ts';

const dir = mkdtempSync(join(tmpdir(), 'sipster-wallet-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const HOUR = 3600; // the test UC's period (helpers.genesisFor)
const schedule = { originUnix: 0, periodSeconds: HOUR, epochLength: 4 };

/**
 * A proxy in front of the UC that records the paths asked for. With `tamper` set it alters every
 * receipt it passes back (a broken UC, or a hostile path to it), with `tamperOnly = k` only the
 * k-th receipt it passes (from 0): the receipt becomes −Z, a valid point that only the receipt
 * check refuses. With `swapOhttpKey` it serves the parameters log with another OHTTP key
 * configuration than the one the UC signed.
 */
async function startProxy(target: string): Promise<{ url: string; seen: string[]; tamper: boolean; tamperOnly: number | undefined; receipts: number; swapOhttpKey: boolean; stop(): Promise<void> }> {
  const seen: string[] = [];
  const relay = {
    url: '',
    seen,
    tamper: false,
    tamperOnly: undefined as number | undefined,
    receipts: 0,
    swapOhttpKey: false,
    stop: async () => undefined as void,
  };
  // the sign of y: 02 ↔ 03 in SEC1 (P-256), bit 0x20 of the first byte in ZCash's encoding (BLS12-381)
  const negate = (b: string): string => {
    const v = parseInt(b, 16);
    return (v === 2 || v === 3 ? v ^ 1 : v ^ 0x20).toString(16).padStart(2, '0');
  };
  const server: Server = createServer((req, res) => {
    seen.push(req.url ?? '');
    const up = httpRequest(new URL(req.url ?? '/', target), { method: req.method, headers: { 'content-type': req.headers['content-type'] ?? 'application/json' } }, (r) => {
      const chunks: Buffer[] = [];
      r.on('data', (d: Buffer) => chunks.push(d));
      r.on('end', () => {
        let body = Buffer.concat(chunks).toString();
        if (body.includes('"receipt":"')) {
          if (relay.tamper || relay.tamperOnly === relay.receipts) body = body.replace(/"receipt":"(..)/, (_m, b: string) => `"receipt":"${negate(b)}`);
          relay.receipts++;
        }
        if (relay.swapOhttpKey) body = body.replace(/("kind":"ohttp-key"[^}]*"config":"[0-9a-f]{6})([0-9a-f]{2})/, (_m, head: string, b: string) => `${head}${b === '00' ? '01' : '00'}`);
        res.writeHead(r.statusCode ?? 502, { 'content-type': 'application/json' });
        res.end(body);
      });
    });
    up.on('error', () => {
      res.writeHead(502);
      res.end('{"detail":"relay: upstream unreachable","code":0}');
    });
    req.pipe(up);
  });
  const port = await listen(server, 0);
  relay.url = `http://127.0.0.1:${port}`;
  relay.stop = () => close(server);
  return relay;
}

describe('wallet daemon', () => {
  let uc: RunningUc;
  let ucLocation: string;
  let n = 0;

  beforeAll(async () => {
    ucLocation = join(dir, 'uc.sqlite');
    uc = await serveUc(ucLocation);
  });
  afterAll(async () => uc?.stop());

  /** A household of the test UC, or of `on` (a UC of either suite). */
  async function household(name: string, extra: Partial<WalletOptions> = {}, on: RunningUc = uc) {
    const meter = newMeter(name, 'first', on.uc.params.suite.id);
    const accountToken = await on.uc.registerMeter(meter.meterId, meter.vkM);
    const clock = { t: 0 };
    const location = join(dir, `wallet-${++n}.sqlite`);
    let db: Db = await openStore(location);
    const options = (): WalletOptions => ({
      db,
      log: silentLogger,
      meterId: meter.meterId,
      ucUrl: on.url,
      mintUrl: on.url,
      accountToken,
      logVk: on.uc.logVk,
      withdrawAmount: 6,
      bufferTarget: 6,
      withdrawIntervalMs: 60_000,
      retryMs: 1000,
      now: () => clock.t,
      ...extra,
    });
    let daemon = await WalletDaemon.open(options());
    return {
      meter,
      clock,
      get daemon() {
        return daemon;
      },
      get db() {
        return db;
      },
      async restart() {
        await db.close();
        db = await openStore(location);
        daemon = await WalletDaemon.open(options());
      },
      client: new UcClient({ ucUrl: on.url, accountToken }),
      async close() {
        await db.close();
      },
    };
  }

  function period(meter: ReturnType<typeof newMeter>, label: number, units: number): { tokens: TokenRecord[]; bill: BillRecord } {
    meter.startPeriod(label);
    const tokens = Array.from({ length: units }, () => meter.tokenGen());
    return { tokens, bill: meter.billGen() };
  }

  it('pays each token at its own instant through the relay, survives a restart, and settles in the window', async () => {
    const relay = await startRelayProcess(`${uc.url}/v1/ohttp`);
    const wire = await recordingWire({ host: '127.0.0.1', port: Number(new URL(relay.url).port) });
    const h = await household('life', { relayUrl: wire.url });
    try {
      expect(h.daemon.privacy).toBe('on');
      const { tokens, bill } = period(h.meter, 1, 4);
      // A recorded stream file, as captured from the port.
      const file = join(dir, 'life.frames');
      writeFileSync(file, recordedStream([...tokens, bill]));
      expect(await ingestFile(h.daemon, file, silentLogger)).toBe(5);
      expect(decodeRecord(payloadOf(bill))).toMatchObject({ kind: 'bill', n: 4 });

      await h.daemon.tick(); // pins the log, withdraws the buffer; nothing is due yet
      let s = await walletStatus(h.db, 'on');
      expect(s.coins.available).toBe(6);
      expect(s.tokens).toEqual({ unpaid: 4, paid: 0 });

      const pay = paymentWindow(schedule, 1);
      const instants = (await h.db.all<{ pay_at: number }>('SELECT pay_at FROM w_tokens ORDER BY pay_at')).map((r) => r.pay_at);
      expect(instants.every((t) => t >= pay.from && t < pay.to)).toBe(true);
      expect(new Set(instants).size).toBe(4); // each token at its own instant, no batching

      h.clock.t = instants[1]!; // the first two are due
      await h.daemon.tick();
      expect((await walletStatus(h.db, 'on')).tokens).toEqual({ unpaid: 2, paid: 2 });

      await h.restart();
      h.clock.t = pay.to - 1;
      await h.daemon.tick();
      s = await walletStatus(h.db, 'on');
      expect(s.tokens).toEqual({ unpaid: 0, paid: 4 });
      expect(s.periods[0]).toMatchObject({ c: 0, state: 'ready' }); // self-checked, waiting for its window
      // Four encapsulated requests through the relay, one per token; what they ask is sealed.
      expect(wire.sent().toString('latin1').match(/POST \/ HTTP\/1\.1\r\n/g)).toHaveLength(4);
      expect(wire.sent().includes('/v1/pay')).toBe(false);

      h.clock.t = settlementWindow(schedule, 1).from;
      await h.daemon.tick();
      s = await walletStatus(h.db, 'on');
      expect(s.periods[0]).toMatchObject({ c: 0, state: 'settled', paid: 4 });
      // No coin lost: every coin withdrawn is either still available or paid one token.
      const [withdrawn] = await h.db.all<{ n: number }>("SELECT SUM(amount) AS n FROM w_withdrawals WHERE state = 'done'");
      expect(s.coins).toMatchObject({ spent: 4, reserved: 0, lost: 0 });
      expect(s.coins.available! + s.coins.spent!).toBe(Number(withdrawn!.n));
      expect((await h.client.status(h.meter.meterId)).bills.map((b) => b.status)).toEqual(['settled']);
      expect(wire.sent().toString('latin1').match(/POST \/ HTTP\/1\.1\r\n/g)).toHaveLength(4); // settle went direct
    } finally {
      await h.close();
      await wire.stop();
      await relay.stop();
    }
  });

  it('keeps every token through a UC outage and pays with the identical request afterwards', async () => {
    const h = await household('outage');
    try {
      expect(h.daemon.privacy).toBe('off');
      const { tokens, bill } = period(h.meter, 1, 3);
      for (const r of [...tokens, bill]) await h.daemon.ingest(r, payloadOf(r));
      await h.daemon.tick();
      const port = Number(new URL(uc.url).port);
      await uc.stop();
      h.clock.t = paymentWindow(schedule, 1).to - 1;
      await h.daemon.tick();
      const during = await h.db.all<{ attempts: number; coin: string | null; state: string }>('SELECT attempts, coin, state FROM w_tokens');
      expect(during.every((t) => t.state === 'unpaid' && t.attempts === 1 && t.coin !== null)).toBe(true);

      uc = await serveUc(ucLocation, undefined, port); // same store, same address: the UC is back
      h.clock.t += 5000; // past the retry delay
      await h.daemon.tick();
      const after = await h.db.all<{ coin: string; state: string }>('SELECT coin, state FROM w_tokens');
      expect(after.every((t) => t.state === 'paid')).toBe(true);
      expect(after.map((t) => t.coin)).toEqual(during.map((t) => t.coin)); // the same coins: identical retries
      h.clock.t = settlementWindow(schedule, 1).from + 1;
      await h.daemon.tick();
      expect((await walletStatus(h.db, 'off')).periods[0]!.state).toBe('settled');
    } finally {
      await h.close();
    }
  });

  it('keeps every token through a relay outage and pays with the identical request through it afterwards', async () => {
    let relay = await startRelayProcess(`${uc.url}/v1/ohttp`);
    const h = await household('relay-outage', { relayUrl: relay.url });
    try {
      const { tokens, bill } = period(h.meter, 1, 3);
      for (const r of [...tokens, bill]) await h.daemon.ingest(r, payloadOf(r));
      await h.daemon.tick();
      const port = new URL(relay.url).port;
      await relay.stop();
      h.clock.t = paymentWindow(schedule, 1).to - 1;
      await h.daemon.tick();
      const during = await h.db.all<{ attempts: number; coin: string | null; state: string }>('SELECT attempts, coin, state FROM w_tokens');
      expect(during.every((t) => t.state === 'unpaid' && t.attempts === 1 && t.coin !== null)).toBe(true);

      relay = await startRelayProcess(`${uc.url}/v1/ohttp`, ['--port', port]); // the relay is back
      h.clock.t += 5000;
      await h.daemon.tick();
      const after = await h.db.all<{ coin: string; state: string }>('SELECT coin, state FROM w_tokens');
      expect(after.every((t) => t.state === 'paid')).toBe(true);
      expect(after.map((t) => t.coin)).toEqual(during.map((t) => t.coin)); // the same coins: identical retries
      h.clock.t = settlementWindow(schedule, 1).from + 1;
      await h.daemon.tick();
      expect((await walletStatus(h.db, 'on')).periods[0]!.state).toBe('settled');
    } finally {
      await h.close();
      await relay.stop();
    }
  });

  it('refuses a parameters log whose OHTTP key configuration is not the one the UC signed, and sends nothing', async () => {
    const relay = await startRelayProcess(`${uc.url}/v1/ohttp`);
    const wire = await recordingWire({ host: '127.0.0.1', port: Number(new URL(relay.url).port) });
    const proxy = await startProxy(uc.url);
    proxy.swapOhttpKey = true;
    const h = await household('swapped-key', { ucUrl: proxy.url, mintUrl: uc.url, relayUrl: wire.url });
    try {
      const { tokens, bill } = period(h.meter, 1, 2);
      for (const r of [...tokens, bill]) await h.daemon.ingest(r, payloadOf(r));
      h.clock.t = paymentWindow(schedule, 1).to - 1;
      await h.daemon.tick();
      h.clock.t += 2001; // a refused log is fetched again after the retry delay (1-2 s here)
      await h.daemon.tick();
      expect(proxy.seen.filter((u) => u === '/v1/params').length).toBeGreaterThanOrEqual(2); // asked, refused, asked again
      expect(await h.db.all('SELECT 1 FROM w_params')).toHaveLength(0); // nothing pinned
      expect(wire.connections).toBe(0); // nothing sent through the relay
      expect((await walletStatus(h.db, 'on')).tokens).toEqual({ unpaid: 2, paid: 0 });
      proxy.swapOhttpKey = false; // the genuine log: pinned, and the tokens are paid through the relay
      h.clock.t += 2001;
      await h.daemon.tick();
      expect((await walletStatus(h.db, 'on')).tokens).toEqual({ unpaid: 0, paid: 2 });
      expect(wire.connections).toBeGreaterThan(0);
    } finally {
      await h.close();
      await Promise.all([wire.stop(), proxy.stop()]);
      await relay.stop();
    }
  });

  it('records a period with lost tokens as debt when its window closes, and settles it once they are replayed', async () => {
    const h = await household('lost');
    try {
      const { tokens, bill } = period(h.meter, 1, 3);
      for (const r of [tokens[0]!, tokens[2]!, bill]) await h.daemon.ingest(r, payloadOf(r));
      h.clock.t = settlementWindow(schedule, 1).from;
      await h.daemon.tick();
      expect((await walletStatus(h.db, 'off')).periods[0]).toMatchObject({ state: 'missing-tokens', paid: 2 });
      h.clock.t = settlementWindow(schedule, 1).to;
      await h.daemon.tick();
      expect((await walletStatus(h.db, 'off')).debts).toEqual([0]);
      expect((await h.client.status(h.meter.meterId)).debts).toEqual([0]);

      // The troubleshooting signal: the meter replays the closed period.
      for (const r of h.meter.replay()) if (r.kind === 'token' || r.kind === 'bill') await h.daemon.ingest(r, payloadOf(r));
      await h.daemon.tick();
      const s = await walletStatus(h.db, 'off');
      expect(s.periods[0]).toMatchObject({ state: 'settled', paid: 3 });
      expect((await h.client.status(h.meter.meterId)).debts).toEqual([]);
    } finally {
      await h.close();
    }
  });
  it('offers the dispute path when a token is truly lost: the period closes, all units owed openly', async () => {
    const h = await household('dispute');
    try {
      const { tokens, bill } = period(h.meter, 1, 3);
      for (const r of [tokens[0]!, tokens[1]!, bill]) await h.daemon.ingest(r, payloadOf(r));
      h.clock.t = settlementWindow(schedule, 1).from;
      await h.daemon.tick();
      expect((await walletStatus(h.db, 'off')).periods[0]).toMatchObject({ state: 'missing-tokens', paid: 2 });
      expect(await h.daemon.dispute(0)).toEqual({ credited: 0, owed: 3 });
      expect((await walletStatus(h.db, 'off')).periods[0]).toMatchObject({ state: 'disputed', detail: 'credited 0, owed 3' });
      expect((await h.client.status(h.meter.meterId)).bills.map((b) => b.status)).toEqual(['disputed']);
    } finally {
      await h.close();
    }
  });
  it('follows a live meter port (tcp:// console) and stores each record once across a reconnect', async () => {
    const h = await household('port');
    const { tokens, bill } = period(h.meter, 1, 2);
    const stream = recordedStream([...tokens, bill]);
    // A console that sends the records, drops the connection, and sends them all again on the next.
    const sockets: Socket[] = [];
    const server = createNetServer((sock) => {
      sockets.push(sock);
      sock.on('error', () => {}); // the follower may reset a connection it is done with while this end still flushes: not the test's concern
      sock.end(stream);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const follower = followPort(h.daemon, `tcp://127.0.0.1:${port}`, silentLogger);
    try {
      for (let k = 0; k < 100 && sockets.length < 2; k++) await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 200));
      expect(sockets.length).toBeGreaterThanOrEqual(2);
      const rows = await h.db.all<{ kind: string }>('SELECT kind FROM w_records ORDER BY record_seq');
      expect(rows.map((r) => r.kind)).toEqual(['token', 'token', 'bill']);
      expect((await walletStatus(h.db, 'off')).tokens).toEqual({ unpaid: 2, paid: 0 });
    } finally {
      await follower.stop();
      await new Promise<void>((r) => server.close(() => r()));
      await h.close();
    }
  });
  it('refuses a receipt that does not verify under the pinned key, and recovers it by the identical retry', async () => {
    // Direct (privacy off), so the proxy can reach the receipt: through the relay it is sealed.
    const relay = await startProxy(uc.url);
    const h = await household('tampered', { ucUrl: relay.url });
    try {
      const { tokens, bill } = period(h.meter, 1, 1);
      for (const r of [...tokens, bill]) await h.daemon.ingest(r, payloadOf(r));
      await h.daemon.tick();
      relay.tamper = true;
      h.clock.t = paymentWindow(schedule, 1).to - 1;
      await h.daemon.tick();
      const [refused] = await h.db.all<{ state: string; attempts: number; receipt: Uint8Array | null; coin: string }>('SELECT state, attempts, receipt, coin FROM w_tokens');
      expect(refused).toMatchObject({ state: 'unpaid', attempts: 1, receipt: null });

      relay.tamper = false;
      h.clock.t += 5000;
      await h.daemon.tick();
      const [paid] = await h.db.all<{ state: string; coin: string }>('SELECT state, coin FROM w_tokens');
      expect(paid).toEqual({ state: 'paid', coin: refused!.coin }); // the same coin: the UC answered the retry from its record
      expect((await walletStatus(h.db, 'on')).coins).toMatchObject({ spent: 1, lost: 0 });
    } finally {
      await h.close();
      await relay.stop();
    }
  });
  it.each(['P256-SHA256', 'BLS12381-SHA256'] as const)('%s: checks a round of receipts together, refuses the one forged among them, and pays it by the identical retry', async (suite) => {
    const other = suite === 'P256-SHA256' ? uc : await serveUc(join(dir, `uc-${suite}.sqlite`), genesisFor(suite));
    const relay = await startProxy(other.url);
    const h = await household(`batch-${suite}`, { ucUrl: relay.url }, other);
    try {
      const { tokens, bill } = period(h.meter, 1, 5);
      for (const r of [...tokens, bill]) await h.daemon.ingest(r, payloadOf(r));
      await h.daemon.tick();
      relay.tamperOnly = relay.receipts + 2; // the third receipt of the round
      h.clock.t = paymentWindow(schedule, 1).to - 1; // every token due at once: one round of five
      await h.daemon.tick();
      const rows = () => h.db.all<{ i: number; state: string; attempts: number; coin: string }>('SELECT i, state, attempts, coin FROM w_tokens ORDER BY i');
      const round = await rows();
      const refused = round.filter((t) => t.state !== 'paid');
      expect(refused).toMatchObject([{ state: 'unpaid', attempts: 1 }]);
      expect(round.filter((t) => t.state === 'paid' && t.attempts === 0)).toHaveLength(4);

      relay.tamperOnly = undefined;
      h.clock.t += 5000;
      await h.daemon.tick();
      const after = await rows();
      expect(after.every((t) => t.state === 'paid')).toBe(true);
      expect(after.find((t) => t.i === refused[0]!.i)!.coin).toBe(refused[0]!.coin); // the same coin: answered from the UC's record
      expect((await walletStatus(h.db, 'on')).coins).toMatchObject({ spent: 5, lost: 0 });
    } finally {
      await h.close();
      await relay.stop();
      if (other !== uc) await other.stop();
    }
  });
  it('recovers a withdrawal interrupted after the mint signed (deterministic outputs, NUT-09 restore)', async () => {
    let crash = true;
    const h = await household('withdraw-crash', {
      faults: () => {
        if (crash) throw new Error('simulated crash after the mint answered');
      },
    });
    try {
      await h.daemon.tick();
      expect((await walletStatus(h.db, 'off')).coins.available).toBe(0);
      expect(await h.db.all<{ state: string }>('SELECT state FROM w_withdrawals')).toEqual([{ state: 'pending' }]);
      crash = false;
      await h.restart();
      await h.daemon.tick();
      const s = await walletStatus(h.db, 'off');
      expect(s.coins.available).toBe(6); // the 6 coins the mint had signed, restored, none twice
      expect(await h.db.all<{ state: string }>('SELECT state FROM w_withdrawals')).toEqual([{ state: 'done' }]);
      // And they are real, unspent coins: one pays a token.
      const { tokens, bill } = period(h.meter, 1, 1);
      for (const r of [...tokens, bill]) await h.daemon.ingest(r, payloadOf(r));
      h.clock.t = paymentWindow(schedule, 1).to - 1;
      await h.daemon.tick();
      expect((await walletStatus(h.db, 'off')).tokens).toEqual({ unpaid: 0, paid: 1 });
    } finally {
      await h.close();
    }
  });
});
