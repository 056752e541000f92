// The HIL rig: the board under test (a real one on SIPSTER_PORT, or a virtual board started here
// as `sipster vboard`, a separate process), its rig control (the vboard's control channel, or
// SIPSTER_RIG for a real rig speaking the same HTTP API), and a record reader on its port.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex } from '@noble/hashes/utils.js';
import { flashMeter, type FlashResult } from '../host/flash/flash.ts';
import { encodeProvisioning, type ProvisioningFields } from '../host/records/provisioning.ts';
import { ResilientPort } from '../host/serial/port.ts';
import { RecordReader, type LinkFault, type ReceivedRecord } from '../host/serial/records.ts';
import { StreamVerifier, type Check } from '../host/serial/verify.ts';

const ROOT = join(import.meta.dirname, '..');

/** Pins the HIL provisioning uses: metering pulses, troubleshooting (replay) signal, final-bill trigger. */
export const PINS = { pulse: 'D5', replay: 'D6', finalBill: 'D7' } as const;

export interface RigStatus {
  powered: boolean;
  clockMs: number;
  recordsSent: number;
  flashWrites: number;
  ramUsedBytes: number | null;
  usbPlugged: boolean | null;
}

/** The rig's HTTP API (host/vboard/control.ts). */
export class Rig {
  constructor(readonly url: string) {}

  async post(path: string, body: Record<string, unknown> = {}): Promise<RigStatus> {
    const res = await fetch(this.url + path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    const out = (await res.json()) as RigStatus & { error?: string };
    if (!res.ok) throw new Error(`rig ${path}: ${out.error}`);
    return out;
  }

  async status(): Promise<RigStatus> {
    return (await (await fetch(this.url + '/status')).json()) as RigStatus;
  }

  pulses(count: number, periodMs = 1000): Promise<RigStatus> {
    return this.post('/pulse', { pin: PINS.pulse, count, periodMs });
  }
  /** Runs the board's clock forward (timers and pulses due on the way run in order). */
  advance(ms: number): Promise<RigStatus> {
    return this.post('/clock', { advanceMs: ms });
  }
  setClock(unixMs: number): Promise<RigStatus> {
    return this.post('/clock', { setMs: unixMs });
  }
  troubleshoot(): Promise<RigStatus> {
    return this.post('/pulse', { pin: PINS.replay, count: 1, periodMs: 100 });
  }
  power(action: 'on' | 'off' | 'cycle'): Promise<RigStatus> {
    return this.post('/power', { action });
  }
  cutAfterFlashWrites(n: number, tornBytes?: number): Promise<RigStatus> {
    return this.post('/cut', tornBytes === undefined ? { afterFlashWrites: n } : { afterFlashWrites: n, tornBytes });
  }
  usb(action: 'unplug' | 'plug'): Promise<RigStatus> {
    return this.post('/usb', { action });
  }
  noise(writes: number): Promise<RigStatus> {
    return this.post('/noise', { writes });
  }
}

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
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'bin', 'sipster.mjs'), 'vboard', '--json', '--flash', join(dir, 'flash.json'), '--device', join(dir, 'ttyVB0')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const info = await new Promise<{ device: string; console: string; control: string }>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(buf.slice(0, nl)) as { device: string; console: string; control: string });
    });
    child.once('exit', (code) => reject(new Error(`sipster vboard exited with ${code}`)));
  });
  return {
    virtual: true,
    port: info.device,
    flashPort: info.console,
    rig: new Rig(info.control),
    dir,
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A meter's provisioning for the HIL rig (pins above); the UC's log key signs the tariff. */
export function writeMeterFile(dir: string, fields: ProvisioningFields): string {
  const path = join(dir, `${fields.meterId}.json`);
  writeFileSync(path, JSON.stringify({ meterId: fields.meterId, provisioning: bytesToHex(encodeProvisioning(fields)) }));
  return path;
}

export async function flash(target: Target, meterFile: string, production = false): Promise<FlashResult> {
  return flashMeter({ port: target.flashPort, meterFile, production, bootTimeoutMs: 120_000 });
}

/** The host side of the link: records exactly once, link faults, and every check the stream allows. */
export class Listener {
  readonly port: ResilientPort;
  readonly reader = new RecordReader();
  readonly verifier = new StreamVerifier();
  readonly faults: LinkFault[] = [];
  readonly failures: Check[] = [];
  readonly passes: Check[] = [];
  /** Raw bytes received, for tests that look at what else came out of the port. */
  raw = '';

  constructor(path: string) {
    this.port = new ResilientPort({ path, minBackoffMs: 20, maxBackoffMs: 250 });
    this.port.on('data', (d: Buffer) => {
      this.raw += d.toString('latin1');
      this.reader.push(d);
    });
    this.reader.on('fault', (f: LinkFault) => this.faults.push(f));
    this.reader.on('record', (r: ReceivedRecord) => {
      for (const c of this.verifier.check(r.record)) (c.ok ? this.passes : this.failures).push(c);
    });
  }

  async open(): Promise<void> {
    this.port.start();
    await this.port.waitOpen();
  }

  get records(): ReceivedRecord[] {
    return this.reader.log;
  }

  waitFor(match: (r: ReceivedRecord) => boolean, timeoutMs = 60_000, since?: number): Promise<ReceivedRecord> {
    return this.reader.waitFor(match, timeoutMs, since);
  }

  /** Waits until no record has arrived for `quietMs`. */
  async quiet(quietMs = 300, maxMs = 60_000): Promise<void> {
    const t0 = Date.now();
    let n = -1;
    while (Date.now() - t0 < maxMs) {
      if (n === this.records.length) return;
      n = this.records.length;
      await new Promise((r) => setTimeout(r, quietMs));
    }
  }

  close(): Promise<void> {
    return this.port.close();
  }
}
