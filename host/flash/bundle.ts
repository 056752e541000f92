// The firmware bundle to flash: dist/meter.min.js from the reproducible build, rebuilt (with the
// repository's rollup.config.mjs, as `npm run build` does) when missing or older than the sources.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BUNDLE_PATH = join(ROOT, 'dist', 'meter.min.js');
const READABLE_PATH = join(ROOT, 'dist', 'meter.js');
const SOURCES = [join(ROOT, 'firmware', 'src'), join(ROOT, 'rollup.config.mjs'), join(ROOT, 'package-lock.json')];

export interface Bundle {
  readonly code: string;
  /** SHA-256 of the bytes flashed: what the boot record must report. */
  readonly sha256: Uint8Array;
  readonly rebuilt: boolean;
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((f) => newestMtime(join(path, f))));
}

export async function ensureBundle(log: (line: string) => void = () => undefined): Promise<Bundle> {
  let rebuilt = false;
  if (!existsSync(BUNDLE_PATH) || statSync(BUNDLE_PATH).mtimeMs < Math.max(...SOURCES.map(newestMtime))) {
    log('building firmware (rollup.config.mjs) ...');
    const { buildFirmware } = await import('../../firmware/conformance/bundle.ts');
    const fw = await buildFirmware();
    mkdirSync(dirname(BUNDLE_PATH), { recursive: true });
    writeFileSync(READABLE_PATH, fw.readable);
    writeFileSync(BUNDLE_PATH, fw.minified);
    rebuilt = true;
  }
  const code = readFileSync(BUNDLE_PATH, 'latin1');
  return { code, sha256: new Uint8Array(createHash('sha256').update(Buffer.from(code, 'latin1')).digest()), rebuilt };
}
