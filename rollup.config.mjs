// Firmware bundle: firmware/src/main.ts -> dist/meter.js (readable) and dist/meter.min.js (what is
// flashed). Reproducible: no timestamps, paths or environment in the output, pinned tool versions
// (package-lock.json), so the same commit always yields the same bytes and SHA-256 ("the firmware
// hash" the meter reports in its boot record, see firmware/src/firmware-hash.ts).
import esbuild from 'rollup-plugin-esbuild';
import terser from '@rollup/plugin-terser';
import { fileURLToPath } from 'node:url';

const at = (path) => fileURLToPath(new URL(path, import.meta.url));

// Terser is told the output is ES5 so it never introduces newer syntax than the input has
// (arrows, shorthand, ...); the conformance check (firmware/conformance) verifies the result.
const terserOptions = {
  ecma: 5,
  compress: { ecma: 5, passes: 2, inline: 1, unsafe: false, unsafe_math: false, hoist_funs: false, keep_fargs: true },
  mangle: { toplevel: true },
  format: { ecma: 5, comments: false, ascii_only: true, semicolons: true },
};

export default {
  input: at('firmware/src/main.ts'),
  treeshake: { moduleSideEffects: false },
  plugins: [
    esbuild({
      include: /\.ts$/,
      target: 'es2020',
      tsconfig: at('tsconfig.json'),
      // Declared-only class fields are types, not code: with define semantics (ES2022's default)
      // esbuild would emit an Object.defineProperty helper call for every one of them.
      tsconfigRaw: { compilerOptions: { useDefineForClassFields: false, verbatimModuleSyntax: true } },
      legalComments: 'none',
      sourceMap: false,
    }),
  ],
  output: [
    { file: at('dist/meter.js'), format: 'iife', strict: false, indent: '  ', generatedCode: 'es5' },
    {
      file: at('dist/meter.min.js'),
      format: 'iife',
      strict: false,
      generatedCode: 'es5',
      plugins: [terser(terserOptions)],
    },
  ],
};
