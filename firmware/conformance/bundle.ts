// Builds the firmware bundle in memory with the repository's rollup.config.mjs (same plugins and
// options as `npm run build`), for tests, benches and the HIL suite.
import { rollup, type OutputOptions, type RollupOptions } from 'rollup';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface FirmwareBundle {
  /** dist/meter.js */
  readonly readable: string;
  /** dist/meter.min.js: what is flashed and hashed. */
  readonly minified: string;
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function buildFirmware(): Promise<FirmwareBundle> {
  const config = (await import(pathToFileURL(join(ROOT, 'rollup.config.mjs')).href)).default as RollupOptions;
  const bundle = await rollup({ ...config, onwarn: (w) => { throw new Error(`rollup: ${w.message}`); } });
  const outputs = config.output as OutputOptions[];
  const [readable, minified] = await Promise.all(outputs.map(async (o) => (await bundle.generate(o)).output[0].code));
  await bundle.close();
  return { readable: readable!, minified: minified! };
}

/**
 * The same build, cached on disk under node_modules/.cache keyed by the SHA-256 of every input
 * (sources, rollup config, lockfile), so several test files in one run build it once.
 */
export async function buildFirmwareCached(): Promise<FirmwareBundle> {
  const h = createHash('sha256');
  const inputs = [join(ROOT, 'rollup.config.mjs'), join(ROOT, 'package-lock.json'), ...sourceFiles(join(ROOT, 'firmware', 'src'))];
  for (const f of inputs) h.update(f).update(readFileSync(f));
  const file = join(ROOT, 'node_modules', '.cache', 'sipster-firmware', `${h.digest('hex')}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as FirmwareBundle;
  const built = await buildFirmware();
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(built));
  renameSync(tmp, file);
  return built;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name)).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
}
