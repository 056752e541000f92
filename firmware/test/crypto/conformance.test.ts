// Every export of the meter crypto and derive.ts (also what the application does not use yet,
// which the firmware bundle's own conformance test would tree-shake away) bundled with the
// repository's rollup config and checked against the Espruino 2v29 runtime data.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { rollup, type OutputOptions, type RollupOptions } from 'rollup';
import { describe, expect, it } from 'vitest';
import { checkConformance, formatViolation } from '../../conformance/check.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('meter crypto conformance (Espruino 2v29 subset)', () => {
  it('the whole crypto API and derive.ts, readable and minified, use nothing the runtime lacks', async () => {
    const config = (await import(pathToFileURL(join(ROOT, 'rollup.config.mjs')).href)).default as RollupOptions;
    const dir = mkdtempSync(join(tmpdir(), 'sipster-crypto-'));
    const entry = join(dir, 'entry.ts');
    writeFileSync(
      entry,
      `export * from ${JSON.stringify(join(ROOT, 'firmware/src/crypto/index.ts'))};\n` +
        `export * from ${JSON.stringify(join(ROOT, 'firmware/src/derive.ts'))};\n`,
    );
    try {
      const bundle = await rollup({ ...config, input: entry, onwarn: (w) => { throw new Error(`rollup: ${w.message}`); } });
      for (const o of config.output as OutputOptions[]) {
        const code = (await bundle.generate({ ...o, file: undefined, name: 'SipsterCrypto', freeze: false, esModule: false })).output[0].code;
        expect(code).toContain('hashToCurve');
        expect(checkConformance(code).map((v) => formatViolation('crypto bundle', v))).toEqual([]);
      }
      await bundle.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
