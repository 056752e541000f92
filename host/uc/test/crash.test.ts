// Crash tests: the UC runs as a subprocess and SIGKILLs itself at a chosen point of a pay or a
// settle (SIPSTER_UC_FAULT). After a restart, the wallet's retry of the identical request must
// leave: no coin lost or spent twice, every paid token with its receipt, the bill settled once.
import { randomInt } from 'node:crypto';
import type { Proof } from '@cashu/cashu-ts';
import { afterAll, describe, expect, it } from 'vitest';
import { TestPaymentBackend } from '../../mint/backend.ts';
import { silentLogger } from '../../common/log.ts';
import { Mint } from '../../mint/mint.ts';
import { storeFixtures } from '../../mint/test/helpers.ts';
import { combine, decodeReceipt, encodePayRequest, toHex, verifyParamsLog, verifyReceipt, type Receipt } from '../../protocol/index.ts';
import { hashToCurveCashu } from '../../mint/coin-check.ts';
import type { BillRecord, TokenRecord } from '../../records/decode.ts';
import { openStore } from '../../store/open.ts';
import { UcClient, UcHttpError } from '../../wallet/uc-client.ts';
import { FAULT_POINTS, type FaultPoint } from '../faults.ts';
import { UcService } from '../service.ts';
import { genesisFor, newMeter, serveUc, withdraw } from './helpers.ts';
import { startUcProcess, type UcProcess } from '../process.ts';

const fixtures = storeFixtures();
afterAll(async () => {
  for (const f of fixtures) await f.cleanup();
});

interface Setup {
  location: string;
  token: string;
  logVk: Uint8Array;
  tokens: TokenRecord[];
  bill: BillRecord;
}

async function setUp(location: string, name: string, n: number): Promise<Setup> {
  const db = await openStore(location);
  const mint = await Mint.open(db, new TestPaymentBackend(true));
  const uc = await UcService.open(db, mint, { genesis: genesisFor(), epochs: [0, 1, 2], log: silentLogger });
  const meter = newMeter(name);
  const token = await uc.registerMeter(meter.meterId, meter.vkM);
  const logVk = uc.logVk;
  await db.close();
  meter.startPeriod(1);
  const tokens = Array.from({ length: n }, () => meter.tokenGen());
  return { location, token, logVk, tokens, bill: meter.billGen() };
}

/** Counts straight from the store: spent coins, paid tokens, settlements. */
async function ledger(location: string): Promise<{ spent: number; paid: number; settlements: number }> {
  const db = await openStore(location);
  try {
    const [s] = await db.all<{ n: number }>('SELECT COUNT(*) AS n FROM mint_spent');
    const [p] = await db.all<{ n: number }>('SELECT COUNT(*) AS n FROM uc_paid');
    const [t] = await db.all<{ n: number }>('SELECT COUNT(*) AS n FROM uc_settlements');
    return { spent: Number(s!.n), paid: Number(p!.n), settlements: Number(t!.n) };
  } finally {
    await db.close();
  }
}

/** Coins withdrawn from an in-process mint on the same store (no subprocess needed for that). */
async function withdrawOn(location: string, n: number): Promise<Proof[]> {
  const running = await serveUc(location);
  try {
    return await withdraw(running.url, n);
  } finally {
    await running.stop();
  }
}

const payPoints = FAULT_POINTS.filter((p) => p.startsWith('pay:'));
const settlePoints = FAULT_POINTS.filter((p) => p.startsWith('settle:'));
const pick = <T>(xs: readonly T[]): T[] => [xs[randomInt(xs.length)]!];

for (const fixture of fixtures) {
  // Every fault point on SQLite; on PostgreSQL one pay point and one settle point drawn at random
  // per run (the transaction logic is shared; this keeps the suite's time in budget).
  const sqlite = fixture.kind === 'sqlite';
  describe.skipIf(!fixture.enabled)(`UC crash recovery on ${fixture.kind}`, () => {
    it.each(sqlite ? payPoints : pick(payPoints))('a UC killed at %s loses no coin and pays every token once after retry', async (point: FaultPoint) => {
      const n = 4;
      const s = await setUp(await fixture.location(), `crash-${point}`, n);
      const coins: Proof[] = await withdrawOn(s.location, n);

      const victim = randomInt(n); // which pay of the period dies
      let proc: UcProcess = await startUcProcess(s.location, { SIPSTER_UC_FAULT: `${point}@${victim + 1}` });
      const requests = s.tokens.map((t) => encodePayRequest({ e: t.e, rho: t.rho }));
      const receipts: (Uint8Array | undefined)[] = [];
      let crashed = -1;
      for (let k = 0; k < n && crashed < 0; k++) {
        try {
          receipts[k] = (await new UcClient({ ucUrl: proc.url }).pay(requests[k]!, coins[k]!)).receipt;
        } catch (err) {
          expect(err).toBeInstanceOf(UcHttpError);
          crashed = k;
        }
      }
      expect(crashed, `fault ${point}@${victim + 1}`).toBe(victim);
      expect(await proc.exited).toBe('SIGKILL');

      // What the crash left: committed (after-commit) or nothing at all (any earlier instant).
      const committed = point === 'pay:after-commit';
      expect(await ledger(s.location)).toEqual({ spent: victim + (committed ? 1 : 0), paid: victim + (committed ? 1 : 0), settlements: 0 });

      proc = await startUcProcess(s.location);
      try {
        const client = new UcClient({ ucUrl: proc.url });
        const logVk = (await client.params()).logVk;
        const params = verifyParamsLog((await client.params()).entries, Buffer.from(logVk, 'hex'));
        // The wallet resends the identical request, then pays the rest.
        const retry = await client.pay(requests[victim]!, coins[victim]!);
        expect(retry.replay).toBe(committed);
        receipts[victim] = retry.receipt;
        for (let k = victim + 1; k < n; k++) receipts[k] = (await client.pay(requests[k]!, coins[k]!)).receipt;

        const verified: Receipt[] = s.tokens.map((t, k) => {
          const r = decodeReceipt(params.suite, receipts[k]!);
          verifyReceipt(params.suite, params.epochKeys.get(t.e)!, t.rho, r);
          return r;
        });
        expect(await ledger(s.location)).toEqual({ spent: n, paid: n, settlements: 0 });
        // Every coin is spent exactly once: re-paying with any of them is a double spend.
        const spare = s.tokens[0]!;
        for (const coin of coins) {
          await expect(client.pay(encodePayRequest({ e: spare.e, rho: new Uint8Array(32).fill(coins.indexOf(coin) + 1) }), coin)).rejects.toMatchObject({ code: 11001 });
        }
        // And the receipts still combine into a settling C.
        const C = combine(params.suite, params.epochKeys.get(s.bill.bill.e)!, verified, s.bill.r, s.bill.bill.R);
        const account = new UcClient({ ucUrl: proc.url, accountToken: s.token });
        expect((await account.settle(s.bill.billMessage, s.bill.beta, params.suite.encodePoint(C))).status).toBe('settled');
      } finally {
        await proc.stop();
      }
    });

    it('concurrent pays killed mid-commit (SQLite: inside their shared group commit) leave no coin without its receipt', async () => {
      const n = 8;
      const s = await setUp(await fixture.location(), 'crash-group', n);
      const coins: Proof[] = await withdrawOn(s.location, n);
      const requests = s.tokens.map((t) => encodePayRequest({ e: t.e, rho: t.rho }));
      // The 4th transaction to reach its coin's spend kills the UC: on SQLite it runs in one group
      // (one transaction, one fsync) with the pays that arrived with it, none of them committed.
      let proc: UcProcess = await startUcProcess(s.location, { SIPSTER_UC_FAULT: 'pay:after-spend@4' });
      const client = new UcClient({ ucUrl: proc.url });
      const answers = await Promise.allSettled(requests.map((r, k) => client.pay(r, coins[k]!)));
      expect(await proc.exited).toBe('SIGKILL');
      for (const a of answers) if (a.status === 'rejected') expect(a.reason).toBeInstanceOf(UcHttpError);

      // Coin by coin: spent exactly when its token's receipt is stored; every answer was committed.
      const db = await openStore(s.location);
      const state = await Promise.all(
        requests.map(async (request, k) => {
          const y = hashToCurveCashu(new TextEncoder().encode(coins[k]!.secret)).compressed;
          const spent = (await db.all('SELECT 1 AS x FROM mint_spent WHERE y = ?', [y])).length === 1;
          const paid = (await db.all('SELECT 1 AS x FROM uc_paid WHERE request = ?', [request])).length === 1;
          return { spent, paid };
        }),
      );
      await db.close();
      state.forEach((st, k) => {
        expect(st.spent, `coin ${k}`).toBe(st.paid);
        if (answers[k]!.status === 'fulfilled') expect(st.paid, `answered pay ${k}`).toBe(true);
      });
      expect(state.filter((st) => st.paid).length).toBeLessThan(n);

      // The wallets retry the identical requests: the committed ones come back as they were answered.
      proc = await startUcProcess(s.location);
      try {
        const again = new UcClient({ ucUrl: proc.url });
        for (const [k, request] of requests.entries()) {
          const r = await again.pay(request, coins[k]!);
          expect(r.replay, `pay ${k}`).toBe(state[k]!.paid);
          const first = answers[k]!;
          if (first.status === 'fulfilled') expect(toHex(r.receipt)).toBe(toHex(first.value.receipt));
        }
        expect(await ledger(s.location)).toEqual({ spent: n, paid: n, settlements: 0 });
      } finally {
        await proc.stop();
      }
    });

    it.each(sqlite ? settlePoints : pick(settlePoints))('a UC killed at %s settles the bill exactly once after retry', async (point: FaultPoint) => {
      const n = 3;
      const s = await setUp(await fixture.location(), `crash-${point}`, n);
      // Pay in-process on the same store; only the settle runs in the crashing subprocess.
      const inProcess = await serveUc(s.location);
      const client = new UcClient({ ucUrl: inProcess.url, accountToken: s.token });
      const params = verifyParamsLog((await client.params()).entries, s.logVk);
      const coins = await withdraw(inProcess.url, n);
      const receipts = [];
      for (const [k, t] of s.tokens.entries()) {
        receipts.push(decodeReceipt(params.suite, (await client.pay(encodePayRequest({ e: t.e, rho: t.rho }), coins[k]!)).receipt));
      }
      const C = params.suite.encodePoint(combine(params.suite, params.epochKeys.get(s.bill.bill.e)!, receipts, s.bill.r, s.bill.bill.R));
      await inProcess.stop();

      let proc = await startUcProcess(s.location, { SIPSTER_UC_FAULT: point });
      await expect(new UcClient({ ucUrl: proc.url, accountToken: s.token }).settle(s.bill.billMessage, s.bill.beta, C)).rejects.toBeInstanceOf(UcHttpError);
      expect(await proc.exited).toBe('SIGKILL');
      const committed = point === 'settle:after-commit';
      expect((await ledger(s.location)).settlements).toBe(committed ? 1 : 0);

      proc = await startUcProcess(s.location);
      try {
        const again = new UcClient({ ucUrl: proc.url, accountToken: s.token });
        if (committed) {
          // The retry is refused as a replay; the status confirms this very bill is settled.
          await expect(again.settle(s.bill.billMessage, s.bill.beta, C)).rejects.toMatchObject({ status: 409, code: 51006 });
        } else {
          expect((await again.settle(s.bill.billMessage, s.bill.beta, C)).status).toBe('settled');
        }
        const status = await again.status(s.bill.bill.meterId);
        expect(status.bills.map((b) => b.status)).toEqual(['settled']);
        expect(await ledger(s.location)).toEqual({ spent: n, paid: n, settlements: 1 });
      } finally {
        await proc.stop();
      }
    });
  });
}
