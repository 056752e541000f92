// Runs one probe on a fresh board of either kind and returns its output lines: Espruino's Linux
// interpreter (a new process in a new working directory, so a new espruino.flash) or the virtual
// board (a new VirtualBoard with a new flash file). Both evaluate the same `eval("<program>")`.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualBoard } from '../board.ts';
import { consoleLine, evalExpression, probeOutput, ProbeError, type Probe } from './probes.ts';

export const PROBE_TIMEOUT_MS = 20_000;

/** Virtual ms per real ms for the probes' board: a day of real time moves its clock by 86 µs. */
const STOPPED = 1e-9;
/** Virtual time the runner moves the probes' board clock by per step. */
const CLOCK_STEP_MS = 5;

/** A run under way: output so far, and how to end it. */
interface Run {
  readonly output: () => string;
  /** Set when the run ended by itself (exit, crash) before END. */
  readonly ended: () => string | undefined;
  readonly stop: () => Promise<void>;
}

/**
 * Runs `probe` on Espruino's interpreter at `binary` as `espruino -e 'eval("<program>")'`: the
 * evaluator (jspEvaluate, global scope) and the idle loop that runs the timers are those a console
 * line reaches, without the Linux port's console input queue, which has no lock and crashes on a
 * long line written at pipe speed (`ASSERT(len <= 64) FAILED AT src/jsdevices.c`). The process
 * exits by itself once no timer is left; it is killed at END.
 */
export function runOnInterpreter(binary: string, probe: Probe, timeoutMs = PROBE_TIMEOUT_MS): Promise<string[]> {
  return inScratchDir((dir) =>
    collect(probe, 'interpreter', timeoutMs, async () => {
      const child = spawn(binary, ['-e', evalExpression(probe)], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      let ended: string | undefined;
      child.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
      child.stderr.on('data', (d: Buffer) => (err += d.toString('latin1')));
      const exited = new Promise<void>((r) => child.once('close', (code, signal) => {
        ended = `exited (code ${code}, signal ${signal}); stderr: ${JSON.stringify(err.slice(-500))}`;
        r();
      }));
      await new Promise<void>((res, rej) => {
        child.once('spawn', res);
        child.once('error', (e) => rej(new ProbeError(`cannot start ${binary}: ${e.message}`)));
      });
      return {
        output: () => out,
        ended: () => ended,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
          await exited;
        },
      };
    }),
  );
}

/**
 * Runs `probe` on a virtual board, typed into its console as one echo-off line. The board's clock
 * stands still in real time and is stepped by the runner: its timers fire in virtual-time order
 * however slow the host is (a busy CI machine cannot reorder them).
 */
export function runOnVboard(probe: Probe, timeoutMs = PROBE_TIMEOUT_MS): Promise<string[]> {
  return inScratchDir((dir) =>
    collect(probe, 'vboard', timeoutMs, async () => {
      const board = new VirtualBoard({ flashPath: join(dir, 'flash.json'), clockSpeed: STOPPED });
      let out = '';
      board.on('data', (d: Buffer) => (out += d.toString('latin1')));
      await board.powerOn();
      board.input(Buffer.from(consoleLine(probe), 'latin1'));
      let stepping = true;
      const stepped = (async () => {
        while (stepping && board.powered) {
          await board.advance(CLOCK_STEP_MS);
          // A host turn per step: advance() without a due event never yields to the console's output.
          await new Promise<void>((r) => setImmediate(r));
        }
      })();
      return {
        output: () => out,
        ended: () => (board.powered ? undefined : 'the board powered off'),
        stop: async () => {
          stepping = false;
          await stepped;
          board.powerOff();
        },
      };
    }),
  );
}

async function inScratchDir<T>(f: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'sipster-probe-'));
  try {
    return await f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Starts a run and polls its output until END, an early end or the timeout. */
async function collect(probe: Probe, target: string, timeoutMs: number, start: () => Promise<Run>): Promise<string[]> {
  const run = await start();
  const t0 = Date.now();
  try {
    for (;;) {
      const lines = probeOutput(run.output());
      if (lines) return lines;
      const why = run.ended() ?? (Date.now() - t0 > timeoutMs ? `timed out after ${timeoutMs} ms waiting for END` : undefined);
      if (why) throw new ProbeError(`probe ${probe.name} on the ${target}: ${why}; output: ${JSON.stringify(run.output().slice(-1500))}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    await run.stop();
  }
}
