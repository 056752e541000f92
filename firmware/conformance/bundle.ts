// Builds the firmware bundle in memory with the repository's rollup.config.mjs (same plugins and
// options as `npm run build`), for tests, benches and the HIL suite.
import { rollup, type OutputOptions, type RollupOptions } from 'rollup';
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
