import { describe, expect, it } from 'vitest';
import { SipsterError } from '../../protocol/errors.ts';
import { meterKeyFromSeed } from '../../protocol/signature.ts';
import { getSuite } from '../../protocol/suite.ts';
import { signTariff } from '../../protocol/tariff.ts';
import { drbg } from '../drbg.ts';
import { ReferenceMeter } from '../reference-meter.ts';

const suite = getSuite('P256-SHA256');
const ucLogKey = meterKeyFromSeed(new Uint8Array(32).fill(5));
const tariff = { version: 3, bands: [{ startMinute: 0, microUnitsPerWh: 100_000 }, { startMinute: 17 * 60, microUnitsPerWh: 250_000 }] };
const signedTariff = { ...signTariff(suite, tariff, ucLogKey, new Uint8Array(32)), ucLogVk: ucLogKey.vk };

describe('reference meter', () => {
  it('meters Wh through the tariff: fractions carry, each whole unit is one token', () => {
    const meter = new ReferenceMeter({ suite, meterId: 'M', epochLength: 4, tariffVersion: 3, signedTariff }, drbg('m'));
    meter.startPeriod(1);
    let tokens = 0;
    for (let wh = 0; wh < 25; wh++) tokens += meter.meterWh(60).length; // 25 Wh × 0.1 = 2.5 units
    expect(tokens).toBe(2);
    for (let wh = 0; wh < 2; wh++) tokens += meter.meterWh(18 * 60).length; // + 2 × 0.25 = 3.0 units
    expect(tokens).toBe(3);
    expect(meter.billGen().n).toBe(3);
  });

  it('refuses a tariff not signed by the UC', () => {
    const forged = { ...signedTariff, signature: signTariff(suite, tariff, meterKeyFromSeed(new Uint8Array(32).fill(6)), new Uint8Array(32)).signature };
    expect(() => new ReferenceMeter({ suite, meterId: 'M', epochLength: 4, tariffVersion: 3, signedTariff: forged }, drbg('m'))).toThrow(SipsterError);
  });

  it('refuses to open a period while one is open, and to issue without a period', () => {
    const meter = new ReferenceMeter({ suite: getSuite('P256-SHA256'), meterId: 'M', epochLength: 4, tariffVersion: 1 }, drbg('m2'));
    expect(() => meter.tokenGen()).toThrow(/no open period/);
    meter.startPeriod(1);
    expect(() => meter.startPeriod(2)).toThrow(/still open/);
  });

  it('replay re-sends the last closed period and the open one, flagged, with the bill unchanged', () => {
    const meter = new ReferenceMeter({ suite: getSuite('P256-SHA256'), meterId: 'M', epochLength: 4, tariffVersion: 1 }, drbg('m3'));
    meter.startPeriod(1);
    const first = [meter.tokenGen(), meter.tokenGen()];
    const bill = meter.billGen();
    meter.startPeriod(2);
    const open = meter.tokenGen();
    const replay = meter.replay();
    expect(replay.map((r) => r.kind)).toEqual(['token', 'token', 'bill', 'token']);
    expect(replay.every((r) => (r.kind === 'token' || r.kind === 'bill') && r.replay)).toBe(true);
    const [t0, t1, b, o] = replay as [typeof first[0], typeof first[0], typeof bill, typeof open];
    expect(t0.rho).toEqual(first[0]!.rho);
    expect(t1.rho).toEqual(first[1]!.rho);
    expect(b.billMessage).toEqual(bill.billMessage);
    expect(b.beta).toEqual(bill.beta);
    expect(o.rho).toEqual(open.rho);
  });
});
