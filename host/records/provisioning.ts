/**
 * Host encoder of the meter's provisioning record (layout documented in
 * firmware/src/provision.ts), written to the board's flash as Storage file "sip.prov" before first
 * boot. The tariff inside is the protocol core's signed tariff (host/protocol/tariff.ts), signed by
 * the UC's parameters-log key; the meter verifies it against that key before use.
 */
import { concat, lp, u32, utf8 } from '../protocol/bytes.ts';
import { checkMeterId } from '../protocol/messages.ts';
import { decodeVerifyingKey } from '../protocol/signature.ts';

export const PROVISIONING_FILE = 'sip.prov';
/** The successor's vkM (33 B), stored on the old meter at replacement for its handover record. */
export const SUCCESSOR_FILE = 'sip.next';

export interface ProvisioningFields {
  readonly suiteId: 'P256-SHA256';
  readonly meterId: string;
  readonly production: boolean;
  /** e = floor(periodLabel / epochLength). */
  readonly epochLength: number;
  readonly periodSeconds: number;
  /** Unix seconds; periodLabel(t) = floor((t − periodOrigin) / periodSeconds). */
  readonly periodOrigin: number;
  /** Pin names ("D5", "BTN1"); empty for none. */
  readonly pulsePin: string;
  readonly replayPin: string;
  readonly finalBillPin: string;
  /** Built-in test load: one pulse (1 Wh) every testLoadMs; 0 = off. */
  readonly testLoadMs: number;
  /** Emit timing records. */
  readonly timing: boolean;
  /** The UC's parameters-log verifying key (33 B). */
  readonly ucKey: Uint8Array;
  /** signTariff(...) output. */
  readonly tariff: { readonly message: Uint8Array; readonly signature: Uint8Array };
}

function u32Checked(x: number, what: string): Uint8Array {
  if (!Number.isInteger(x) || x < 0 || x > 0xffffffff) throw new RangeError(`${what} must be a u32`);
  return u32(x);
}

function pin(name: string): Uint8Array {
  if (!/^[A-Za-z0-9_]{0,16}$/.test(name)) throw new RangeError(`bad pin name ${JSON.stringify(name)}`);
  return lp(name);
}

export function encodeProvisioning(f: ProvisioningFields): Uint8Array {
  checkMeterId(f.meterId);
  decodeVerifyingKey(f.ucKey);
  if (f.epochLength < 1 || f.periodSeconds < 1) throw new RangeError('epochLength and periodSeconds must be positive');
  if (f.tariff.signature.length !== 64) throw new RangeError('tariff signature must be 64 bytes');
  return concat(
    utf8('SPV1'), lp(f.suiteId), lp(f.meterId), Uint8Array.of(f.production ? 1 : 0),
    u32Checked(f.epochLength, 'epochLength'), u32Checked(f.periodSeconds, 'periodSeconds'), u32Checked(f.periodOrigin, 'periodOrigin'),
    pin(f.pulsePin), pin(f.replayPin), pin(f.finalBillPin), u32Checked(f.testLoadMs, 'testLoadMs'), Uint8Array.of(f.timing ? 1 : 0),
    f.ucKey, lp(f.tariff.message), f.tariff.signature,
  );
}
