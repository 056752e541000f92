// Records forged on the serial line (issue 14, item 5). The line is not authenticated: a device
// on it can put its own bill and tokens ahead of the meter's, reusing their sequence numbers (the
// reader passes a reused number on as a rewind). The wallet keeps the bill that verifies under
// the meter's key from the signed parameters log, settles with the tokens that bill opens, and a
// forged token costs at most the one coin paid for it, reported.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createNetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../common/log.ts';
import { billHash, toHex } from '../../protocol/index.ts';
import type { BillRecord, MeterRecord, TokenRecord } from '../../records/decode.ts';
import { openStore } from '../../store/open.ts';
import { newMeter, serveUc, type RunningUc } from '../../uc/test/helpers.ts';
import { UcClient } from '../uc-client.ts';
import { WalletDaemon } from '../daemon.ts';
import { followPort } from '../intake.ts';
import { walletStatus } from '../status.ts';
import { paymentWindow, settlementWindow } from '../windows.ts';
import { payloadOf, recordedStream } from './frames.ts';

const dir = mkdtempSync(join(tmpdir(), 'sipster-forged-'));
const schedule = { originUnix: 0, periodSeconds: 3600, epochLength: 4 };
let uc: RunningUc;
beforeAll(async () => {
  uc = await serveUc(join(dir, 'uc.sqlite'));
});
afterAll(async () => {
  await uc.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A meter console on tcp:// that sends what it is given, when it is given it. */
async function meterConsole(): Promise<{ url: string; send(b: Buffer): void; stop(): Promise<void> }> {
  let sock: Socket | undefined;
  const server = createNetServer();
  const connected = new Promise<void>((resolve) => {
    server.once('connection', (s: Socket) => {
      sock = s;
      resolve();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `tcp://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url,
    send: (b) => void connected.then(() => sock!.write(b)),
    stop: () => new Promise<void>((r) => {
      sock?.destroy();
      server.close(() => r());
    }),
  };
}

/** The forger's copy of a record, numbered like the meter's real one (a reused sequence number). */
const asIf = <R extends MeterRecord>(forged: R, real: MeterRecord): R => ({ ...forged, bootSeq: real.bootSeq, recordSeq: real.recordSeq });

describe('records forged on the serial line', () => {
  it('keeps the bill that verifies, replaces a forged token by the real one, and pays at most one coin per forgery', async () => {
    const meter = newMeter('forged-line');
    const forger = newMeter('forged-line', 'forger'); // same meterId, its own key: not registered
    const accountToken = await uc.uc.registerMeter(meter.meterId, meter.vkM);
    const lines: string[] = [];
    const log = createLogger('wallet', 'info', (l) => lines.push(l));
    const clock = { t: 0 };
    const db = await openStore(join(dir, 'wallet.sqlite'));
    const daemon = await WalletDaemon.open({ db, log, meterId: meter.meterId, ucUrl: uc.url, mintUrl: uc.url, accountToken, logVk: uc.uc.logVk, withdrawAmount: 8, bufferTarget: 8, withdrawIntervalMs: 60_000, retryMs: 1000, now: () => clock.t });

    meter.startPeriod(1);
    forger.startPeriod(1);
    const real: TokenRecord[] = [meter.tokenGen(), meter.tokenGen(), meter.tokenGen()];
    const realBill: BillRecord = meter.billGen();
    const fake: TokenRecord[] = [forger.tokenGen(), forger.tokenGen(), forger.tokenGen(), forger.tokenGen()];
    const fakeBill: BillRecord = forger.billGen(); // 4 units, signed by the forger's key
    const line = await meterConsole();
    const follower = followPort(daemon, line.url, log);
    const held = async (n: number): Promise<void> => {
      for (let k = 0; k < 100; k++) {
        const [row] = await db.all<{ n: number }>('SELECT COUNT(*) AS n FROM w_records');
        if (Number(row!.n) >= n) return;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`fewer than ${n} records stored`);
    };
    try {
      // Token (c=0, i=0): the forger's ahead of the meter's, same sequence number; then the meter's
      // other two; then the forger's fourth, which the meter never billed.
      line.send(recordedStream([asIf(fake[0]!, real[0]!), real[0]!, real[1]!, real[2]!, asIf(fake[3]!, real[2]!)]));
      await held(3);
      await new Promise((r) => setTimeout(r, 200));
      await daemon.tick(); // pins the log, withdraws
      clock.t = paymentWindow(schedule, 1).to - 1;
      await daemon.tick(); // pays every token held: the two forgeries too (one coin each)
      expect((await walletStatus(db, 'off')).tokens).toEqual({ unpaid: 0, paid: 4 });

      // The bill: the forger's first, with the meter's sequence number; then the meter's.
      line.send(recordedStream([asIf(fakeBill, realBill), realBill]));
      await held(4);
      // Both bills reach the store (the second shares the first's record number, so w_records keeps one row).
      const candidates = (): Promise<number> => db.all('SELECT 1 FROM w_bill_candidates').then((r) => r.length, () => 0);
      for (let k = 0; k < 50 && (await candidates()) < 2; k++) await new Promise((r) => setTimeout(r, 20));
      clock.t = settlementWindow(schedule, 1).from;
      await daemon.tick(); // judges both bills, finds the forged token at i=0, puts the real one back
      await daemon.tick(); // pays the real token (late), self-checks, settles

      const [period] = await db.all<{ bill_message: Uint8Array; state: string; n: number }>('SELECT bill_message, state, n FROM w_periods WHERE c = 0');
      expect(toHex(new Uint8Array(period!.bill_message))).toBe(toHex(realBill.billMessage));
      expect(period).toMatchObject({ state: 'settled', n: 3 });
      const status = await walletStatus(db, 'off');
      expect(status.tokens).toEqual({ unpaid: 0, paid: 3, forged: 1 });
      // Cost: the three units billed plus one coin per forged token paid, nothing more.
      expect(status.coins).toMatchObject({ spent: 5, reserved: 0, lost: 0 });
      const [withdrawn] = await db.all<{ n: number }>("SELECT SUM(amount) AS n FROM w_withdrawals WHERE state = 'done'");
      expect(status.coins.available! + status.coins.spent!).toBe(Number(withdrawn!.n));
      const bills = (await new UcClient({ ucUrl: uc.url, accountToken }).status(meter.meterId)).bills;
      expect(bills).toEqual([expect.objectContaining({ c: 0, status: 'settled', billHash: toHex(billHash(realBill.billMessage)) })]);
      const text = lines.join('\n');
      expect(text).toMatch(/ERROR wallet: forged bill rejected: it is not signed by this meter c=0 reason="bill signature does not verify"/);
      expect(text).toMatch(/ERROR wallet: two different tokens for one \(c, i\).* c=0 i=0/);
      expect(text).toMatch(/ERROR wallet: forged token replaced by the one the signed bill opens c=0 i=0 coinLost=true/);
      expect(text).toMatch(/ERROR wallet: forged token: its index is beyond the signed bill's count c=0 i=3 billed=3 coinLost=true/);
    } finally {
      await follower.stop();
      await line.stop();
      await db.close();
    }
  });

  it('does not pay a token the signed bill does not count once the bill is held', async () => {
    const meter = newMeter('forged-late');
    const forger = newMeter('forged-late', 'forger');
    const accountToken = await uc.uc.registerMeter(meter.meterId, meter.vkM);
    const lines: string[] = [];
    const db = await openStore(join(dir, 'wallet-late.sqlite'));
    const clock = { t: 0 };
    const daemon = await WalletDaemon.open({ db, log: createLogger('wallet', 'info', (l) => lines.push(l)), meterId: meter.meterId, ucUrl: uc.url, mintUrl: uc.url, accountToken, logVk: uc.uc.logVk, withdrawAmount: 4, bufferTarget: 4, now: () => clock.t });
    try {
      meter.startPeriod(1);
      forger.startPeriod(1);
      const real = [meter.tokenGen()];
      const bill = meter.billGen();
      const fake = [forger.tokenGen(), forger.tokenGen()];
      for (const r of [...real, bill]) await daemon.ingest(r, payloadOf(r));
      await daemon.tick();
      await daemon.ingest(fake[1]!, payloadOf(fake[1]!)); // (c=0, i=1): beyond n=1
      clock.t = settlementWindow(schedule, 1).from;
      await daemon.tick();
      const status = await walletStatus(db, 'off');
      expect(status.tokens).toEqual({ unpaid: 0, paid: 1, forged: 1 });
      expect(status.coins).toMatchObject({ spent: 1 });
      expect(status.periods[0]).toMatchObject({ c: 0, state: 'settled' });
      expect(lines.join('\n')).toMatch(/forged token: its index is beyond the signed bill's count c=0 i=1 billed=1 coinLost=false/);
    } finally {
      await db.close();
    }
  });
});
