/** A 10,000-unit period for each suite: the honest run settles, and settling costs the same as for one unit. */
import { describe, expect, it } from 'vitest';
import { drbg } from '../../meter/drbg.ts';
import { encodePayRequest } from '../pay.ts';
import { verifyReceipts } from '../receipt.ts';
import { SUITE_IDS } from '../suite.ts';
import { combined, makeMeter, makeUc, meterPeriod } from './fixture.ts';

describe.each(SUITE_IDS)('%s: n = 10,000', (id) => {
  it('the honest run settles', { timeout: 600_000 }, () => {
    const uc = makeUc(id);
    const meter = makeMeter(uc);
    const p = meterPeriod(meter, 6, 10_000);
    const receipts = p.tokens.map((t) => uc.pay(encodePayRequest({ e: t.e, rho: t.rho }), () => {}));
    const key = uc.params.epochKeys.get(p.bill.bill.e)!;
    const T = verifyReceipts(uc.params.suite, key, p.tokens.map((t, k) => ({ rho: t.rho, receipt: receipts[k]! })), drbg('batch'));
    const C = combined(uc, p, receipts, T);
    expect(uc.settle(p.bill.billMessage, p.bill.beta, C).status).toBe('settled');
    expect(uc.coinsRedeemed).toBe(10_000);
  });
});
