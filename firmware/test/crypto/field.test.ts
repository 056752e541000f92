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
  it('precomputed R^2 constants equal 2^528 mod p and mod n', () => {
    const R = 1n << 264n;
    const one = field.fe();
    const out = new Uint8Array(32);
    // Montgomery form of 1 is R mod N; decoding it back must give 1, and its raw value R mod N
    for (const [F, M] of [[p256.Fp, P], [p256.Fn, N]] as const) {
      one.set(F.one);
      F.canonInPlace(one);
      let raw = 0n;
      for (let i = 10; i >= 0; i--) raw = raw * (1n << 24n) + BigInt(one[i]);
      expect(raw).toBe(R % M);
      F.toBytes(F.one, out, 0);
      expect(out[31]).toBe(1);
    }
  });
  fieldSuite(async () => ({ p256, field }), 2000);
});
