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
import type { Listener } from '../host/serial/listener.ts';

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

/** A record frame on the wire: what a locked console may still send. */
export const FRAME = /\r\n@S1:[A-Za-z0-9+/=]*\*[0-9a-f]{8}\r\n/g;

/** Types what someone at the port would try on a locked console: a prompt, expressions, key reads, reboots, a new boot code. */
export async function typeIntoLockedConsole(link: Listener): Promise<void> {
  const attempts = [
    '\r\n', '1+1\r\n', '\x03\x03', '\x10print("<","<<",JSON.stringify(process.env),">>",">")\n', 'require("Storage").read("sip.id")\n',
    'E.setConsole("USB", {force: true})\n', 'echo(1)\n', 'reset()\n', 'load()\n', 'save()\n', '\x10E.setBootCode("print(1)")\n',
  ];
  for (const a of attempts) {
    await link.port.write(a);
    await new Promise((res) => setTimeout(res, 50));
  }
}
