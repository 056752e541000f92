/**
 * The wallet's check of many receipts at once (receipt.ts checkReceipts): valid batches pass,
 * a forged receipt fails the batch and is named, and the small-exponent weights of the pairing
 * suite are unpredictable, which is what stops receipts forged to cancel out under them.
 */
import { describe, expect, it } from 'vitest';
import { drbg } from '../../meter/drbg.ts';
import { tokenPoint } from '../derive.ts';
import { SipsterError } from '../errors.ts';
import { batchWeights, checkReceipts, verifyReceipts, type Receipt } from '../receipt.ts';
import { SUITE_IDS } from '../suite.ts';
import { makeMeter, makeUc, meterPeriod, payAll } from './fixture.ts';

function paidPeriod(id: (typeof SUITE_IDS)[number], n: number) {
  const uc = makeUc(id);
  const p = meterPeriod(makeMeter(uc), 1, n);
  const receipts = payAll(uc, p.tokens);
  return {
    suite: uc.params.suite,
    key: uc.params.epochKeys.get(p.bill.bill.e)!,
    items: p.tokens.map((t, k) => ({ rho: t.rho, receipt: receipts[k]! })),
  };
}

describe.each(SUITE_IDS)('%s: receipts checked as a batch', (id) => {
  it('a batch of valid receipts passes and yields each T = H(ρ)', () => {
    const { suite, key, items } = paidPeriod(id, 12);
    const { T, bad } = checkReceipts(suite, key, items);
    expect(bad).toEqual([]);
    T.forEach((t, i) => expect(t.equals(tokenPoint(suite, items[i]!.rho))).toBe(true));
  });

  it('one forged receipt fails the batch and is named; the others are not', () => {
    const { suite, key, items } = paidPeriod(id, 12);
    for (const forged of [0, 7, 11]) {
      const batch = items.slice();
      const r = batch[forged]!.receipt;
      batch[forged] = { rho: batch[forged]!.rho, receipt: { ...r, Z: r.Z.add(suite.B) } };
      expect(checkReceipts(suite, key, batch).bad).toEqual([forged]);
      let caught: unknown;
      try {
        verifyReceipts(suite, key, batch);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(SipsterError);
      expect((caught as SipsterError).code).toBe('bad-receipt');
      expect((caught as SipsterError).message).toContain(`index ${forged}`);
    }
    // a receipt swapped onto another token's ρ is forged too
    const swapped = items.slice();
    swapped[2] = { rho: items[2]!.rho, receipt: items[3]!.receipt };
    expect(checkReceipts(suite, key, swapped).bad).toEqual([2]);
  });
});

describe('BLS12381-SHA256: the batch weights', () => {
  it('receipts forged to cancel under known weights pass only when the weights are predictable', () => {
    const { suite, key, items } = paidPeriod('BLS12381-SHA256', 6);
    // a UC that knows δ (here: the weights a fixed seed gives) offsets receipts 1 and 2 by δ_2·X and −δ_1·X
    const w = batchWeights(items.length, drbg('predictable'));
    const X = suite.mul(suite.B, 987654321n);
    const forge = (i: number, d: typeof X): { rho: Uint8Array; receipt: Receipt } => ({ rho: items[i]!.rho, receipt: { Z: items[i]!.receipt.Z.add(d), proof: undefined } });
    const batch = items.slice();
    batch[1] = forge(1, suite.mul(X, w[2]!));
    batch[2] = forge(2, suite.mul(X, w[1]!).negate());
    expect(checkReceipts(suite, key, batch, drbg('predictable')).bad).toEqual([]); // the attack is real
    expect(checkReceipts(suite, key, batch).bad).toEqual([1, 2]); // the CSPRNG's weights catch it, and both are named
  });

  it('are 128-bit, odd, and fresh from the CSPRNG at every call', () => {
    const a = batchWeights(1000);
    const b = batchWeights(1000);
    for (const x of a) {
      expect(x & 1n).toBe(1n);
      expect(x < 1n << 128n).toBe(true);
    }
    expect(a.some((x) => x >= 1n << 127n)).toBe(true); // the full width is used
    expect(new Set([...a, ...b].map(String)).size).toBe(2000);
    expect(batchWeights(4, drbg('seed'))).toEqual(batchWeights(4, drbg('seed'))); // only a pinned source repeats
  });
});
