// Runs one probe on a fresh board of either kind and returns its output lines: Espruino's Linux
// interpreter (a new process in a new working directory, so a new espruino.flash) or the virtual
// board (a new VirtualBoard with a new flash file). Both get the same console line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InterpreterBoard } from '../../elinux/interpreter.ts';
import { VirtualBoard } from '../board.ts';
import { consoleLine, probeOutput, ProbeError, type Probe } from './probes.ts';

/** What the runner needs of a board: power, console bytes in, console bytes out ('data'). */
interface ConsoleBoard {
  powerOn(): Promise<void>;
  powerOff(): void | Promise<void>;
  input(data: Buffer): void;
  on(event: 'data', listener: (d: Buffer) => void): unknown;
  on(event: 'exit', listener: (e: { code: number | null; signal: string | null }) => void): unknown;
}

export const PROBE_TIMEOUT_MS = 20_000;

export type Target = 'interpreter' | 'vboard';

/** Runs `probe` on Espruino's interpreter at `binary`. */
export function runOnInterpreter(binary: string, probe: Probe, timeoutMs = PROBE_TIMEOUT_MS): Promise<string[]> {
  return inScratchDir((dir) => runOn(new InterpreterBoard({ binary, dir }), probe, 'interpreter', timeoutMs));
}

/** Runs `probe` on a virtual board at normal clock speed. */
export function runOnVboard(probe: Probe, timeoutMs = PROBE_TIMEOUT_MS): Promise<string[]> {
  return inScratchDir((dir) => runOn(new VirtualBoard({ flashPath: join(dir, 'flash.json') }), probe, 'vboard', timeoutMs));
}

async function inScratchDir<T>(f: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'sipster-probe-'));
  try {
    return await f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runOn(board: ConsoleBoard, probe: Probe, target: Target, timeoutMs: number): Promise<string[]> {
  let text = '';
  let exited: string | undefined;
  let wake: () => void = () => undefined;
  board.on('data', (d) => {
    text += d.toString('latin1');
    wake();
  });
  board.on('exit', (e) => {
    exited = `exited (code ${e.code}, signal ${e.signal})`;
    wake();
  });
  const until = async (done: () => boolean, what: string): Promise<void> => {
    const deadline = setTimeout(() => {
      exited ??= `timed out after ${timeoutMs} ms waiting for ${what}`;
      wake();
    }, timeoutMs);
    try {
      while (!done()) {
        if (exited !== undefined) throw new ProbeError(`probe ${probe.name} on the ${target}: ${exited}; console: ${JSON.stringify(text.slice(-1500))}`);
        await new Promise<void>((r) => (wake = r));
      }
    } finally {
      clearTimeout(deadline);
    }
  };
  await board.powerOn();
  try {
    await until(() => /(^|\n)>$/.test(text), 'the prompt');
    const from = text.length;
    board.input(Buffer.from(consoleLine(probe), 'latin1'));
    let lines: string[] | undefined;
    await until(() => (lines = probeOutput(text.slice(from))) !== undefined, 'END');
    return lines!;
  } finally {
    await board.powerOff();
  }
}
