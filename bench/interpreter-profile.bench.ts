/**
 * Where the meter's time goes on Espruino's own interpreter, primitive by primitive: the crypto of
 * firmware/src built with the flashed bundle's rollup and terser settings (bench/interpreter/entry.ts),
 * written to the interpreter's flash and evaluated from Storage as the meter is, then timed there by
 * bench/interpreter/driver.js with the interpreter's own clock. Products with B need the flash table
 * of B (89,760 B), which this bench does not write: the device bench times them in the meter.
 *
 *   npm run bench -- interpreter-profile [--espruino PATH] [--save]
 *   node --import tsx bench/interpreter-profile.bench.ts --only 'montP256,hashToCurve'   (some rows)
 *
 * Needs your build of the interpreter (--espruino or SIPSTER_ESPRUINO); without one it says so and
 * exits 0. --save writes bench/results/interpreter-profile.json. Wall-clock figures: a loaded
 * machine inflates them (the load average is printed and saved with them).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { rollup, type OutputOptions, type RollupOptions } from 'rollup';
import { Bench, benchFlags, fmtNumber } from './lib.ts';
import { checkInterpreter, espruinoPath, InterpreterBoard } from '../host/elinux/interpreter.ts';

const ROOT = join(import.meta.dirname, '..');
const flags = benchFlags({ espruino: { type: 'string' }, only: { type: 'string' } });
const bench = new Bench('interpreter-profile', flags);
const binary = espruinoPath(flags.espruino);
if (!binary) {
  bench.say('interpreter-profile: skipped (no interpreter: pass --espruino PATH or set SIPSTER_ESPRUINO)');
  process.exit(0);
}
const version = checkInterpreter(binary);

/** The profile bundle: the same plugins and options as dist/meter.min.js, another entry. */
async function buildProfileBundle(): Promise<string> {
  const config = (await import(pathToFileURL(join(ROOT, 'rollup.config.mjs')).href)).default as RollupOptions;
  const b = await rollup({ ...config, input: join(ROOT, 'bench', 'interpreter', 'entry.ts') });
  const minified = (config.output as OutputOptions[])[1]!;
  const code = (await b.generate(minified)).output[0].code;
  await b.close();
  return code;
}

/** Console lines that write `data` to a Storage file in 768-byte pieces (as espruino-tools does). */
function storageLines(name: string, data: Buffer): string[] {
  const lines: string[] = [];
  for (let o = 0; o < data.length; o += 768) {
    const piece = data.subarray(o, o + 768).toString('base64');
    lines.push(`require("Storage").write(${JSON.stringify(name)},atob(${JSON.stringify(piece)}),${o},${data.length});`);
  }
  return lines;
}

interface Row { readonly name: string; readonly ms: number; readonly n: number }

async function run(): Promise<{ rows: Row[]; memory: { usage: number; total: number } }> {
  const dir = mkdtempSync(join(tmpdir(), 'sipster-profile-'));
  const board = new InterpreterBoard({ binary: binary!, dir });
  let out = '';
  board.on('data', (d: Buffer) => { out += d.toString('latin1'); });
  const waitFor = async (text: RegExp, ms: number): Promise<void> => {
    const until = Date.now() + ms;
    while (!text.test(out)) {
      if (Date.now() > until) throw new Error(`the interpreter did not print ${text} within ${ms / 1000} s; last output: ${out.slice(-300)}`);
      if (!board.powered) throw new Error(`the interpreter exited; last output: ${out.slice(-300)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  try {
    await board.powerOn();
    const files: [string, Buffer][] = [
      ['prof.js', Buffer.from(await buildProfileBundle(), 'latin1')],
      ['drv.js', readFileSync(join(ROOT, 'bench', 'interpreter', 'driver.js'))],
    ];
    const lines = files.flatMap(([name, data]) => storageLines(name, data));
    for (let i = 0; i < lines.length; i += 16) {
      bench.progress(`writing flash: ${i}/${lines.length} pieces`);
      board.input(Buffer.from(`${lines.slice(i, i + 16).map((l) => `\x10${l}\n`).join('')}\x10print("@W"+${i});\n`));
      await waitFor(new RegExp(`@W${i}\r?\n`), 60_000);
    }
    bench.progress('profiling on the interpreter (a few minutes)');
    const only = flags.only === undefined ? '' : `global.PROF_ONLY=${JSON.stringify(flags.only.split(','))};`;
    board.input(Buffer.from(`\x10${only}eval(require("Storage").read("prof.js"));eval(require("Storage").read("drv.js"));\n`));
    await waitFor(/@PROF-END/, 20 * 60_000);
  } finally {
    await board.powerOff();
    rmSync(dir, { recursive: true, force: true });
  }
  const rows = [...out.matchAll(/@PROF ([^\r\n]+) (\d+\.\d+) (\d+)\r?\n/g)].map((m) => ({ name: m[1]!, ms: Number(m[2]), n: Number(m[3]) }));
  const mem = /@PROF-MEM (\d+) (\d+)/.exec(out);
  return { rows, memory: { usage: Number(mem?.[1]), total: Number(mem?.[2]) } };
}

const load = loadavg()[0]!;
const { rows, memory } = await run();
bench.say(`Espruino ${version} interpreter, this CPU, code evaluated from Storage; load average ${load.toFixed(2)} at start`);
bench.table(['primitive', 'ms each', 'runs'], rows.map((r) => [r.name, fmtNumber(r.ms), String(r.n)]));
bench.say(`variables in use after the profile: ${memory.usage} of ${memory.total}`);
bench.save({ 'interpreter-profile.json': { interpreter: version, loadAverageAtStart: load, rows, memory } }, { board: `Espruino ${version} Linux interpreter (this CPU)` });
bench.finish();
