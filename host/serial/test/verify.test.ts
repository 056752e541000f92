import { describe, expect, it } from 'vitest';
import { drbg } from '../../meter/drbg.ts';
import { ReferenceMeter } from '../../meter/reference-meter.ts';
import { getSuite } from '../../protocol/suite.ts';
import type { BillRecord, TokenRecord } from '../../records/decode.ts';
import { StreamVerifier } from '../verify.ts';

const period = (seed: string): { meter: ReferenceMeter; tokens: TokenRecord[]; bill: BillRecord } => {
  const meter = new ReferenceMeter({ suite: getSuite('P256-SHA256'), meterId: 'verify-1', epochLength: 24, tariffVersion: 1 }, drbg(seed));
  meter.startPeriod(5);
  const tokens = [meter.tokenGen(), meter.tokenGen(), meter.tokenGen()];
  return { meter, tokens, bill: meter.billGen() };
};

describe('StreamVerifier', () => {
  it('passes an honest period: bill and dispute signatures under vkM, self-check over all n tokens', () => {
    const { meter, tokens, bill } = period('honest');
    const v = new StreamVerifier();
    expect(v.check(meter.boot())).toEqual([{ ok: true, what: 'KAT passed' }]);
    for (const t of tokens) expect(v.check(t)).toEqual([]);
    const checks = v.check(bill);
    expect(checks.map((c) => c.ok)).toEqual([true, true, true]);
    expect(v.missing(bill.bill.c)).toEqual([]);
  });

  it('fails a forged signature, a missing token, a second ρ for one (c, i); cannot verify without vkM', () => {
    const { meter, tokens, bill } = period('forged');
    const unknown = new StreamVerifier();
    expect(unknown.check(bill).filter((c) => c.what.includes('signature')).map((c) => c.ok)).toEqual([null, null]);

    const v = new StreamVerifier(meter.vkM);
    v.check(tokens[0]!);
    v.check(tokens[2]!);
    const beta = bill.beta.slice();
    beta[10]! ^= 1;
    const checks = v.check({ ...bill, beta });
    expect(checks.find((c) => c.what.startsWith('bill'))!.ok).toBe(false);
    expect(checks.some((c) => c.what.startsWith('self-check'))).toBe(false);
    expect(v.missing(bill.bill.c)).toEqual([1]);

    const rho = tokens[0]!.rho.slice();
    rho[0]! ^= 0xff;
    expect(v.check({ ...tokens[0]!, rho }).map((c) => c.ok)).toEqual([false]);

    const other = period('other meter');
    const w = new StreamVerifier(meter.vkM);
    for (const t of other.tokens) w.check(t);
    const foreign = w.check(other.bill);
    expect(foreign.filter((c) => c.what.includes('signature')).map((c) => c.ok)).toEqual([false, false]);
  });
});
