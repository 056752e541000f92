// Provisioning record: written to flash (Storage file "sip.prov") by the provisioning tool before
// the first boot (host encoder: host/records/provisioning.ts). The meter reads it at each boot; it
// is configuration, not an input channel: nothing in it can read keys or change counted state.
//
// "SPV1" ‖ lp(suiteId) ‖ lp(meterId) ‖ u8 production ‖ u32 epochLength (periods per epoch:
// e = floor(periodLabel / epochLength)) ‖ u32 periodSeconds ‖ u32 periodOrigin (Unix seconds; the
// global periodLabel at time t is floor((t − origin) / periodSeconds)) ‖ lp(pulsePin) ‖ lp(replayPin)
// ‖ lp(finalBillPin) (pin names, empty = none) ‖ u32 testLoadMs (built-in test load: one pulse every
// testLoadMs, 0 = off) ‖ u8 timing (1 = emit timing records) ‖ ucKey (33, the UC's parameters key)
// ‖ lp(tariff) ‖ tariffSig (64, ECDSA P-256 by ucKey over tariff)
//
// tariff = the protocol core's signed tariff (host/protocol/tariff.ts): lp("sipster/v1/tariff") ‖
// lp(suiteId) ‖ u32 version ‖ u32 count (1–48) ‖ count × (u32 startMinute (of the UTC day; the first
// is 0, strictly increasing, < 1440) ‖ u32 microUnitsPerWh)
import { ascii, ByteReader, equal, fromAscii } from './bytes.ts';
import { SUITE_ID } from './derive.ts';

export const PROVISIONING_FILE = 'sip.prov';
const MAGIC = ascii('SPV1');
const TARIFF_TAG = ascii('sipster/v1/tariff');

export class Tariff {
  version: number;
  /** Pairs: start minute of the UTC day, micro-units per Wh. */
  slots: Uint32Array;
  constructor(version: number, slots: Uint32Array) { this.version = version; this.slots = slots; }

  /** Micro-units owed for one Wh metered at Unix time t. */
  rateAt(t: number): number {
    const minute = Math.floor((t - 86400 * Math.floor(t / 86400)) / 60);
    let rate = this.slots[1]!;
    for (let k = 2; k < this.slots.length; k += 2) if (this.slots[k]! <= minute) rate = this.slots[k + 1]!;
    return rate;
  }
}

export class Provisioning {
  suiteId: string;
  meterId: string;
  production: boolean;
  epochLength: number;
  periodSeconds: number;
  periodOrigin: number;
  pulsePin: string;
  replayPin: string;
  finalBillPin: string;
  testLoadMs: number;
  timing: boolean;
  ucKey: Uint8Array;
  tariffMessage: Uint8Array;
  tariffSig: Uint8Array;
  tariff: Tariff;
  constructor(r: ByteReader) {
    if (!equal(r.take(4), MAGIC)) throw new Error('not a provisioning record');
    this.suiteId = fromAscii(r.lp());
    this.meterId = fromAscii(r.lp());
    this.production = r.u8() === 1;
    this.epochLength = r.u32();
    this.periodSeconds = r.u32();
    this.periodOrigin = r.u32();
    this.pulsePin = fromAscii(r.lp());
    this.replayPin = fromAscii(r.lp());
    this.finalBillPin = fromAscii(r.lp());
    this.testLoadMs = r.u32();
    this.timing = r.u8() === 1;
    this.ucKey = r.take(33);
    this.tariffMessage = r.lp();
    this.tariffSig = r.take(64);
    r.end();
    this.tariff = parseTariff(this.tariffMessage, this.suiteId);
    if (this.suiteId !== SUITE_ID) throw new Error('unsupported suite');
    if (!printable(this.meterId)) throw new Error('bad meterId');
    if (this.epochLength < 1 || this.periodSeconds < 1) throw new Error('bad schedule');
  }

  periodLabelAt(t: number): number {
    return Math.floor((t - this.periodOrigin) / this.periodSeconds);
  }

  /** Unix time at which the given global period ends. */
  periodEnd(label: number): number {
    return this.periodOrigin + (label + 1) * this.periodSeconds;
  }

  epochOf(label: number): number {
    return Math.floor(label / this.epochLength);
  }
}

/** meterIds are 1–64 printable ASCII characters (as the protocol core requires). */
function printable(s: string): boolean {
  if (s.length < 1 || s.length > 64) return false;
  for (let k = 0; k < s.length; k++) if (s.charCodeAt(k) < 0x21 || s.charCodeAt(k) > 0x7e) return false;
  return true;
}

function parseTariff(msg: Uint8Array, suiteId: string): Tariff {
  const r = new ByteReader(msg);
  if (!equal(r.lp(), TARIFF_TAG) || fromAscii(r.lp()) !== suiteId) throw new Error('bad tariff header');
  const version = r.u32();
  const k = r.u32();
  if (k < 1 || k > 48) throw new Error('tariff needs 1-48 bands');
  const slots = new Uint32Array(2 * k);
  for (let s = 0; s < k; s++) {
    slots[2 * s] = r.u32();
    slots[2 * s + 1] = r.u32();
    if (s === 0 ? slots[0] !== 0 : slots[2 * s]! <= slots[2 * s - 2]! || slots[2 * s]! >= 1440) throw new Error('bad tariff slots');
  }
  r.end();
  return new Tariff(version, slots);
}
