// The UC service over real loopback HTTP, on a SQLite file and on a real PostgreSQL server,
// with its mint on the same store and a reference meter producing the tokens and bills.
import { Wallet, type Proof } from '@cashu/cashu-ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeFixtures } from '../../mint/test/helpers.ts';
import type { ReferenceMeter } from '../../meter/reference-meter.ts';
import {
  combine,
  decodeReceipt,
  encodePayRequest,
  selfCheck,
  toHex,
  verifyReceipt,
  type PinnedParams,
  type Receipt,
} from '../../protocol/index.ts';
import type { BillRecord, TokenRecord } from '../../records/decode.ts';
import { UcClient, UcHttpError } from '../../wallet/uc-client.ts';
import { genesisFor, newMeter, pin, serveUc, withdraw, type RunningUc } from './helpers.ts';

const fixtures = storeFixtures();
afterAll(async () => {
  for (const f of fixtures) await f.cleanup();
});

async function refusal(p: Promise<unknown>): Promise<{ status: number; code: number }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof UcHttpError) return { status: err.status, code: err.code };
    throw err;
  }
  throw new Error('expected the UC to refuse');
}

async function checkState(url: string, proofs: Proof[]): Promise<string[]> {
  const w = new Wallet(url, { unit: 'tok' });
  await w.loadMint();
  return (await w.checkProofsStates(proofs)).map((s) => s.state);
}

for (const fixture of fixtures) {
  describe.skipIf(!fixture.enabled)(`UC service on ${fixture.kind}`, () => {
    let running: RunningUc;
    let anon: UcClient;
    let params: PinnedParams;

    beforeAll(async () => {
      running = await serveUc(await fixture.location());
      anon = new UcClient({ ucUrl: running.url });
      params = await pin(anon, running.uc.logVk);
    });
    afterAll(async () => running?.stop());

    async function enrol(name: string): Promise<{ meter: ReferenceMeter; client: UcClient }> {
      const meter = newMeter(name);
      const token = await running.uc.registerMeter(meter.meterId, meter.vkM);
      params = await pin(anon, running.uc.logVk);
      return { meter, client: new UcClient({ ucUrl: running.url, accountToken: token }) };
    }

    /** Pays every token and checks each receipt under the pinned key, as a wallet does. */
    async function payAll(tokens: TokenRecord[]): Promise<Receipt[]> {
      const coins = await withdraw(running.url, tokens.length);
      const receipts: Receipt[] = [];
      for (const [k, t] of tokens.entries()) {
        const { receipt } = await anon.pay(encodePayRequest({ e: t.e, rho: t.rho }), coins[k]!);
        const decoded = decodeReceipt(params.suite, receipt);
        verifyReceipt(params.suite, params.epochKeys.get(t.e)!, t.rho, decoded);
        receipts.push(decoded);
      }
      return receipts;
    }

    function period(meter: ReferenceMeter, label: number, n: number): { tokens: TokenRecord[]; bill: BillRecord } {
      meter.startPeriod(label);
      const tokens = Array.from({ length: n }, () => meter.tokenGen());
      return { tokens, bill: meter.billGen() };
    }

    it('pays a token once: the retry gets the stored receipt and spends no coin; lookup is coin-less', async () => {
      const { meter } = await enrol('pay-once');
      meter.startPeriod(1);
      const t = meter.tokenGen();
      const request = encodePayRequest({ e: t.e, rho: t.rho });
      const [coin, second] = await withdraw(running.url, 2);
      expect(await anon.receipt(request)).toBeUndefined();
      const first = await anon.pay(request, coin!);
      expect(first.replay).toBe(false);
      verifyReceipt(params.suite, params.epochKeys.get(t.e)!, t.rho, decodeReceipt(params.suite, first.receipt));

      const retry = await anon.pay(request, second!);
      expect(retry.replay).toBe(true);
      expect(toHex(retry.receipt)).toBe(toHex(first.receipt));
      expect(await checkState(running.url, [coin!, second!])).toEqual(['SPENT', 'UNSPENT']);
      expect(toHex((await anon.receipt(request))!)).toBe(toHex(first.receipt));
    });

    it('refuses a double-spent coin and a foreign coin, and leaves the token unpaid', async () => {
      const { meter } = await enrol('double-spend');
      meter.startPeriod(1);
      const [a, b] = [meter.tokenGen(), meter.tokenGen()];
      const [coin] = await withdraw(running.url, 1);
      await anon.pay(encodePayRequest({ e: a.e, rho: a.rho }), coin!);
      const requestB = encodePayRequest({ e: b.e, rho: b.rho });
      expect(await refusal(anon.pay(requestB, coin!))).toEqual({ status: 400, code: 11001 });
      expect(await anon.receipt(requestB)).toBeUndefined();

      const foreign = await serveUc(await fixture.location());
      try {
        const [alien] = await withdraw(foreign.url, 1);
        expect(await refusal(anon.pay(requestB, alien!))).toEqual({ status: 400, code: 12001 });
      } finally {
        await foreign.stop();
      }
      expect(await anon.receipt(requestB)).toBeUndefined();
      // An epoch the UC never published is a typed refusal, not a crash.
      expect(await refusal(anon.pay(encodePayRequest({ e: 999, rho: b.rho }), coin!))).toEqual({ status: 400, code: 50010 });
    });

    it('settles a period with the combined receipt exactly once; a replayed settle is refused', async () => {
      const { meter, client } = await enrol('settle');
      const { tokens, bill } = period(meter, 1, 5);
      const receipts = await payAll(tokens);
      selfCheck(params.suite, tokens.map((t) => t.rho), bill.r, bill.bill.R);
      const C = combine(params.suite, params.epochKeys.get(bill.bill.e)!, receipts, bill.r, bill.bill.R);

      const wrong = params.suite.encodePoint(C.add(params.suite.B));
      expect(await refusal(client.settle(bill.billMessage, bill.beta, wrong))).toEqual({ status: 400, code: 51011 });
      expect(await refusal(anon.settle(bill.billMessage, bill.beta, params.suite.encodePoint(C)))).toEqual({ status: 401, code: 52001 });

      const done = await client.settle(bill.billMessage, bill.beta, params.suite.encodePoint(C));
      expect(done.status).toBe('settled');
      expect(await refusal(client.settle(bill.billMessage, bill.beta, params.suite.encodePoint(C)))).toEqual({ status: 409, code: 51006 });
      const status = await client.status(meter.meterId);
      expect(status.bills.map((b) => [b.c, b.status])).toEqual([[0, 'settled']]);
    });

    it('records an unpaid period as debt without blocking the next, and settles the debt later', async () => {
      const { meter, client } = await enrol('debt');
      const p0 = period(meter, 1, 2);
      const p1 = period(meter, 2, 3);
      // Period 1 cannot be recorded before period 0 exists in the chain.
      expect(await refusal(client.settle(p1.bill.billMessage, p1.bill.beta, undefined))).toEqual({ status: 409, code: 51008 });
      expect((await client.settle(p0.bill.billMessage, p0.bill.beta, undefined)).status).toBe('debt');
      const r1 = await payAll(p1.tokens);
      const C1 = combine(params.suite, params.epochKeys.get(p1.bill.bill.e)!, r1, p1.bill.r, p1.bill.bill.R);
      expect((await client.settle(p1.bill.billMessage, p1.bill.beta, params.suite.encodePoint(C1))).status).toBe('settled');
      expect((await client.status(meter.meterId)).debts).toEqual([0]);

      const r0 = await payAll(p0.tokens);
      const C0 = combine(params.suite, params.epochKeys.get(p0.bill.bill.e)!, r0, p0.bill.r, p0.bill.bill.R);
      expect((await client.settle(p0.bill.billMessage, p0.bill.beta, params.suite.encodePoint(C0))).status).toBe('settled');
      const status = await client.status(meter.meterId);
      expect(status.debts).toEqual([]);
      expect(status.bills.map((b) => b.status)).toEqual(['settled', 'settled']);
    });

    it('closes a disputed period: paid tokens credited, the rest owed openly', async () => {
      const { meter, client } = await enrol('dispute');
      const { tokens, bill } = period(meter, 1, 4);
      await payAll(tokens.slice(0, 3));
      const result = await client.dispute(bill.billMessage, bill.beta, bill.disputeMessage, bill.disputeSig, tokens.map((t) => t.rho));
      expect(result).toEqual({ credited: 3, owed: 1 });
      expect((await client.status(meter.meterId)).bills.map((b) => b.status)).toEqual(['disputed']);
      // Revealing fewer tokens than the bill counts (tokens truly lost) credits nothing: all n are
      // owed openly, and the period closes all the same.
      const other = await enrol('dispute-short');
      const p = period(other.meter, 1, 3);
      await payAll(p.tokens.slice(0, 2));
      const short = await other.client.dispute(p.bill.billMessage, p.bill.beta, p.bill.disputeMessage, p.bill.disputeSig, p.tokens.slice(0, 2).map((t) => t.rho));
      expect(short).toEqual({ credited: 0, owed: 3 });
      expect((await other.client.status(other.meter.meterId)).bills.map((b) => b.status)).toEqual(['disputed']);
      // A dispute record of another bill is refused outright.
      const third = await enrol('dispute-foreign');
      const q = period(third.meter, 1, 1);
      expect(await refusal(third.client.dispute(q.bill.billMessage, q.bill.beta, p.bill.disputeMessage, p.bill.disputeSig, []))).toMatchObject({ status: 400 });
    });

    it('hands a meter over to a new device: old key retired, the new one continues the chain', async () => {
      const { meter, client } = await enrol('handover');
      const p0 = period(meter, 1, 1);
      await client.settle(p0.bill.billMessage, p0.bill.beta, undefined);
      const successor = newMeter('handover', 'replacement');
      const record = meter.handover(successor.vkM);
      await client.handover(record.handoverMessage, record.signature);
      params = await pin(anon, running.uc.logVk);
      const keys = params.meters.get('handover')!;
      expect(keys.map((k) => [toHex(k.vkM), k.firstC, k.lastC])).toEqual([
        [toHex(meter.vkM), 0, 0],
        [toHex(successor.vkM), 1, undefined],
      ]);
      expect(await refusal(client.handover(record.handoverMessage, record.signature))).toEqual({ status: 409, code: 51004 });
    });

    it('answers malformed, oversized and unauthenticated requests with typed 4xx errors', async () => {
      const post = async (path: string, body: string) => {
        const res = await fetch(`${running.url}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
        return { status: res.status, json: (await res.json()) as { code: number; detail: string } };
      };
      expect(await post('/v1/pay', '{')).toMatchObject({ status: 400, json: { code: 90001 } });
      expect(await post('/v1/pay', JSON.stringify({ request: 'zz', proofs: [] }))).toMatchObject({ status: 400, json: { code: 90001 } });
      expect(await post('/v1/pay', JSON.stringify({ request: '00'.repeat(35), proofs: [] }))).toMatchObject({ status: 400 });
      expect(await post('/v1/settle', JSON.stringify({ billMessage: '00', signature: '00'.repeat(64), pad: 'x'.repeat(600_000) }))).toMatchObject({ status: 413, json: { code: 90002 } });
      expect(await post('/v1/settle', JSON.stringify({ billMessage: '0001', signature: '00'.repeat(64) }))).toMatchObject({ status: 400, json: { code: 50001 } });
      const status = await fetch(`${running.url}/v1/status/nobody`);
      expect(status.status).toBe(401);
      const bad = await fetch(`${running.url}/v1/status/%E0%A4%A`);
      expect(bad.status).toBe(400);
    });
  });
}

describe('UC service in the pairing suite (BLS12-381)', () => {
  it('pays with pairing-checked receipts (no proof) and settles with the combined receipt', async () => {
    const sqlite = fixtures[0]!;
    const running = await serveUc(await sqlite.location(), genesisFor('BLS12381-SHA256'));
    try {
      const anon = new UcClient({ ucUrl: running.url });
      const meter = newMeter('bls', 'first', 'BLS12381-SHA256');
      const client = new UcClient({ ucUrl: running.url, accountToken: await running.uc.registerMeter(meter.meterId, meter.vkM) });
      const params = await pin(anon, running.uc.logVk);
      expect(params.suite.id).toBe('BLS12381-SHA256');
      meter.startPeriod(1);
      const tokens = [meter.tokenGen(), meter.tokenGen()];
      const bill = meter.billGen();
      const coins = await withdraw(running.url, 2);
      const receipts = [];
      for (const [k, t] of tokens.entries()) {
        const { receipt } = await anon.pay(encodePayRequest({ e: t.e, rho: t.rho }), coins[k]!);
        expect(receipt.length).toBe(48); // Z only: anyone checks e(Z, B2) = e(H(ρ), A2_e)
        const r = decodeReceipt(params.suite, receipt);
        verifyReceipt(params.suite, params.epochKeys.get(t.e)!, t.rho, r);
        receipts.push(r);
      }
      const C = combine(params.suite, params.epochKeys.get(bill.bill.e)!, receipts, bill.r, bill.bill.R);
      expect((await client.settle(bill.billMessage, bill.beta, params.suite.encodePoint(C))).status).toBe('settled');
    } finally {
      await running.stop();
    }
  });
});

