import { describe, expect, it } from 'vitest';
import { SUITE_IDS } from '../suite.ts';
import { honestSettle, makeMeter, makeUc, meterPeriod } from './fixture.ts';

describe('honest billing periods settle', () => {
  for (const id of SUITE_IDS) {
    for (const n of [1, 2, 100]) {
      it(`${id}, n = ${n}`, () => {
        const uc = makeUc(id);
        const meter = makeMeter(uc);
        const period = meterPeriod(meter, 5, n);
        expect(period.bill.n).toBe(n);
        const rec = honestSettle(uc, period);
        expect(rec.status).toBe('settled');
        expect(uc.coinsRedeemed).toBe(n);
      });
    }
    it(`${id}: consecutive periods chain, and an unsettled period (debt) does not block the next`, () => {
      const uc = makeUc(id);
      const meter = makeMeter(uc);
      expect(honestSettle(uc, meterPeriod(meter, 1, 3)).status).toBe('settled');
      const unpaid = meterPeriod(meter, 2, 4);
      expect(uc.settle(unpaid.bill.billMessage, unpaid.bill.beta, undefined).status).toBe('debt');
      expect(honestSettle(uc, meterPeriod(meter, 3, 2)).status).toBe('settled');
      // the debt can still be paid and settled later, once
      expect(honestSettle(uc, unpaid).status).toBe('settled');
    });
  }
});
