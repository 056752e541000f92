/**
 * `npm run bench [-- NAME ...] [--save] [--check] [--flag=value ...]`: runs every bench/*.bench.ts
 * in turn (or the ones named), each a standalone script that prints its tables (100 columns at
 * most) with its progress on one redrawn line. `--save` writes their results to bench/results/
 * (a plain run leaves the checkout clean); `--check` makes a missed target a failure (exit 1).
 * Any other `--flag` or `--flag=value` goes to the named benchmarks (e.g. `uc --suite=BLS12381-SHA256`).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const dir = fileURLToPath(new URL('.', import.meta.url));
const own = new Set(['--save', '--check']);
const passThrough = process.argv.slice(2).filter((a) => a.startsWith('--') && !own.has(a));
let parsed;
try {
  parsed = parseArgs({ args: process.argv.slice(2).filter((a) => !passThrough.includes(a)), options: { save: { type: 'boolean' }, check: { type: 'boolean' } }, strict: true, allowPositionals: true });
} catch (err) {
  console.error(`bench: ${(err as Error).message.split('\n')[0]} (flags: --save, --check)`);
  process.exit(2);
}
const only = parsed.positionals;
const all = readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).sort();
const chosen = only.length ? all.filter((f) => only.some((o) => f === `${o}.bench.ts`)) : all;
if (only.length && chosen.length !== only.length) {
  console.error(`bench: unknown benchmark in ${JSON.stringify(only)}; available: ${all.map((f) => f.replace('.bench.ts', '')).join(', ')}`);
  process.exit(2);
}
const env = { ...process.env, ...(parsed.values.save && { SIPSTER_BENCH_SAVE: '1' }), ...(parsed.values.check && { SIPSTER_BENCH_CHECK: '1' }) };
const failed: string[] = [];
for (const [k, file] of chosen.entries()) {
  console.log(`\n=== [${k + 1}/${chosen.length}] ${file.replace('.bench.ts', '')} ===`);
  const res = spawnSync(process.execPath, ['--import', 'tsx', `${dir}${file}`, ...passThrough], { stdio: 'inherit', env });
  if (res.status !== 0) failed.push(`${file.replace('.bench.ts', '')} (exit ${res.status ?? res.signal})`);
}
console.log(`\n${chosen.length - failed.length}/${chosen.length} benchmarks passed${failed.length ? `; failed: ${failed.join(', ')}` : ''}${parsed.values.save ? '; results in bench/results/' : ' (not saved: --save writes bench/results/)'}`);
process.exit(failed.length ? 1 : 0);
