/**
 * Signed tariff schedule: units owed per metered Wh by time of day, signed by the UC's log key
 * and given to the meter at provisioning (the meter verifies it before use).
 *   message = lp("sipster/v1/tariff") ‖ lp(suiteId) ‖ u32(version) ‖ u32(count)
 *             ‖ count × (u32(startMinuteOfDay) ‖ u32(microUnitsPerWh))
 * Bands are sorted, start at minute 0 and cover the day; a unit is 10^6 micro-units.
 */
import { concat, lp, Reader, u32 } from './bytes.ts';
import { decodeFail } from './errors.ts';
import { signMessage, verifySignature, type MeterKeyPair } from './signature.ts';
import { getSuite, type Suite } from './suite.ts';

export const TARIFF_TAG = 'sipster/v1/tariff';
export const MICRO_UNITS_PER_UNIT = 1_000_000;

export interface TariffBand {
  readonly startMinute: number;
  readonly microUnitsPerWh: number;
}

export interface Tariff {
  readonly version: number;
  readonly bands: readonly TariffBand[];
}

function checkBands(bands: readonly TariffBand[]): void {
  if (bands.length < 1 || bands.length > 48) decodeFail('bad-encoding', 'tariff needs 1–48 bands');
  bands.forEach((b, i) => {
    if (i === 0 ? b.startMinute !== 0 : b.startMinute <= bands[i - 1]!.startMinute) decodeFail('bad-encoding', 'tariff bands must start at 0 and increase');
    if (b.startMinute >= 1440) decodeFail('bad-encoding', 'tariff band starts after the end of the day');
    if (!Number.isInteger(b.microUnitsPerWh) || b.microUnitsPerWh < 0 || b.microUnitsPerWh > 0xffffffff) decodeFail('bad-encoding', 'tariff rate out of range');
  });
}

export function encodeTariff(suite: Suite, t: Tariff): Uint8Array {
  checkBands(t.bands);
  return concat(lp(TARIFF_TAG), lp(suite.id), u32(t.version), u32(t.bands.length), ...t.bands.map((b) => concat(u32(b.startMinute), u32(b.microUnitsPerWh))));
}

export function signTariff(suite: Suite, t: Tariff, logKey: MeterKeyPair, rand32: Uint8Array): { message: Uint8Array; signature: Uint8Array } {
  const message = encodeTariff(suite, t);
  return { message, signature: signMessage(logKey, message, rand32) };
}

export function decodeTariff(suite: Suite, message: Uint8Array, signature: Uint8Array, logVk: Uint8Array): Tariff {
  const r = new Reader(message, 'tariff');
  if (r.lpString() !== TARIFF_TAG) decodeFail('wrong-tag', 'not a tariff message');
  if (getSuite(r.lpString()) !== suite) decodeFail('wrong-suite', 'tariff for another ciphersuite');
  const version = r.u32();
  const count = r.u32();
  if (count < 1 || count > 48) decodeFail('bad-encoding', 'tariff needs 1–48 bands');
  const bands: TariffBand[] = [];
  for (let i = 0; i < count; i++) bands.push({ startMinute: r.u32(), microUnitsPerWh: r.u32() });
  r.end();
  checkBands(bands);
  verifySignature(logVk, message, signature);
  return { version, bands };
}

/** Rate in force at a minute of the day. */
export function rateAt(t: Tariff, minuteOfDay: number): number {
  let rate = t.bands[0]!.microUnitsPerWh;
  for (const b of t.bands) if (b.startMinute <= minuteOfDay) rate = b.microUnitsPerWh;
  return rate;
}
