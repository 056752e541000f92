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
import { ascii, decode, equal, fromAscii, take, takeLp, takeU32, takeU8 } from './bytes.ts';
import { SUITE_ID, V1 } from './derive.ts';

export const PROVISIONING_FILE = 'sip.prov';
const MAGIC = ascii('SPV1');
const TARIFF_TAG = ascii(V1 + 'tariff');

export interface Provisioning {
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
  tariffVersion: number;
  /** Pairs: start minute of the UTC day, micro-units per Wh. */
  slots: Uint32Array;
}

/** The provisioning record, checked; throws if it is malformed or not for this meter's suite. */
export function parseProvisioning(b: Uint8Array): Provisioning {
  const p = decode(b, (): Provisioning => {
    // This firmware reads only records (and tariffs) for its own suite.
    if (!equal(take(4), MAGIC) || fromAscii(takeLp()) !== SUITE_ID) throw new Error('not a provisioning record for this suite');
    return {
      meterId: fromAscii(takeLp()),
      production: takeU8() === 1,
      epochLength: takeU32(),
      periodSeconds: takeU32(),
      periodOrigin: takeU32(),
      pulsePin: fromAscii(takeLp()),
      replayPin: fromAscii(takeLp()),
      finalBillPin: fromAscii(takeLp()),
      testLoadMs: takeU32(),
      timing: takeU8() === 1,
      ucKey: take(33),
      tariffMessage: takeLp(),
      tariffSig: take(64),
      tariffVersion: 0,
      slots: new Uint32Array(0),
    };
  });
  parseTariff(p);
  if (!printable(p.meterId) || p.epochLength < 1 || p.periodSeconds < 1) throw new Error('bad meterId or schedule');
  return p;
}

export function periodLabelAt(p: Provisioning, t: number): number {
  return Math.floor((t - p.periodOrigin) / p.periodSeconds);
}

/** Unix time at which the given global period ends. */
export function periodEnd(p: Provisioning, label: number): number {
  return p.periodOrigin + (label + 1) * p.periodSeconds;
}

export function epochOf(p: Provisioning, label: number): number {
  return Math.floor(label / p.epochLength);
}

/** Micro-units owed for one Wh metered at Unix time t. */
export function rateAt(p: Provisioning, t: number): number {
  const minute = Math.floor((t % 86400) / 60); // t >= 0: Unix time
  const slots = p.slots;
  let rate = slots[1]!;
  for (let k = 2; k < slots.length; k += 2) if (slots[k]! <= minute) rate = slots[k + 1]!;
  return rate;
}

/** meterIds are 1–64 printable ASCII characters (as the protocol core requires). */
function printable(s: string): boolean {
  if (s.length < 1 || s.length > 64) return false;
  for (let k = 0; k < s.length; k++) if (s.charCodeAt(k) < 0x21 || s.charCodeAt(k) > 0x7e) return false;
  return true;
}

/** The signed tariff's version and slots into p (its signature is checked at boot with ucKey). */
function parseTariff(p: Provisioning): void {
  decode(p.tariffMessage, () => {
    if (!equal(takeLp(), TARIFF_TAG) || fromAscii(takeLp()) !== SUITE_ID) throw new Error('bad tariff header');
    p.tariffVersion = takeU32();
    const k = takeU32();
    if (k < 1 || k > 48) throw new Error('tariff needs 1-48 bands');
    const slots = new Uint32Array(2 * k);
    for (let s = 0; s < k; s++) {
      slots[2 * s] = takeU32();
      slots[2 * s + 1] = takeU32();
      if (s === 0 ? slots[0] !== 0 : slots[2 * s]! <= slots[2 * s - 2]! || slots[2 * s]! >= 1440) throw new Error('bad tariff slots');
    }
    p.slots = slots;
  });
}
