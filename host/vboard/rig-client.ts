// Client of the rig's control channel (host/vboard/control.ts), and a virtual board started as its
// own process (`sipster vboard`), for the HIL suite, the device bench and the demo.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

/** Pins a meter is provisioned with on the rig: metering pulses, troubleshooting (replay) signal, final-bill trigger. */
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

export interface VirtualBoardProcess {
  /** The pseudo-terminal (serial device path). */
  readonly device: string;
  /** The TCP console (tcp://127.0.0.1:PORT), what espruino-tools connects to. */
  readonly console: string;
  readonly rig: Rig;
  stop(): Promise<void>;
}

/** Starts `sipster vboard` with its flash in `flashPath` and its device at `devicePath`. */
export function spawnVirtualBoard(flashPath: string, devicePath: string, extraArgs: readonly string[] = []): Promise<VirtualBoardProcess> {
  return spawnBoard(['vboard', '--json', '--flash', flashPath, '--device', devicePath, ...extraArgs]);
}

/** Starts `sipster espruino-linux` (the user's build of Espruino's Linux interpreter) working in `dir`. */
export function spawnInterpreterBoard(dir: string, espruino: string): Promise<VirtualBoardProcess> {
  return spawnBoard(['espruino-linux', '--json', '--dir', dir, '--espruino', espruino]);
}

/** Runs a `sipster` board command that prints {device, console, control} as its first JSON line. */
async function spawnBoard(args: readonly string[]): Promise<VirtualBoardProcess> {
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'bin', 'sipster.mjs'), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const info = await new Promise<{ device: string; console: string; control: string }>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(buf.slice(0, nl)) as { device: string; console: string; control: string });
    });
    child.once('exit', (code) => reject(new Error(`sipster ${args[0]} exited with ${code}`)));
  });
  return {
    device: info.device,
    console: info.console,
    rig: new Rig(info.control),
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
