// Espruino's own interpreter, built for Linux by the user from Espruino's public repository, run
// as a board: its working directory holds espruino.flash (the board's flash), its stdin/stdout is
// the console (the USB link). Nothing of the interpreter is part of this project: the binary is
// named by --espruino PATH or SIPSTER_ESPRUINO.
//   power cut = SIGKILL (flash keeps what was written), power on = a new process (the boot code
//   runs from flash), no pins: the meter meters its provisioned test load.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export class InterpreterError extends Error {
  override readonly name = 'InterpreterError';
}

export const ESPRUINO_ENV = 'SIPSTER_ESPRUINO';

/** The interpreter's path from an option or SIPSTER_ESPRUINO; undefined when neither is set. */
export function espruinoPath(option?: string): string | undefined {
  const p = option ?? process.env[ESPRUINO_ENV];
  return p ? resolve(p) : undefined;
}

/** Checks the path names an executable Espruino interpreter and returns its version ("2v29"). */
export function checkInterpreter(path: string): string {
  try {
    if (!statSync(path).isFile()) throw new Error('not a file');
    accessSync(path, constants.X_OK);
  } catch (e) {
    throw new InterpreterError(`${path} is not an executable Espruino interpreter (${(e as Error).message}); build Espruino's Linux interpreter and point --espruino or ${ESPRUINO_ENV} at bin/espruino`);
  }
  // `-e` evaluates, runs until no timer is left and exits; in a scratch directory, as it may create espruino.flash.
  const scratch = mkdtempSync(join(tmpdir(), 'sipster-espruino-'));
  const r = spawnSync(path, ['-e', 'print("SIPSTER-VERSION="+process.version)'], { cwd: scratch, stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000, encoding: 'latin1' });
  rmSync(scratch, { recursive: true, force: true });
  const m = /SIPSTER-VERSION=(\S+)/.exec(r.stdout ?? '');
  if (!m) throw new InterpreterError(`${path} did not answer as an Espruino interpreter: ${(r.error?.message ?? r.stdout ?? '').slice(0, 200)}`);
  return m[1]!;
}

export interface InterpreterOptions {
  readonly binary: string;
  /** Working directory: its espruino.flash is the board's flash. */
  readonly dir: string;
  /** Bytes written to the interpreter's stdin at once (default 64). */
  readonly chunkBytes?: number;
}

/** Ctrl-D (0x04) makes the Linux build exit; a board ignores it. */
/** Console input held for the interpreter at most (an upload of the meter is ~170 KB of console lines). */
const MAX_PENDING = 4 * 1024 * 1024;
const CTRL_D = 0x04;

/**
 * One Espruino process at a time; emits 'data' (console output), 'exit' ({code, signal, tail}) when
 * it ends by itself (a crash: the Linux build's own asserts print `EXITING.`).
 */
export class InterpreterBoard extends EventEmitter {
  private child: ChildProcess | undefined;
  private readonly pending: Buffer[] = [];
  private pendingBytes = 0;
  private dropped = 0;
  private writing = false;
  private tail = '';
  private boots = 0;

  constructor(readonly options: InterpreterOptions) {
    super();
    mkdirSync(options.dir, { recursive: true });
  }

  get powered(): boolean {
    return this.child !== undefined;
  }
  get powerOns(): number {
    return this.boots;
  }

  async powerOn(): Promise<void> {
    if (this.child) return;
    const child = spawn(this.options.binary, [], { cwd: this.options.dir, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    this.boots++;
    this.pending.length = 0;
    this.pendingBytes = 0;
    const out = (d: Buffer): void => {
      this.tail = (this.tail + d.toString('latin1')).slice(-2048);
      if (this.child === child) this.emit('data', d);
    };
    child.stdout!.on('data', out);
    child.stderr!.on('data', out);
    child.stdin!.on('error', () => undefined);
    child.once('exit', (code, signal) => {
      if (this.child !== child) return;
      this.child = undefined;
      this.emit('exit', { code, signal, tail: this.tail });
    });
    await new Promise<void>((res, rej) => {
      child.once('spawn', () => res());
      child.once('error', (e) => {
        this.child = undefined;
        rej(new InterpreterError(`cannot start ${this.options.binary}: ${e.message}`));
      });
    });
  }

  /** Power cut: SIGKILL, at whatever instant the interpreter is in. */
  async powerOff(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    this.pending.length = 0;
    this.pendingBytes = 0;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  }

  /**
   * Bytes typed into the console, written in small chunks, each once the pipe took the last one.
   * Past MAX_PENDING bytes not yet taken, input is dropped, as a board's full input buffer does.
   */
  input(data: Buffer): void {
    if (!this.child) return;
    const clean = data.includes(CTRL_D) ? Buffer.from(data.filter((b) => b !== CTRL_D)) : data;
    if (this.pendingBytes + clean.length > MAX_PENDING) {
      this.dropped += clean.length;
      return;
    }
    const n = this.options.chunkBytes ?? 64;
    for (let o = 0; o < clean.length; o += n) this.pending.push(clean.subarray(o, o + n));
    this.pendingBytes += clean.length;
    void this.drain();
  }

  /** Console input dropped because the interpreter had not taken MAX_PENDING bytes yet. */
  get droppedBytes(): number {
    return this.dropped;
  }

  private async drain(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      for (let chunk = this.pending.shift(); chunk && this.child; chunk = this.pending.shift()) {
        const stdin = this.child.stdin!;
        this.pendingBytes -= chunk.length;
        if (!stdin.write(chunk)) await new Promise((r) => stdin.once('drain', r));
      }
    } finally {
      this.writing = false;
    }
  }

  /** A host opening the port changes nothing here (the console stays on stdin/stdout). */
  hostConnected(): void {}
}
