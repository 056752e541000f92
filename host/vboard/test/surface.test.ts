import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VirtualBoard } from '../board.ts';
import { loadSurface } from '../surface.ts';
import { startBoard, type Terminal } from './helpers.ts';

const surface = loadSurface();
let board: VirtualBoard;
let term: Terminal;
const json = async (expr: string): Promise<unknown> => JSON.parse(JSON.parse(await term.eval(`JSON.stringify(${expr})`)) as string);

beforeAll(async () => {
  ({ board, term } = await startBoard());
});
afterAll(() => board.powerOff());

describe('the guest exposes exactly the Espruino 2v29 surface', () => {
  it('has exactly the globals of the probe (minus its own variables)', async () => {
    const names = (await json('Object.getOwnPropertyNames(globalThis).sort()')) as string[];
    // `undefined` is a non-configurable global property in every ES engine (a keyword on Espruino).
    expect(names.filter((n) => n !== 'undefined')).toEqual([...surface.globals].sort());
  });

  it('lacks what Espruino lacks: BigInt, Map, Set, Symbol, Reflect, Proxy, Math.imul, Object.freeze, Number.isInteger', async () => {
    const absent = ['typeof BigInt', 'typeof Map', 'typeof Set', 'typeof Symbol', 'typeof Reflect', 'typeof Proxy', 'typeof WeakMap',
      'typeof Math.imul', 'typeof Math.clz32', 'typeof Math.trunc', 'typeof Object.freeze', 'typeof Number.isInteger',
      'typeof Array.from', 'typeof Uint8Array.from', 'typeof Number.MAX_SAFE_INTEGER', 'typeof RangeError', 'typeof Array.prototype.flat'];
    for (const e of absent) expect(await term.eval(e), e).toBe('"undefined"');
  });

  it('has exactly the static members the probe listed, and the module members', async () => {
    for (const g of ['E', 'Math', 'Object', 'Number', 'JSON', 'Promise', 'String', 'Date', 'Array', 'console', 'process']) {
      const names = (await json(`Object.getOwnPropertyNames(${g}).filter(function(k){return ['length','name','prototype'].indexOf(k)<0}).sort()`)) as string[];
      expect(names, g).toEqual(surface.statics[g]!.filter((k) => !['length', 'name', 'prototype'].includes(k)).sort());
    }
    for (const m of ['Storage', 'crypto', 'Flash', 'heatshrink', 'fs', 'http', 'net', 'tensorflow']) {
      const names = (await json(`Object.keys(require(${JSON.stringify(m)})).sort()`)) as string[];
      expect(names, m).toEqual([...surface.modules[m]!].sort());
    }
    expect(await term.eval('require("Wifi")')).toMatch(/^Uncaught Error: Module "Wifi" not found/);
  });

  it('keeps the language features the firmware uses (for..of, classes, typed arrays, Promise jobs)', async () => {
    expect(await term.eval('var s=0; for (var x of [1,2,3]) s+=x; s')).toBe('6');
    expect(await term.eval('class A { get v() { return 7; } }; new A().v')).toBe('7');
    expect(await term.eval('new Uint8Array([1,2,300])[2]')).toBe('44');
    const from = term.text.length;
    term.type('Promise.resolve(5).then(function(v){ print("then", v); })\n');
    await term.until(/then 5/, from);
  });

  it('E.CRC32, SHA256, btoa and E.convolve agree with the host', async () => {
    expect(await term.eval('E.CRC32("hello")')).toBe('907060870');
    expect(await term.eval('btoa(E.toString(new Uint8Array(require("crypto").SHA256("abc"))))')).toBe(
      JSON.stringify(Buffer.from('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', 'hex').toString('base64')));
    expect(await term.eval('E.convolve([1,2,3],[4,5,6],1)')).toBe(String(1 * 5 + 2 * 6 + 3 * 4));
    expect(await term.eval('E.sum(new Float64Array([1.5,2.5]))')).toBe('4');
  });

  it('E.toUint8Array walks its arguments as Espruino does: numbers, strings, nested arrays and typed arrays by element, {data,count}', async () => {
    expect(await term.eval('E.toUint8Array([new Uint8Array([1,2]), [3, [4, 256 + 5]], "AB"], 6, {data: [7], count: 2}, new Uint16Array([264])).join(",")'))
      .toBe(JSON.stringify('1,2,3,4,5,65,66,6,7,7,8'));
  });

  it('reports process.env like the board (VERSION 2v29) for espruino-tools', async () => {
    const env = (await json('process.env')) as Record<string, unknown>;
    expect(env.VERSION).toBe('2v29');
    expect(env.CONSOLE).toBe('USB');
    const mem = (await json('process.memory()')) as Record<string, number>;
    expect(mem.total).toBeGreaterThan(mem.usage);
  });
});
