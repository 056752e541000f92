import { describe, expect, it } from 'vitest';
import { ReferenceMeter } from '../../meter/reference-meter.ts';
import { drbg } from '../../meter/drbg.ts';
import { SipsterError } from '../errors.ts';
import { encodeBillMessage, encodeHandoverMessage, ZERO_HASH } from '../messages.ts';
import { NEVER_BILLED } from '../handover.ts';
import { signMessage } from '../signature.ts';
import { SUITE_IDS } from '../suite.ts';
import { EPOCH_LENGTH, honestSettle, makeMeter, makeUc, meterPeriod } from './fixture.ts';

const code = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (err) {
    return err instanceof SipsterError ? err.code : 'untyped';
  }
  return undefined;
};

describe.each(SUITE_IDS)('%s: meter replacement', (id) => {
  it('the new device continues the chain after a handover signed by the old key; the old key is retired', () => {
    const uc = makeUc(id);
    const old = makeMeter(uc, 'meter-7');
    honestSettle(uc, meterPeriod(old, 1, 2));
    const final = meterPeriod(old, 2, 3); // final bill before replacement
    honestSettle(uc, final);
    const head = old.chainHead;
    const fresh = new ReferenceMeter(
      { suite: uc.params.suite, meterId: 'meter-7', epochLength: EPOCH_LENGTH, tariffVersion: 1, firstC: head.lastC + 1, prevBillHash: head.lastBillHash },
      drbg(`replacement/${id}`),
    );
    const record = old.handover(fresh.vkM);
    expect(() => old.startPeriod(3)).toThrow(/retired/);
    // a handover signed by another key is refused
    const stranger = makeMeter(uc, 'meter-8');
    expect(code(() => uc.handover(record.handoverMessage, signMessage(stranger.identityForTests, record.handoverMessage, new Uint8Array(32))))).toBe('bad-signature');
    uc.handover(record.handoverMessage, record.signature);
    expect(code(() => uc.handover(record.handoverMessage, record.signature))).toBe('retired-meter');
    // the new device's first bill chains to the old meter's final bill and settles
    const next = meterPeriod(fresh, 3, 4);
    expect(next.bill.bill.c).toBe(head.lastC + 1);
    expect(honestSettle(uc, next).status).toBe('settled');
    // the old key can no longer sign a bill for the meter
    const forged = encodeBillMessage(uc.params.suite, { ...next.bill.bill, c: head.lastC + 2, periodLabel: 9, e: 2, prev: next.bill.bill.prev });
    expect(code(() => uc.settle(forged, signMessage(old.identityForTests, forged, new Uint8Array(32)), undefined))).toBe('bad-signature');
  });

  it('a meter replaced before its first bill hands over with lastC = 0xffffffff; the new device starts at counter 0', () => {
    const uc = makeUc(id);
    const old = makeMeter(uc, 'meter-9');
    const fresh = new ReferenceMeter({ suite: uc.params.suite, meterId: 'meter-9', epochLength: EPOCH_LENGTH, tariffVersion: 1 }, drbg(`early/${id}`));
    const message = encodeHandoverMessage(uc.params.suite, { meterId: 'meter-9', oldVkM: old.vkM, lastC: NEVER_BILLED, lastBillHash: ZERO_HASH, newVkM: fresh.vkM });
    const bogus = encodeHandoverMessage(uc.params.suite, { meterId: 'meter-9', oldVkM: old.vkM, lastC: NEVER_BILLED, lastBillHash: new Uint8Array(32).fill(1), newVkM: fresh.vkM });
    expect(code(() => uc.handover(bogus, signMessage(old.identityForTests, bogus, new Uint8Array(32))))).toBe('broken-chain');
    uc.handover(message, signMessage(old.identityForTests, message, new Uint8Array(32)));
    const first = meterPeriod(fresh, 1, 3);
    expect(first.bill.bill.c).toBe(0);
    expect(honestSettle(uc, first).status).toBe('settled');
    const byOld = meterPeriod(old, 2, 1);
    expect(code(() => uc.settle(byOld.bill.billMessage, byOld.bill.beta, undefined))).toBe('bad-signature');
  });
});
