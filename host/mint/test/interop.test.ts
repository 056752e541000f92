// cashu-ts 4.8.0's own Wallet, unchanged, against our mint over real loopback HTTP, on a SQLite
// file and on a real PostgreSQL server.
import { Wallet, getEncodedToken, hashToCurve, isMintOperationError, type Proof } from '@cashu/cashu-ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeFixtures, serveMint, type RunningMint } from './helpers.ts';

const fixtures = storeFixtures();
afterAll(async () => {
  for (const f of fixtures) await f.cleanup();
});

async function post(url: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<{ status: number; json: { detail?: string; code?: number } }> {
  const res = await fetch(url, { method: 'POST', body, headers });
  const text = await res.text();
  return { status: res.status, json: JSON.parse(text) };
}

async function mintCode(p: Promise<unknown>): Promise<number> {
  try {
    await p;
  } catch (err) {
    if (isMintOperationError(err)) return err.code;
    throw err;
  }
  throw new Error('expected the mint to refuse');
}

for (const fixture of fixtures) {
  describe.skipIf(!fixture.enabled)(`cashu-ts Wallet against the Sipster mint on ${fixture.kind}`, () => {
    let served: RunningMint;
    let foreign: RunningMint;
    let wallet: Wallet;

    beforeAll(async () => {
      served = await serveMint(await fixture.location());
      foreign = await serveMint(await fixture.location());
      wallet = new Wallet(served.url, { unit: 'tok', requireSigDleq: true });
      await wallet.loadMint();
    });
    afterAll(async () => {
      await served?.stop();
      await foreign?.stop();
    });

    it('mints 3 → 1+1+1, sends 1, receives it by swap, refuses the double receive, reports it spent', async () => {
      const keysets = wallet.keyChain.getKeysets();
      expect(keysets.map((k) => k.unit)).toEqual(['tok']);
      expect(keysets[0]!.id).toMatch(/^01[0-9a-f]{64}$/);

      const quote = await wallet.createMintQuoteBolt11(3);
      const proofs = await wallet.mintProofsBolt11(3, quote);
      expect(proofs.map((p) => Number(p.amount))).toEqual([1, 1, 1]);
      // requireSigDleq: cashu-ts checked our NUT-12 DLEQ on every signature; the proofs keep it.
      expect(proofs.every((p) => p.dleq !== undefined)).toBe(true);
      expect((await wallet.checkMintQuoteBolt11(quote.quote)).state).toBe('ISSUED');

      const { send, keep } = await wallet.send(1, proofs);
      expect(send.map((p) => Number(p.amount))).toEqual([1]);
      expect(keep).toHaveLength(2);
      const token = getEncodedToken({ mint: served.url, proofs: send, unit: 'tok' });

      const receiver = new Wallet(served.url, { unit: 'tok' });
      await receiver.loadMint();
      const received = await receiver.receive(token);
      expect(received.map((p) => Number(p.amount))).toEqual([1]);
      expect(received[0]!.secret).not.toBe(send[0]!.secret);

      expect(await mintCode(receiver.receive(token))).toBe(11001);

      const states = await wallet.checkProofsStates(send);
      expect(states.map((s) => s.state)).toEqual(['SPENT']);
      const fresh = await wallet.checkProofsStates(keep);
      expect(fresh.map((s) => s.state)).toEqual(['UNSPENT', 'UNSPENT']);
    });

    it('refuses to mint twice on one quote, and an unpaid quote', async () => {
      const quote = await wallet.createMintQuoteBolt11(1);
      await wallet.mintProofsBolt11(1, quote);
      expect(await mintCode(wallet.mintProofsBolt11(1, quote))).toBe(20002);

      const manual = await serveMint(await fixture.location(), { autoPay: false });
      try {
        const w = new Wallet(manual.url, { unit: 'tok' });
        await w.loadMint();
        const unpaid = await w.createMintQuoteBolt11(2);
        expect(unpaid.state).toBe('UNPAID');
        expect(await mintCode(w.mintProofsBolt11(2, unpaid))).toBe(20001);
        manual.backend.pay(unpaid.request);
        expect((await w.mintProofsBolt11(2, unpaid)).length).toBe(2);
      } finally {
        await manual.stop();
      }
    });

    it('lets exactly one of two concurrent swaps of the same proof succeed', async () => {
      const proofs = await wallet.mintProofsBolt11(1, await wallet.createMintQuoteBolt11(1));
      const a = new Wallet(served.url, { unit: 'tok' });
      const b = new Wallet(served.url, { unit: 'tok' });
      await Promise.all([a.loadMint(), b.loadMint()]);
      const results = await Promise.allSettled([a.receive(proofs), b.receive(proofs)]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(isMintOperationError(failed.reason) && failed.reason.code).toBe(11001);
    });

    it('rejects a foreign mint coin: unknown keyset, or our keyset id with a forged signature', async () => {
      const other = new Wallet(foreign.url, { unit: 'tok' });
      await other.loadMint();
      const alien = await other.mintProofsBolt11(1, await other.createMintQuoteBolt11(1));
      const output = { amount: 1, id: wallet.keyChain.getKeysets()[0]!.id, B_: hashToCurve(new TextEncoder().encode('out-1')).toHex(true) };

      const unknown = await post(`${served.url}/v1/swap`, JSON.stringify({ inputs: alien, outputs: [output] }));
      expect(unknown.status).toBe(400);
      expect(unknown.json.code).toBe(12001);

      const forged = alien.map((p: Proof) => ({ ...p, id: output.id, dleq: undefined }));
      const bad = await post(`${served.url}/v1/swap`, JSON.stringify({ inputs: forged, outputs: [output] }));
      expect(bad.status).toBe(400);
      expect(bad.json.code).toBe(10001);
      // The receiving cashu-ts wallet gets the same refusal for the foreign token.
      const token = getEncodedToken({ mint: served.url, proofs: forged as Proof[], unit: 'tok' });
      expect(await mintCode(wallet.receive(token))).toBe(10001);
    });

    it('answers oversized, malformed and ill-typed bodies with typed 4xx errors and no internals', async () => {
      const huge = await post(`${served.url}/v1/swap`, JSON.stringify({ inputs: [], outputs: [], pad: 'x'.repeat(600 * 1024) }));
      expect(huge).toMatchObject({ status: 413, json: { code: 90002 } });

      const notJson = await post(`${served.url}/v1/swap`, '{"inputs": [');
      expect(notJson).toMatchObject({ status: 400, json: { code: 90001 } });

      const wrongShape = await post(`${served.url}/v1/swap`, JSON.stringify({ inputs: 'all of them', outputs: [] }));
      expect(wrongShape.status).toBe(400);
      expect(wrongShape.json.detail).toContain('inputs');

      const badPoint = await post(
        `${served.url}/v1/swap`,
        JSON.stringify({ inputs: [{ id: wallet.keyChain.getKeysets()[0]!.id, amount: 1, secret: 's', C: '02' + 'ff'.repeat(32) }], outputs: [{ id: wallet.keyChain.getKeysets()[0]!.id, amount: 1, B_: '02' + '11'.repeat(32) }] }),
      );
      expect(badPoint.status).toBe(400);
      expect(badPoint.json.code).toBe(10001);

      const negative = await post(`${served.url}/v1/mint/quote/bolt11`, JSON.stringify({ amount: -5, unit: 'tok' }));
      expect(negative).toMatchObject({ status: 400, json: { code: 90001 } });
      const sats = await post(`${served.url}/v1/mint/quote/bolt11`, JSON.stringify({ amount: 5, unit: 'sat' }));
      expect(sats).toMatchObject({ status: 400, json: { code: 11013 } });

      const text = await post(`${served.url}/v1/checkstate`, 'Ys=1', { 'content-type': 'text/plain' });
      expect(text).toMatchObject({ status: 415, json: { code: 90005 } });
      const missing = await fetch(`${served.url}/v1/nothing`);
      expect(missing.status).toBe(404);
      expect(await missing.json()).toMatchObject({ code: 90003 });

      for (const r of [huge, notJson, wrongShape, badPoint, negative]) {
        expect(JSON.stringify(r.json)).not.toMatch(/at .*\.ts|node_modules|Error:/);
      }
    });
  });
}
