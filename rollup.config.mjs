// Firmware bundle: firmware/src/main.ts -> dist/meter.js (readable) and dist/meter.min.js (what is
// flashed). Reproducible: no timestamps, paths or environment in the output, pinned tool versions
// (package-lock.json), so the same commit always yields the same bytes and SHA-256 ("the firmware
// hash" the meter reports in its boot record, see firmware/src/firmware-hash.ts).
import esbuild from 'rollup-plugin-esbuild';
import { minify } from 'terser';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const at = (path) => fileURLToPath(new URL(path, import.meta.url));

/**
 * Property names the minifier must keep: every name the runtime defines (the Espruino 2v29 surface
 * in firmware/conformance/data: globals, their static and prototype members, module members), the
 * standard built-ins' own names (the surface lists few prototype methods: set, subarray, ...), and
 * the names of option/event objects the runtime reads or hands us, and the op-counter names timing
 * records carry. All other property names are ours and only live in RAM (state, identity and
 * provisioning are stored as binary layouts, never as objects with names), so they are shortened.
 */
function reservedProperties() {
  const surface = JSON.parse(readFileSync(at('firmware/conformance/data/surface-2v29.json'), 'utf8'));
  const names = new Set(surface.globals);
  for (const entry of Object.values(surface.members)) {
    for (const n of entry.static ?? []) names.add(n);
    for (const n of entry.prototype ?? []) names.add(n);
  }
  const builtins = [Object, Function, Array, String, Number, Boolean, Error, Math, JSON, Date, RegExp, ArrayBuffer, DataView,
    Uint8Array, Object.getPrototypeOf(Uint8Array), Promise];
  for (const o of builtins) {
    for (const n of Object.getOwnPropertyNames(o)) names.add(n);
    if (o.prototype) for (const n of Object.getOwnPropertyNames(o.prototype)) names.add(n);
  }
  // setWatch options and its event, E.setConsole options, a console device's write.
  for (const n of ['repeat', 'edge', 'debounce', 'state', 'time', 'force', 'write']) names.add(n);
  // The crypto's op counters (crypto/p256.ts opCounts): timing records carry them by name. mul,
  // sqr and add are only ever computed keys (crypto/field.ts), so Field's mul/sqr/add methods stay
  // short; inv and sqrt are also written as opCounts.inv++ (firmware/test/app/timing.test.ts
  // checks every name in the bundle's records).
  for (const n of ['inv', 'sqrt']) names.add(n).add(n + 'N');
  return [...names].sort();
}
const RESERVED = reservedProperties();

// Terser may write ES2015 (the bundle's input already uses classes, let, arrows) and turns function
// expressions that use neither `this` nor `arguments` into arrows (unsafe_arrows: unsafe only for a
// function called with `new`; the sources construct classes only). Espruino 2v29 runs both
// (firmware/conformance/data/language.txt); the conformance check (firmware/conformance) verifies
// the result. No other `unsafe*` transforms (they assume standard built-ins, e.g. `Error()` without
// `new`); unused parameters may go (keep_fargs: false): nothing in the firmware reads a function's length.
// Directives stay (directives: false): Espruino's "ram" runs a hot function from a pretokenised RAM
// copy instead of the flash string it was loaded from (bench/interpreter-profile.bench.ts).
const terserOptions = {
  ecma: 2015,
  compress: { ecma: 2015, directives: false, passes: 3, inline: 3, unsafe: false, unsafe_math: false, hoist_funs: false, keep_fargs: false, unsafe_arrows: true },
  mangle: { toplevel: true },
  format: { ecma: 2015, comments: false, ascii_only: true, semicolons: true },
};

/**
 * An exception's text never leaves the board: the meter's guard turns any exception into the fault
 * record FAULT_INTERNAL 'exception', and nothing reads `.message`. So the flashed bundle throws
 * `new Error()` where the sources (run and tested on Node) say why. Only plain string literals are
 * dropped; fault details, record fields and every other string stay.
 */
const ERROR_TEXT = /new Error\((?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')\)/g;

/**
 * `const` declarations become `let` (two bytes each, ~220 of them): the same block scoping, and
 * nothing assigns to them (TypeScript rejects that in the sources), so only the spelling changes.
 */
function constToLet(code, ast) {
  const starts = [];
  (function walk(node) {
    if (Array.isArray(node)) { for (const n of node) walk(n); return; }
    if (node === null || typeof node !== 'object' || typeof node.type !== 'string') return;
    if (node.type === 'VariableDeclaration' && node.kind === 'const') starts.push(node.start);
    for (const key of Object.keys(node)) if (key !== 'type') walk(node[key]);
  })(ast);
  let out = '';
  let at = 0;
  for (const start of starts.sort((a, b) => a - b)) {
    if (code.slice(start, start + 5) !== 'const') throw new Error(`constToLet: no const at ${start}`);
    out += code.slice(at, start) + 'let';
    at = start + 5;
  }
  return out + code.slice(at);
}

/**
 * Espruino binds a `var` where its statement runs, not at function entry (measured.md item 7), and
 * terser's inlining ends functions with the declarations it needed: `return (t = e, f(t)); var t`.
 * Each such trailing `var` without initialisers moves to the top of its function body (the same
 * bytes); the conformance check rejects any other use before declaration.
 */
function hoistTrailingVars(code, ast) {
  // Edits in source order: insert each declaration at its body's start, cut it from the end.
  const edits = [];
  (function walk(node) {
    if (Array.isArray(node)) { for (const n of node) walk(n); return; }
    if (node === null || typeof node !== 'object' || typeof node.type !== 'string') return;
    if (/Function/.test(node.type) && node.body.type === 'BlockStatement') {
      const last = node.body.body.at(-1);
      if (last && last.type === 'VariableDeclaration' && last.kind === 'var' && last.declarations.every((d) => d.init === null)) {
        const decl = code.slice(last.start, last.end);
        edits.push({ at: node.body.start + 1, insert: decl.endsWith(';') ? decl : decl + ';' }, { at: last.start, cut: last.end });
      }
    }
    for (const key of Object.keys(node)) if (key !== 'type') walk(node[key]);
  })(ast);
  let out = '';
  let from = 0;
  for (const e of edits.sort((a, b) => a.at - b.at)) {
    out += code.slice(from, e.at) + (e.insert ?? '');
    from = e.cut ?? e.at;
  }
  return out + code.slice(from);
}

/** Terser on the finished chunk; a chunk's own exports (a library build of it) keep their names. */
function minifyChunk() {
  return {
    name: 'minify',
    async renderChunk(code, chunk) {
      const properties = { builtins: true, keep_quoted: true, reserved: RESERVED.concat(chunk.exports) };
      const source = constToLet(code, this.parse(code)).replace(ERROR_TEXT, 'new Error()');
      const result = await minify(source, { ...terserOptions, mangle: { ...terserOptions.mangle, properties } });
      return { code: hoistTrailingVars(result.code, this.parse(result.code)), map: null };
    },
  };
}

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
      // The bundle runs only where E.convolve and the native SHA-256 exist: see firmware/src/crypto/native.ts.
      define: { SIPSTER_ESPRUINO: 'true' },
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
      plugins: [minifyChunk()],
    },
  ],
};
