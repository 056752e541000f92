// The same field checks through the board's native path: a global E with convolve as the
// Espruino reference defines it (v += arr1[i] * arr2[(i + offset) % arr2.length]) is put in
// scope before the crypto modules load, so they pick the E.convolve column products.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fieldSuite } from './field-suite.ts';

type Loaded = { p256: typeof import('../../src/crypto/p256.ts'); field: typeof import('../../src/crypto/field.ts') };
let loaded: Loaded;
let calls = 0;

beforeAll(async () => {
  (globalThis as Record<string, unknown>).E = {
    convolve(a: ArrayLike<number>, b: ArrayLike<number>, off: number): number {
      calls++;
      let v = 0;
      for (let i = 0; i < a.length; i++) v += a[i] * b[(i + off) % b.length];
      return v;
    },
  };
  loaded = { p256: await import('../../src/crypto/p256.ts'), field: await import('../../src/crypto/field.ts') };
});

afterAll(() => {
  delete (globalThis as Record<string, unknown>).E;
});

describe('field (E.convolve path)', () => {
  it('uses E.convolve: 21 calls per multiplication mod p, 42 mod n', async () => {
    const native = await import('../../src/crypto/native.ts');
    expect(native.nativeConvolve).toBeDefined();
    const a = loaded.field.fe();
    calls = 0;
    loaded.p256.Fp.mul(a, loaded.p256.Fp.one, loaded.p256.Fp.one);
    expect(calls).toBe(21);
    calls = 0;
    const Fn = loaded.p256.makeFn();
    calls = 0;
    Fn.mul(a, Fn.one, Fn.one);
    expect(calls).toBe(42);
  });
  fieldSuite(async () => loaded, 500);
});
