// The HIL rig: the board under test (a real one on SIPSTER_PORT, or a virtual board started here
// as `sipster vboard`, a separate process), its rig control (the vboard's control channel, or
// SIPSTER_RIG for a real rig speaking the same HTTP API), and flashing helpers.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex } from '@noble/hashes/utils.js';
import { flashMeter, type FlashResult } from '../host/flash/flash.ts';
import { encodeProvisioning, type ProvisioningFields } from '../host/records/provisioning.ts';
import { Rig, spawnVirtualBoard } from '../host/vboard/rig-client.ts';

export { Listener } from '../host/serial/listener.ts';
export { PINS } from '../host/vboard/rig-client.ts';

/** Rig-driven tests run on the virtual board, or on a real board when SIPSTER_RIG names its rig. */
export const HAS_RIG = !process.env.SIPSTER_PORT || !!process.env.SIPSTER_RIG;

export interface Target {
  readonly virtual: boolean;
  /** Where records are read (serial device path). */
  readonly port: string;
  /** Where espruino-tools flashes (the vboard's tcp:// console; the device for a real board). */
  readonly flashPort: string;
  readonly rig: Rig | undefined;
  readonly dir: string;
  close(): Promise<void>;
}

export async function startTarget(): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'sipster-hil-'));
  const real = process.env.SIPSTER_PORT;
  if (real) {
    const rigUrl = process.env.SIPSTER_RIG;
    return { virtual: false, port: real, flashPort: real, rig: rigUrl ? new Rig(rigUrl) : undefined, dir, close: async () => undefined };
  }
  const vb = await spawnVirtualBoard(join(dir, 'flash.json'), join(dir, 'ttyVB0'));
  return { virtual: true, port: vb.device, flashPort: vb.console, rig: vb.rig, dir, close: vb.stop };
}

/** Writes a meter.json (the provisioning record as hex) for flashing. */
export function writeMeterFile(dir: string, fields: ProvisioningFields): string {
  const path = join(dir, `${fields.meterId}.json`);
  writeFileSync(path, JSON.stringify({ meterId: fields.meterId, provisioning: bytesToHex(encodeProvisioning(fields)) }));
  return path;
}

export async function flash(target: Target, meterFile: string, production = false): Promise<FlashResult> {
  return flashMeter({ port: target.flashPort, meterFile, production, bootTimeoutMs: 120_000 });
}
