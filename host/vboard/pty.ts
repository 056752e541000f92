// The board's USB link as a real pseudo-terminal that serialport (or screen, or espruino-tools
// given a tty) opens like any serial device. Node has no openpty, so a small python3 relay
// (pty_relay.py, standard library only; python3 is on every Linux/macOS machine this runs on,
// unlike socat, and needs no native build) owns the pty and copies bytes over its stdin/stdout.
// The relay keeps a stable symlink to the slave side, so unplugging (the device vanishing) and
// plugging back in (a new pty) keep one device path, like /dev/serial/by-id/... on a real machine.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Link } from './link.ts';

const RELAY = join(dirname(fileURLToPath(import.meta.url)), 'pty_relay.py');

export class PtyError extends Error {
  override readonly name = 'PtyError';
}

export class PtyConsole {
  private detach: (() => void) | undefined;
  private plugged = true;
  private readonly waiters: Array<{ want: boolean; resolve: () => void }> = [];

  private constructor(private readonly child: ChildProcess, private readonly link: Link, readonly path: string) {}

  /** Starts the relay and waits until the pty exists behind `path` (a symlink the relay owns). */
  static async open(link: Link, path: string, python = process.env.SIPSTER_PYTHON ?? 'python3'): Promise<PtyConsole> {
    const child = spawn(python, [RELAY, path], { stdio: ['pipe', 'pipe', 'pipe'] });
    const failed = once(child, 'error').then(([e]) => {
      throw new PtyError(`cannot start the pty relay with ${python}: ${(e as Error).message}`);
    });
    let console_: PtyConsole | undefined;
    let buf = '';
    const ready = new Promise<void>((resolve, reject) => {
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (chunk: string) => {
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.startsWith('PLUGGED ')) {
            if (!console_) resolve();
            else console_.onPlug(true);
          } else if (line === 'UNPLUGGED') console_?.onPlug(false);
          else if (line.length > 0) process.stderr.write(`pty relay: ${line}\n`);
        }
      });
      child.once('exit', (code) => reject(new PtyError(`pty relay exited with code ${code}`)));
    });
    await Promise.race([ready, failed]);
    console_ = new PtyConsole(child, link, path);
    child.stdout!.on('data', (d: Buffer) => link.receive(d));
    child.stdin!.on('error', () => undefined);
    console_.onPlug(true);
    return console_;
  }

  private onPlug(plugged: boolean): void {
    this.plugged = plugged;
    if (plugged && !this.detach) this.detach = this.link.attach({ write: (d) => this.child.stdin!.write(d) });
    if (!plugged && this.detach) {
      this.detach();
      this.detach = undefined;
    }
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i]!.want === plugged) this.waiters.splice(i, 1)[0]!.resolve();
    }
  }

  private waitFor(want: boolean): Promise<void> {
    if (this.plugged === want) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ want, resolve }));
  }

  /** The device vanishes (its path is gone; anyone holding it open gets a hang-up). */
  async unplug(): Promise<void> {
    this.child.kill('SIGUSR1');
    await this.waitFor(false);
  }

  /** The device comes back under the same path. */
  async plug(): Promise<void> {
    this.child.kill('SIGUSR2');
    await this.waitFor(true);
  }

  get isPlugged(): boolean {
    return this.plugged;
  }

  async close(): Promise<void> {
    this.detach?.();
    this.detach = undefined;
    if (this.child.exitCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.stdin!.end();
    await exited;
  }
}
