// BigInt-free field arithmetic (plain-JS column products, as Node and boards without
// E.convolve run it) against BigInt.
import { describe, expect, it } from 'vitest';
import * as field from '../../src/crypto/field.ts';
import * as p256 from '../../src/crypto/p256.ts';
import { fieldSuite } from './field-suite.ts';
import { N, P } from './helpers.ts';

describe('field (plain JS)', () => {
  it('runs without the E.convolve native here', async () => {
    const native = await import('../../src/crypto/native.ts');
    expect(native.nativeConvolve).toBeUndefined();
  });
  it('start-up constants: one is R mod N, canonical; the start-up work is not counted', () => {
    // R^2 mod N and 2^192 * R mod N are checked through every fromBytes / fromBytes48 below.
    expect(Object.keys(p256.opCounts)).toEqual(['mul', 'sqr', 'add', 'inv', 'sqrt', 'mulN', 'sqrN', 'addN', 'invN', 'sqrtN']);
    expect(Object.values(p256.opCounts).every((v) => v === 0)).toBe(true);
    const R = 1n << 264n;
    const out = new Uint8Array(32);
    // Montgomery form of 1 is R mod N, already canonical; decoding it back gives 1
    for (const [F, M] of [[p256.Fp, P], [p256.makeFn(), N]] as const) {
      let raw = 0n;
      for (let i = 10; i >= 0; i--) raw = raw * (1n << 24n) + BigInt(F.one[i]);
      expect(raw).toBe(R % M);
      F.toBytes(F.one, out, 0);
      expect(out[31]).toBe(1);
    }
  });
  it('a scalar field made during an operation (the meter makes one per use) leaves every count as it was', () => {
    const a = field.fe();
    for (const k in p256.opCounts) p256.opCounts[k] = 0;
    p256.Fp.add(a, p256.Fp.one, p256.Fp.one);
    const Fn = p256.makeFn();
    Fn.add(a, Fn.one, Fn.one);
    p256.makeFn();
    expect(p256.opCounts).toEqual({ mul: 0, sqr: 0, add: 1, inv: 0, sqrt: 0, mulN: 0, sqrN: 0, addN: 1, invN: 0, sqrtN: 0 });
    expect(Object.keys(p256.opCounts)).toEqual(['mul', 'sqr', 'add', 'inv', 'sqrt', 'mulN', 'sqrN', 'addN', 'invN', 'sqrtN']);
  });
  fieldSuite(async () => ({ p256, field }), 2000);
});
