/**
 * `npm run bench`: runs every bench/*.bench.ts in turn, each a standalone script that prints its
 * table and writes JSON (and SVG) to bench/results/. `npm run bench -- protocol uc` runs a subset.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv.slice(2);
const all = readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).sort();
const chosen = only.length ? all.filter((f) => only.some((o) => f.startsWith(`${o}.`))) : all;
if (only.length && chosen.length !== only.length) {
  console.error(`unknown benchmark in ${JSON.stringify(only)}; available: ${all.map((f) => f.replace('.bench.ts', '')).join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const [k, file] of chosen.entries()) {
  console.log(`\n=== [${k + 1}/${chosen.length}] ${file} ===`);
  const res = spawnSync(process.execPath, ['--import', 'tsx', `${dir}${file}`], { stdio: 'inherit' });
  if (res.status !== 0) {
    failed++;
    console.error(`${file} failed (exit ${res.status})`);
  }
}
console.log(`\n${chosen.length - failed}/${chosen.length} benchmarks completed; results in bench/results/`);
process.exit(failed ? 1 : 0);
