// The differential probes: small programs (src/*.js) that print what the runtime does with one
// feature the firmware uses, run the same way on Espruino's interpreter and on the virtual board.
// Both evaluate the same expression, `eval("<prelude + probe>")`, at global scope: the virtual board
// as one echo-off console line (its only way in), the interpreter as `-e` (see run.ts for why).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const PROBES_DIR = join(import.meta.dirname, 'src');
const PRELUDE = readFileSync(join(import.meta.dirname, 'prelude.js'), 'utf8');

export interface Probe {
  readonly name: string;
  readonly source: string;
}

export class ProbeError extends Error {
  override readonly name = 'ProbeError';
}

/** Every probe in src/, by name (the file name without .js), sorted. */
export function loadProbes(dir: string = PROBES_DIR): Probe[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .sort()
    .map((f) => {
      const source = readFileSync(join(dir, f), 'utf8');
      // Probes are ASCII: a byte above 0x7f would reach the two runtimes as different strings
      // (Espruino's strings are bytes, QuickJS's are UTF-16). Binary data is written with \x escapes.
      if (/[^\x09\x0a\x0d\x20-\x7e]/.test(source)) throw new ProbeError(`probe ${f} is not printable ASCII`);
      return { name: f.slice(0, -3), source };
    });
}

/**
 * The program a probe runs as: prelude and probe inside a function (so `let`, `const` and function
 * declarations are the function's on both runtimes, whatever each does with them at the top level
 * of an eval). A synchronous throw is reported as a line and ends the probe.
 */
export function program(probe: Probe): string {
  return `(function () {\n${PRELUDE}\nfunction probe() {\n${probe.source}\n}\ntry { probe(); } catch (e) { log('probe threw', e); end(); }\n})();`;
}

/** The expression both runtimes evaluate: one eval of the program, passed as a JSON string literal. */
export function evalExpression(probe: Probe): string {
  return `eval(${JSON.stringify(program(probe))})`;
}

/** The console line that runs a probe on the virtual board: echo off, the eval expression. */
export function consoleLine(probe: Probe): string {
  return `\x10${evalExpression(probe)}\n`;
}

/** The probe's output lines (between BEGIN and END, line endings normalised), once END has arrived. */
export function probeOutput(console: string): string[] | undefined {
  // BEGIN starts a line, or follows the prompt (an echo-off line leaves it up) or its removal
  // (\r ESC[J on the interpreter) when a timer prints it.
  const m = /(?:^|[\r\n>]|\x1b\[J)BEGIN\r?\n((?:[^\n]*\n)*?)END\r?\n/.exec(console);
  if (!m) return undefined;
  return m[1]!.split('\n').slice(0, -1).map((l) => l.replace(/\r$/, ''));
}
