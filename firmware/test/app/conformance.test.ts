import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildFirmware } from '../../conformance/bundle.ts';
import { checkConformance, formatViolation } from '../../conformance/check.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

describe('firmware bundle conformance (Espruino 2v29)', () => {
  it('the built bundle, readable and minified, uses nothing the runtime lacks, and builds reproducibly', async () => {
    const first = await buildFirmware();
    for (const [name, code] of [['meter.js', first.readable], ['meter.min.js', first.minified]] as const) {
      expect(checkConformance(code).map((v) => formatViolation(name, v))).toEqual([]);
    }
    const second = await buildFirmware();
    expect(second.minified).toBe(first.minified);
    expect(second.readable).toBe(first.readable);
  });
});

describe('conformance checker rejects each missing feature', () => {
  const banned: [string, string, string][] = [
    ['BigInt literal', 'var a = 10n;', 'BigInt'],
    ['exponent', 'var a = 2 ** 8;', 'exponent'],
    ['exponent assignment', 'var a = 2; a **= 2;', 'exponent'],
    ['spread call', 'var a = [1]; print(...a);', 'spread call'],
    ['spread array', 'var a = [1], b = [...a];', 'spread array'],
    ['rest params', 'function f(...xs) { return xs; }', 'rest params'],
    ['default params', 'function f(x = 1) { return x; }', 'default params'],
    ['array destructuring', 'var [a, b] = [1, 2];', 'destructuring array'],
    ['object destructuring', 'var { a } = { a: 1 };', 'destructuring object'],
    ['destructured parameter', 'function f({ a }) { return a; }', 'destructuring param'],
    ['optional chaining', 'var o = {}; var v = o?.x;', 'optional chaining'],
    ['computed keys', 'var k = "x", o = { [k]: 1 };', 'computed props'],
    ['generator', 'function* g() { yield 1; }', 'generator'],
    ['async', 'async function f() { return 1; }', 'async'],
    ['labels', 'outer: for (;;) { break outer; }', 'label break'],
    ['class fields', 'class A { x = 1; }', 'unmeasured'],
    ['Map', 'var m = new Map();', 'global'],
    ['Set', 'var s = new Set();', 'global'],
    ['Symbol', 'var s = Symbol("x");', 'global'],
    ['TextEncoder', 'var t = new TextEncoder();', 'global'],
    ['BigInt()', 'var b = BigInt(1);', 'global'],
    ['Math.imul', 'var x = Math.imul(3, 5);', 'member'],
    ['Math.clz32', 'var x = Math.clz32(3);', 'member'],
    ['Math.trunc', 'var x = Math.trunc(3.5);', 'member'],
    ['Array.from', 'var x = Array.from([1]);', 'member'],
    ['Uint8Array.from', 'var x = Uint8Array.from([1]);', 'member'],
    ['Number.isInteger', 'var x = Number.isInteger(1);', 'member'],
    ['Number.MAX_SAFE_INTEGER', 'var x = Number.MAX_SAFE_INTEGER;', 'member'],
    ['Object.freeze', 'var x = Object.freeze({});', 'member'],
    ['computed member by literal', 'var x = Math["imul"](1, 2);', 'member'],
    ['global object member', 'var x = globalThis.Reflect;', 'global'],
    ['missing module', 'var w = require("Wifi");', 'module'],
    ['missing module member', 'var s = require("Storage"); s.readFile("x");', 'member'],
    ['for-let closure capture', 'for (let i = 0; i < 3; i++) setTimeout(function () { print(i); }, 1);', 'for-let-closure'],
    ['ES module syntax', 'export var x = 1;', 'parse'],
    // measured.md item 7: terser's inlining emits exactly this shape (`return (t = e, f(t)); var t`).
    ['var used before its declaration', 'function f(e) { return (t = e, t + 1); var t; }', 'var-before-declaration'],
    ['var read before its declaration in a loop body', 'function f() { for (;;) { if (x) return x; var x = 1; } }', 'var-before-declaration'],
    // measured.md item 8: a typed array's slice is a plain Array on Espruino.
    ['typed-array slice', 'var u = new Uint8Array(4); var v = u.slice(1, 3);', 'typed-array-slice'],
  ];
  for (const [name, code, rule] of banned) {
    it(`rejects ${name}`, () => {
      expect(checkConformance(code).map((v) => v.rule)).toContain(rule);
    });
  }

  it('accepts what the runtime has (classes, arrows, templates, for..of, typed arrays, natives, shadowed names)', () => {
    const ok = `
      class P { constructor(x) { this.x = x; } static of(x) { return new P(x); } get y() { return this.x; } }
      const f = (a, b) => \`\${a}\${b}\`;
      for (const v of [1, 2]) print(f(v, P.of(v).y));
      var S = require("Storage"); S.write("a", "b"); S.read("a");
      var h = require("crypto").SHA256("x");
      var u = new Uint8Array(4); u.set([1], 0); E.CRC32("x"); E.hwRand(); btoa("x"); getTime();
      function g(Map) { return new Map(); }
      for (let i = 0; i < 3; i++) print(i);
      var n = null ?? 1; if (typeof BigInt === "undefined") print(n);
      function k(a) { a = 2; var b = a; b++; function m() { return b; } return m(); var a; }
      function q() { var r = 1; return function () { var r2 = r; return r2; }; }
      var w = u.subarray(1, 3); var s2 = "abc".substring(1);
    `;
    expect(checkConformance(ok)).toEqual([]);
  });
});

describe('sipster conformance [file]', () => {
  const cli = (args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin', 'sipster.mjs'), 'conformance', ...args], { encoding: 'utf8' });

  it('exits 1 listing each finding for a non-conforming file, 0 for a conforming one, 2 for an unreadable one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sipster-conf-'));
    writeFileSync(join(dir, 'bad.js'), 'var m = new Map();\nvar x = 2 ** 3;\n');
    writeFileSync(join(dir, 'ok.js'), 'var u = new Uint8Array(2); print(E.CRC32("x") + u.length);\n');
    const bad = cli([join(dir, 'bad.js')]);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/bad\.js:1:13: \[global\] global Map/);
    expect(bad.stdout).toMatch(/bad\.js:2:9: \[exponent\]/);
    expect(cli([join(dir, 'ok.js')]).status).toBe(0);
    expect(cli([join(dir, 'missing.js')]).status).toBe(2);
  });
});
