// The goldens: what Espruino's interpreter printed for each probe (recorded with
// `npm run probes -- --record`), and the short list of known differences, each with the output the
// virtual board prints instead and why that is acceptable. Data only; read by the probes' test and CLI.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const GOLDENS_PATH = join(import.meta.dirname, 'goldens.json');

export interface KnownDifference {
  /** Why the virtual board may print something else here. */
  readonly why: string;
  /** What the virtual board prints instead (asserted, so a change is still caught). */
  readonly vboard: readonly string[];
}

export interface Goldens {
  /** process.version of the interpreter that printed the outputs. */
  readonly espruino: string;
  /** Date of the recording (YYYY-MM-DD). */
  readonly recorded: string;
  readonly how: string;
  /** Probe name -> the interpreter's output lines. */
  readonly outputs: Readonly<Record<string, readonly string[]>>;
  readonly knownDifferences: Readonly<Record<string, KnownDifference>>;
}

export class GoldensError extends Error {
  override readonly name = 'GoldensError';
}

const isLines = (v: unknown): v is string[] => Array.isArray(v) && v.every((l) => typeof l === 'string');

export function readGoldens(path: string = GOLDENS_PATH): Goldens {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new GoldensError(`cannot read the probe goldens ${path}: ${(e as Error).message}`);
  }
  const g = raw as Record<string, unknown>;
  for (const k of ['espruino', 'recorded', 'how'] as const) {
    if (typeof g[k] !== 'string') throw new GoldensError(`${path}: "${k}" must be a string`);
  }
  const outputs = g.outputs as Record<string, unknown> | undefined;
  if (typeof outputs !== 'object' || outputs === null) throw new GoldensError(`${path}: no "outputs" object`);
  for (const [name, lines] of Object.entries(outputs)) if (!isLines(lines)) throw new GoldensError(`${path}: outputs.${name} is not a list of lines`);
  const known = g.knownDifferences as Record<string, { why?: unknown; vboard?: unknown }> | undefined;
  if (typeof known !== 'object' || known === null) throw new GoldensError(`${path}: no "knownDifferences" object`);
  for (const [name, d] of Object.entries(known)) {
    if (typeof d?.why !== 'string' || d.why.length === 0 || !isLines(d.vboard)) {
      throw new GoldensError(`${path}: knownDifferences.${name} needs a "why" and the "vboard" lines`);
    }
  }
  return raw as Goldens;
}

export function writeGoldens(g: Goldens, path: string = GOLDENS_PATH): void {
  const sorted = (o: Readonly<Record<string, unknown>>) => Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
  writeFileSync(path, JSON.stringify({ ...g, outputs: sorted(g.outputs), knownDifferences: sorted(g.knownDifferences) }, null, 2) + '\n');
}

/** What the virtual board must print for a probe: the interpreter's golden, or a known difference's own output. */
export function vboardExpected(g: Goldens, name: string): readonly string[] | undefined {
  return g.knownDifferences[name]?.vboard ?? g.outputs[name];
}
