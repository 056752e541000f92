// Shared test setup: a provisioned virtual board running the built firmware, and the records it emitted.
import { buildFirmwareCached, type FirmwareBundle } from '../../conformance/bundle.ts';
import { baseTableBytes } from '../../src/crypto/index.ts';
import { encodeProvisioning, PROVISIONING_FILE, type ProvisioningFields } from '../../../host/records/provisioning.ts';
import { decodeRecord, type MeterRecord } from '../../../host/records/decode.ts';
import { FrameDecoder } from '../../../host/serial/frame.ts';
import { getSuite } from '../../../host/protocol/suite.ts';
import { meterKeyFromSeed } from '../../../host/protocol/signature.ts';
import { signTariff } from '../../../host/protocol/tariff.ts';
import { VirtualBoard, type BoardOptions } from './harness.ts';

export const SUITE = getSuite('P256-SHA256');
export const UC_LOG_KEY = meterKeyFromSeed(new Uint8Array(32).fill(0x5a));
/** 2026-01-01T00:00:00Z; periods of one hour from there. */
export const ORIGIN = 1_767_225_600;
export const PERIOD_SECONDS = 3600;

let bundle: Promise<FirmwareBundle> | undefined;
/** The comb table of B, as the flasher stores it next to the code (Storage file "sip.base"). */
const BASE_TABLE = Buffer.from(baseTableBytes()).toString('latin1');
export function firmware(): Promise<FirmwareBundle> {
  bundle ??= buildFirmwareCached();
  return bundle;
}

export function provisioning(over: Partial<ProvisioningFields> = {}): Uint8Array {
  // 0.25 unit per Wh before 06:00 UTC, 0.5 after: 4 or 2 pulses per token.
  const tariff = signTariff(SUITE, { version: 7, bands: [{ startMinute: 0, microUnitsPerWh: 250_000 }, { startMinute: 360, microUnitsPerWh: 500_000 }] }, UC_LOG_KEY, new Uint8Array(32));
  return encodeProvisioning({
    suiteId: 'P256-SHA256', meterId: 'meter-0001', production: false, epochLength: 24, periodSeconds: PERIOD_SECONDS,
    periodOrigin: ORIGIN, pulsePin: 'D5', replayPin: 'BTN1', finalBillPin: 'D7', testLoadMs: 0, timing: true,
    ucKey: UC_LOG_KEY.vk, tariff, ...over,
  });
}

/** A board with the provisioning record and the firmware file in flash, as the flasher leaves it. */
export async function provisionedBoard(opts: BoardOptions = {}, over: Partial<ProvisioningFields> = {}): Promise<{ board: VirtualBoard; code: string }> {
  const code = (await firmware()).minified;
  const board = new VirtualBoard({ time: ORIGIN + 8 * 3600 + 60, ...opts });
  board.flash.set(PROVISIONING_FILE, Buffer.from(provisioning(over)).toString('latin1'));
  board.flash.set('sipster.js', code);
  board.flash.set('sip.base', BASE_TABLE);
  return { board, code };
}

/** The records in the firmware's output, through the host's framer; any bad frame fails the test. */
export function records(output: string): MeterRecord[] {
  const events = new FrameDecoder().push(Buffer.from(output, 'latin1'));
  return events.map((ev) => {
    if (!ev.ok) throw new Error(`bad frame in firmware output: ${ev.fault} (${ev.detail})`);
    return decodeRecord(ev.payload);
  });
}
