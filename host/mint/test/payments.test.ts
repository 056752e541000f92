// How the UC's mint gets paid (issue 14, item 1). The attack: `uc serve` handed out e-cash for
// unpaid quotes. Now it will not start without a payment backend named; with the provider backend
// a quote is PAID only by the provider's signed, fresh, never-seen webhook of the right amount,
// delivered over real HTTP by a provider stand-in; the test backend says what it is.
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from '@cashu/cashu-ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../store/open.ts';
import { startUcProcess, type UcProcess } from '../../uc/process.ts';
import { ProviderPaymentBackend } from '../backend.ts';
import { Mint } from '../mint.ts';
import { signWebhook, WEBHOOK_PATH } from '../webhook.ts';
import { deliver, startProvider, type Provider } from './provider.ts';

const sipster = join(import.meta.dirname, '..', '..', '..', 'bin', 'sipster.mjs');
const dir = mkdtempSync(join(tmpdir(), 'sipster-payments-'));
const secret = randomBytes(32).toString('hex');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const post = async (url: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const quoteState = async (url: string, quote: string): Promise<string> => ((await (await fetch(`${url}/v1/mint/quote/bolt11/${quote}`)).json()) as { state: string }).state;

describe('a served mint without a payment backend named', () => {
  it.each([['uc', 'serve'], ['mint', 'serve']])('%s %s refuses to start and says why', (...cmd) => {
    const res = spawnSync(process.execPath, [sipster, ...cmd, '--db', join(dir, `${cmd[0]}-none.sqlite`), '--port', '0'], { encoding: 'utf8', timeout: 60_000 });
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/no payment backend: give --payments provider .* or, for tests and demos only, --payments test/);
  });

  it('refuses the provider backend without a webhook secret, or with a short one', () => {
    for (const env of [{}, { SIPSTER_PAYMENTS_WEBHOOK_SECRET: 'short' }]) {
      const res = spawnSync(process.execPath, [sipster, 'uc', 'serve', '--db', join(dir, 'uc-nosecret.sqlite'), '--port', '0', '--payments', 'provider'], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
      expect(res.status).toBe(2);
      expect(res.stderr).toMatch(/webhook secret/);
    }
  });
});

describe('uc serve --payments provider', () => {
  let uc: UcProcess;
  let provider: Provider;
  beforeAll(async () => {
    uc = await startUcProcess(join(dir, 'uc.sqlite'), { SIPSTER_PAYMENTS_WEBHOOK_SECRET: secret }, ['--payments', 'provider', '--quote-rate', '40']);
    provider = await startProvider(secret);
  });
  afterAll(async () => {
    await provider?.stop();
    await uc?.stop();
  });

  it('pays no quote without the webhook (the issue\'s attack), and one only on a signed, fresh, unseen webhook of its amount', async () => {
    // The attack: quotes asked for and read back; before, each came back PAID at once.
    const quotes: string[] = [];
    for (let k = 0; k < 10; k++) {
      const q = await post(`${uc.url}/v1/mint/quote/bolt11`, { amount: 10_000, unit: 'tok' });
      expect(q.status).toBe(200);
      quotes.push(q.body.quote as string);
    }
    const states = await Promise.all(quotes.map((q) => quoteState(uc.url, q)));
    expect(states.filter((s) => s !== 'UNPAID')).toEqual([]); // quotes paid without a webhook: 0

    const wallet = new Wallet(uc.url, { unit: 'tok' });
    await wallet.loadMint();
    const quote = await wallet.createMintQuoteBolt11(3);
    expect(quote.request).toBe(`sipster-pay:${quote.quote}?amount=3&unit=tok`);
    await expect(wallet.mintProofsBolt11(3, quote)).rejects.toThrow(/not paid/);

    const hook = `${uc.url}${WEBHOOK_PATH}`;
    const now = Math.floor(Date.now() / 1000);
    const event = (id: string, q: string, amount: number) => JSON.stringify({ id, type: 'payment.succeeded', data: { quote: q, amount, unit: 'tok' } });
    const forged = event('evt_forged00001', quote.quote, 3);
    expect(await deliver({ url: hook, signature: signWebhook('not the shared secret, but long enough', now, forged), body: forged })).toMatchObject({ status: 401, body: { code: 90101 } });
    expect(await deliver({ url: hook, signature: `t=${now},v1=${'0'.repeat(64)}`, body: forged })).toMatchObject({ status: 401 });
    const stale = event('evt_stale000001', quote.quote, 3);
    expect(await deliver({ url: hook, signature: signWebhook(secret, now - 600, stale), body: stale })).toMatchObject({ status: 401, body: { code: 90102 } });
    const short = event('evt_short000001', quote.quote, 2);
    expect(await deliver({ url: hook, signature: signWebhook(secret, now, short), body: short })).toMatchObject({ status: 400, body: { detail: expect.stringMatching(/does not match the quote/) } });
    const unknown = event('evt_unknown0001', 'ab'.repeat(16), 3);
    expect(await deliver({ url: hook, signature: signWebhook(secret, now, unknown), body: unknown })).toMatchObject({ status: 404 });
    expect(await quoteState(uc.url, quote.quote)).toBe('UNPAID');

    // The household pays at the provider; its signed webhook reaches the mint over HTTP.
    expect(await provider.pay(uc.url, quote.quote, 3, 'tok')).toEqual({ status: 200, body: { status: 'paid' } });
    expect(await quoteState(uc.url, quote.quote)).toBe('PAID');
    const proofs = await wallet.mintProofsBolt11(3, quote);
    expect(proofs.map((p) => Number(p.amount)).reduce((a, b) => a + b, 0)).toBe(3);

    // A replayed delivery changes nothing; the same event id on another quote neither.
    const sent = provider.sent.at(-1)!;
    expect(await deliver(sent)).toEqual({ status: 200, body: { status: 'duplicate' } });
    const other = (await post(`${uc.url}/v1/mint/quote/bolt11`, { amount: 3, unit: 'tok' })).body.quote as string;
    const reuse = sent.body.replace(quote.quote, other);
    expect(await deliver({ url: hook, signature: signWebhook(secret, now, reuse), body: reuse })).toEqual({ status: 200, body: { status: 'duplicate' } });
    expect(await quoteState(uc.url, other)).toBe('UNPAID');
    expect(await quoteState(uc.url, quote.quote)).toBe('ISSUED');
  });

  it('rate-limits quote creation per client', async () => {
    const answers = await Promise.all(Array.from({ length: 80 }, () => post(`${uc.url}/v1/mint/quote/bolt11`, { amount: 1, unit: 'tok' })));
    const limited = answers.filter((a) => a.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(30);
    expect(limited[0]!.body).toMatchObject({ code: 90006, detail: expect.stringMatching(/too many mint quotes/) });
    expect(answers.filter((a) => a.status === 200).length).toBeLessThanOrEqual(40);
  });

  it('says which backend it runs, at start and in /v1/info', async () => {
    expect(uc.output()).toMatch(/serving .*payments="provider \(signed webhooks at \/v1\/payments\/webhook\)"/);
    expect(((await (await fetch(`${uc.url}/v1/info`)).json()) as { payments: unknown }).payments).toEqual({ backend: 'provider', webhook: WEBHOOK_PATH });
  });
});

describe('uc serve --payments test', () => {
  it('says at start and in /v1/info that it gives e-cash away', async () => {
    const uc = await startUcProcess(join(dir, 'uc-test.sqlite'), {}, ['--payments', 'test']);
    try {
      expect(uc.output()).toMatch(/WARN +uc: TEST PAYMENTS \(--payments test\): every mint quote is PAID without payment/);
      expect(uc.output()).toMatch(/serving .*payments="TEST backend: every quote PAID without payment \(free e-cash\)"/);
      const info = (await (await fetch(`${uc.url}/v1/info`)).json()) as { payments: { backend: string; warning: string } };
      expect(info.payments).toMatchObject({ backend: 'test', warning: expect.stringMatching(/without payment/) });
    } finally {
      await uc.stop();
    }
  });
});

describe('unpaid quotes', () => {
  it('expire and are deleted', async () => {
    const clock = { t: 1_700_000_000_000 };
    const db = await openStore(join(dir, 'expiry.sqlite'));
    try {
      const mint = await Mint.open(db, new ProviderPaymentBackend(), { quoteTtlSeconds: 60, now: () => clock.t });
      const old = await mint.createMintQuote(5, 'tok');
      clock.t += 61_000;
      await expect(mint.getMintQuote(old.quote)).resolves.toMatchObject({ state: 'UNPAID' }); // expired, not yet swept
      await expect(mint.mintTokens(old.quote, [])).rejects.toMatchObject({ code: 20007 });
      await expect(mint.applyPayment({ id: 'evt_late0000001', created: 0, quote: old.quote, amount: 5, unit: 'tok' })).rejects.toMatchObject({ code: 20007 });
      await mint.createMintQuote(5, 'tok'); // creation sweeps
      await expect(mint.getMintQuote(old.quote)).rejects.toMatchObject({ code: 20010 });
      expect(await db.all('SELECT id FROM mint_quotes')).toHaveLength(1);
    } finally {
      await db.close();
    }
  });
});
