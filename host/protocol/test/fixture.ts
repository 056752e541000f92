/** Test fixture: a UC, registered reference meters and an honest wallet, all in process. */
import { drbg } from '../../meter/drbg.ts';
import { ReferenceMeter } from '../../meter/reference-meter.ts';
import type { BillRecord, TokenRecord } from '../../records/decode.ts';
import { selfCheck, selfCheckPoints, combine } from '../combine.ts';
import { MemoryUc } from '../memory-uc.ts';
import { encodePayRequest } from '../pay.ts';
import { verifyReceipt, type Receipt } from '../receipt.ts';
import { getSuite, type Point, type SuiteId } from '../suite.ts';

export const EPOCH_LENGTH = 4;

export function makeUc(suiteId: SuiteId, seed = 'uc'): MemoryUc {
  return new MemoryUc(
    {
      suite: getSuite(suiteId),
      ucName: 'Test Utility',
      epochLength: EPOCH_LENGTH,
      periodSeconds: 86_400,
      originUnix: 1_767_225_600,
      epochs: [0, 1, 2, 3],
      tariff: { version: 1, bands: [{ startMinute: 0, microUnitsPerWh: 300 }] },
    },
    drbg(`${seed}/${suiteId}`),
  );
}

export function makeMeter(uc: MemoryUc, meterId = 'meter-1', seed = meterId): ReferenceMeter {
  const meter = new ReferenceMeter(
    { suite: uc.params.suite, meterId, epochLength: EPOCH_LENGTH, tariffVersion: 1 },
    drbg(`${seed}/${uc.params.suite.id}`),
  );
  uc.registerMeter(meterId, meter.vkM);
  return meter;
}

export interface Period {
  readonly tokens: TokenRecord[];
  readonly bill: BillRecord;
}

export function meterPeriod(meter: ReferenceMeter, periodLabel: number, n: number): Period {
  meter.startPeriod(periodLabel);
  const tokens: TokenRecord[] = [];
  for (let i = 0; i < n; i++) tokens.push(meter.tokenGen());
  return { tokens, bill: meter.billGen() };
}

/** The wallet's pay step: one request per token, each receipt verified under the pinned key. */
export function payAll(uc: MemoryUc, tokens: readonly TokenRecord[]): Receipt[] {
  const params = uc.params;
  return tokens.map((t) => {
    const receipt = uc.pay(encodePayRequest({ e: t.e, rho: t.rho }), () => {});
    verifyReceipt(params.suite, params.epochKeys.get(t.e)!, t.rho, receipt);
    return receipt;
  });
}

/** Self-check, then Combine: the C the wallet would send with the bill. */
export function combined(uc: MemoryUc, p: Period, receipts: readonly Receipt[], tokenPoints?: readonly Point[]): Point {
  const suite = uc.params.suite;
  if (tokenPoints) selfCheckPoints(suite, tokenPoints, p.bill.r, p.bill.bill.R);
  else selfCheck(suite, p.tokens.map((t) => t.rho), p.bill.r, p.bill.bill.R);
  return combine(suite, uc.params.epochKeys.get(p.bill.bill.e)!, receipts, p.bill.r, p.bill.bill.R);
}

export function honestSettle(uc: MemoryUc, p: Period) {
  const C = combined(uc, p, payAll(uc, p.tokens));
  return uc.settle(p.bill.billMessage, p.bill.beta, C);
}
