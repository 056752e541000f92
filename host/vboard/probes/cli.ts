// npm run probes -- [--record | --record-vboard] [--espruino PATH] [--only NAME,...]
// Runs the differential probes on the virtual board (and on Espruino's interpreter where one is
// named) and compares them with the goldens; --record re-records the goldens from the interpreter.
import { checkInterpreter, ESPRUINO_ENV, espruinoPath } from '../../elinux/interpreter.ts';
import { parseCommandArgs, UsageError } from '../../cli/args.ts';
import { GOLDENS_PATH, readGoldens, vboardExpected, writeGoldens, type Goldens } from './goldens.ts';
import { loadProbes, type Probe } from './probes.ts';
import { runOnInterpreter, runOnVboard } from './run.ts';

const HELP = `usage: npm run probes -- [options]

Runs each probe (host/vboard/probes/src/*.js) on a fresh virtual board and compares its output with
the goldens (${GOLDENS_PATH}): the interpreter's output, or for a listed known difference the
virtual board's own recorded output. Where an interpreter is named, the probes also run on it and
a golden that differs from what it prints now is reported as stale.

options:
  --espruino PATH    Espruino's Linux interpreter (default: $${ESPRUINO_ENV})
  --record           re-record the goldens from the interpreter (needs one), keeping the known differences
  --record-vboard    re-record the virtual board's output of the probes listed as known differences
  --only NAMES       comma-separated probe names
`;

const HOW =
  "npm run probes -- --record: each probe (prelude.js + src/NAME.js) sent as one console line \\x10eval(\"...\") to a fresh " +
  "process of Espruino's Linux interpreter (the recorder's own build of Espruino from its public repository, not part of " +
  'this project) in a fresh working directory; the lines printed between BEGIN and END, line endings normalised to \\n.';

export async function main(argv: string[]): Promise<number> {
  const args = parseCommandArgs('probes', argv, {
    espruino: { type: 'string' },
    record: { type: 'boolean' },
    'record-vboard': { type: 'boolean' },
    only: { type: 'string' },
  }, HELP);
  if (typeof args === 'number') return args;
  try {
    const all = loadProbes();
    const probes = selectProbes(all, args.only);
    const binary = espruinoPath(args.espruino);
    if (args.record && !binary) throw new UsageError(`--record needs the interpreter: pass --espruino PATH or set ${ESPRUINO_ENV}`);
    const version = binary ? checkInterpreter(binary) : undefined;
    let goldens = readGoldens();
    if (args.record) goldens = await record(goldens, probes, all, binary!, version!);
    if (args['record-vboard']) goldens = await recordVboard(goldens, probes);
    return (await compare(goldens, probes, binary)) ? 0 : 1;
  } catch (e) {
    process.stderr.write(`probes: ${(e as Error).message}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}

function selectProbes(all: Probe[], only: string | undefined): Probe[] {
  if (only === undefined) return all;
  const names = only.split(',').filter((n) => n.length > 0);
  const unknown = names.filter((n) => !all.some((p) => p.name === n));
  if (unknown.length > 0 || names.length === 0) throw new UsageError(`--only: no probe named ${unknown.join(', ') || '(empty)'}; probes: ${all.map((p) => p.name).join(', ')}`);
  return all.filter((p) => names.includes(p.name));
}

async function record(goldens: Goldens, probes: Probe[], all: Probe[], binary: string, version: string): Promise<Goldens> {
  const outputs: Record<string, readonly string[]> = {};
  // Outputs of probes that no longer exist go; those not re-run now stay.
  for (const p of all) if (goldens.outputs[p.name]) outputs[p.name] = goldens.outputs[p.name]!;
  for (const p of probes) {
    outputs[p.name] = await runOnInterpreter(binary, p);
    process.stdout.write(`recorded ${p.name} (${outputs[p.name]!.length} lines)\n`);
  }
  const next: Goldens = { ...goldens, espruino: version, recorded: new Date().toISOString().slice(0, 10), how: HOW, outputs };
  writeGoldens(next);
  return next;
}

async function recordVboard(goldens: Goldens, probes: Probe[]): Promise<Goldens> {
  const known = { ...goldens.knownDifferences };
  for (const p of probes) {
    if (!known[p.name]) continue;
    known[p.name] = { ...known[p.name]!, vboard: await runOnVboard(p) };
    process.stdout.write(`recorded the virtual board's output of ${p.name}\n`);
  }
  const next = { ...goldens, knownDifferences: known };
  writeGoldens(next);
  return next;
}

/** Prints one line per probe and target; true if everything matched. */
async function compare(goldens: Goldens, probes: Probe[], binary: string | undefined): Promise<boolean> {
  let ok = true;
  for (const p of probes) {
    const known = goldens.knownDifferences[p.name];
    ok = report(`${p.name} on the virtual board${known ? ' (known difference)' : ''}`, vboardExpected(goldens, p.name), await runOnVboard(p)) && ok;
    if (binary) ok = report(`${p.name} on the interpreter`, goldens.outputs[p.name], await runOnInterpreter(binary, p)) && ok;
  }
  return ok;
}

function report(what: string, expected: readonly string[] | undefined, got: readonly string[]): boolean {
  if (expected === undefined) {
    process.stdout.write(`NO GOLDEN ${what}: record it (npm run probes -- --record)\n`);
    return false;
  }
  if (JSON.stringify(expected) === JSON.stringify(got)) {
    process.stdout.write(`ok ${what}\n`);
    return true;
  }
  process.stdout.write(`DIFFERS ${what}:\n`);
  for (let i = 0; i < Math.max(expected.length, got.length); i++) {
    if (expected[i] === got[i]) continue;
    if (expected[i] !== undefined) process.stdout.write(`  - ${expected[i]}\n`);
    if (got[i] !== undefined) process.stdout.write(`  + ${got[i]}\n`);
  }
  return false;
}

process.exitCode = await main(process.argv.slice(2));
