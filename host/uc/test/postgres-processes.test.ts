// Two real `sipster uc serve` processes on one PostgreSQL server (a utility's UC on several
// machines): started at once on a new store they publish one parameters log and one mint keyset;
// the same ρ paid at both at once redeems one coin and both answer the one receipt; the same bill
// settled at both at once settles once.
import { randomBytes } from 'node:crypto';
import type { Proof } from '@cashu/cashu-ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { combine, decodeReceipt, encodePayRequest, toHex, verifyParamsLog, verifyReceipt } from '../../protocol/index.ts';
import { openStore } from '../../store/open.ts';
import { postgresTestsEnabled, startPostgres, type PostgresServer } from '../../store/testing/postgres-server.ts';
import { UcClient, UcHttpError } from '../../wallet/uc-client.ts';
import { startUcProcess, type UcProcess } from '../process.ts';
import { UcService } from '../service.ts';
import { Mint } from '../../mint/mint.ts';
import { TestPaymentBackend } from '../../mint/backend.ts';
import { silentLogger } from '../../common/log.ts';
import { newMeter, withdraw } from './helpers.ts';

const GENESIS = ['--period-seconds', '3600', '--origin-unix', '0', '--epoch-length', '1000000'];

describe.skipIf(!postgresTestsEnabled())('two uc serve processes on one PostgreSQL', () => {
  let pg: PostgresServer;
  let location: string;
  let procs: UcProcess[] = [];

  beforeAll(async () => {
    pg = await startPostgres();
    location = pg.url;
    // Both at once on an empty database: the genesis, the epoch key and the keyset race.
    procs = await Promise.all([startUcProcess(location, {}, GENESIS), startUcProcess(location, {}, GENESIS)]);
  });
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await pg?.stop();
  });

  const count = async (sql: string): Promise<number> => {
    const db = await openStore(location);
    try {
      const [row] = await db.all<{ n: number }>(sql);
      return Number(row!.n);
    } finally {
      await db.close();
    }
  };

  it('started together on a new store, they serve one log and one keyset', async () => {
    const [a, b] = await Promise.all(procs.map(async (p) => (await fetch(`${p.url}/v1/params`)).json()));
    expect(a).toEqual(b);
    const [ka, kb] = await Promise.all(procs.map(async (p) => (await fetch(`${p.url}/v1/keys`)).json()));
    expect(ka).toEqual(kb);
    expect(await count("SELECT COUNT(*) AS n FROM mint_keysets WHERE active = 1")).toBe(1);
    expect(await count('SELECT COUNT(*) AS n FROM uc_epoch_keys')).toBe(1);
    // Coins from either process are good at the other.
    const [fromA, fromB] = [await withdraw(procs[0]!.url, 1), await withdraw(procs[1]!.url, 1)];
    const paid = await Promise.all([
      new UcClient({ ucUrl: procs[1]!.url }).pay(encodePayRequest({ e: 0, rho: new Uint8Array(randomBytes(32)) }), fromA[0]!),
      new UcClient({ ucUrl: procs[0]!.url }).pay(encodePayRequest({ e: 0, rho: new Uint8Array(randomBytes(32)) }), fromB[0]!),
    ]);
    expect(paid.map((r) => r.replay)).toEqual([false, false]);
  });

  it('the same ρ paid at both at once redeems one coin and both answer the same receipt', async () => {
    const clients = procs.map((p) => new UcClient({ ucUrl: p.url }));
    const params = verifyParamsLog((await clients[0]!.params()).entries, Buffer.from((await clients[0]!.params()).logVk, 'hex'));
    const rounds = 8;
    const spentBefore = await count('SELECT COUNT(*) AS n FROM mint_spent');
    const coins: Proof[] = await withdraw(procs[0]!.url, 2 * rounds);
    for (let k = 0; k < rounds; k++) {
      const rho = new Uint8Array(randomBytes(32));
      const request = encodePayRequest({ e: 0, rho });
      // Two different coins for one token, one at each process, at the same moment.
      const [x, y] = await Promise.all([clients[0]!.pay(request, coins[2 * k]!), clients[1]!.pay(request, coins[2 * k + 1]!)]);
      expect(toHex(x.receipt)).toBe(toHex(y.receipt));
      expect([x.replay, y.replay].sort()).toEqual([false, true]);
      verifyReceipt(params.suite, params.epochKeys.get(0)!, rho, decodeReceipt(params.suite, x.receipt));
    }
    expect(await count('SELECT COUNT(*) AS n FROM mint_spent')).toBe(spentBefore + rounds);
    // Exactly one coin of each pair was redeemed: the other still pays a fresh token.
    const leftovers = await Promise.allSettled(coins.map((coin) => clients[0]!.pay(encodePayRequest({ e: 0, rho: new Uint8Array(randomBytes(32)) }), coin)));
    expect(leftovers.filter((r) => r.status === 'fulfilled')).toHaveLength(rounds);
    for (const r of leftovers) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 11001 });
  });

  it('a bill settled at both at once settles once', async () => {
    // The operator registers a meter while both serve (another process appends to the log).
    const db = await openStore(location);
    const uc = await UcService.open(db, await Mint.open(db, new TestPaymentBackend(true)), { log: silentLogger });
    const meter = newMeter('pg-two-processes');
    const token = await uc.registerMeter(meter.meterId, meter.vkM);
    await db.close();
    meter.startPeriod(1);
    const tokens = Array.from({ length: 3 }, () => meter.tokenGen());
    const bill = meter.billGen();
    const clients = procs.map((p) => new UcClient({ ucUrl: p.url, accountToken: token }));
    const params = verifyParamsLog((await clients[1]!.params()).entries, Buffer.from((await clients[1]!.params()).logVk, 'hex'));
    const coins = await withdraw(procs[1]!.url, tokens.length);
    const receipts = [];
    for (const [k, t] of tokens.entries()) {
      receipts.push(decodeReceipt(params.suite, (await clients[k % 2]!.pay(encodePayRequest({ e: t.e, rho: t.rho }), coins[k]!)).receipt));
    }
    const C = params.suite.encodePoint(combine(params.suite, params.epochKeys.get(bill.bill.e)!, receipts, bill.r, bill.bill.R));
    const outcomes = await Promise.allSettled(clients.map((c) => c.settle(bill.billMessage, bill.beta, C)));
    const settled = outcomes.filter((o) => o.status === 'fulfilled');
    expect(settled).toHaveLength(1);
    expect((settled[0] as PromiseFulfilledResult<{ status: string }>).value.status).toBe('settled');
    const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(UcHttpError);
    expect(refused.reason).toMatchObject({ status: 409 });
    expect(await count(`SELECT COUNT(*) AS n FROM uc_settlements WHERE meter_id = '${meter.meterId}'`)).toBe(1);
    expect((await clients[0]!.status(meter.meterId)).bills.map((b) => b.status)).toEqual(['settled']);
  });
});
