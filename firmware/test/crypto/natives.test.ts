// The whole crypto stack in "board mode": a global E (convolve as Espruino defines it) and
// require("crypto").SHA256 (ArrayBuffer out) are in scope before the modules load, so field
// products, hashes, hash_to_curve and ECDSA all run through the native paths. (The module
// runner hands modules Node's require, so SHA256 is added to the object require("crypto")
// returns, for this file only.)
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { p256, p256_hasher } from '@noble/curves/nist.js';
import { sha256 as nsha256 } from '@noble/hashes/sha2.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hex, randBytes } from './helpers.ts';

type Crypto = typeof import('../../src/crypto/index.ts');
let C: Crypto;
const calls = { convolve: 0, sha: 0 };
const g = globalThis as Record<string, unknown>;
const nodeCrypto = createRequire(import.meta.url)('crypto') as Record<string, unknown>;

beforeAll(async () => {
  g.E = {
    convolve(a: ArrayLike<number>, b: ArrayLike<number>, off: number): number {
      calls.convolve++;
      let v = 0;
      for (let i = 0; i < a.length; i++) v += a[i] * b[(i + off) % b.length];
      return v;
    },
  };
  nodeCrypto.SHA256 = (d: Uint8Array): ArrayBuffer => {
    calls.sha++;
    const h = createHash('sha256').update(d).digest();
    return h.buffer.slice(h.byteOffset, h.byteOffset + 32);
  };
  C = await import('../../src/crypto/index.ts');
});

afterAll(() => {
  delete g.E;
  delete nodeCrypto.SHA256;
});

describe('crypto with the board natives', () => {
  it('uses native SHA-256 and E.convolve, and agrees with noble (hashes, hash_to_curve, ECDSA)', () => {
    for (let len = 0; len < 130; len++) {
      const m = randBytes('nsha', len, len);
      expect(hex(C.sha256(m))).toBe(hex(nsha256(m)));
    }
    expect(calls.sha).toBeGreaterThanOrEqual(130);
    const dst = new TextEncoder().encode('Sipster-v1-token-P256_XMD:SHA-256_SSWU_RO_');
    for (let i = 0; i < 40; i++) {
      const rho = randBytes('nrho', i, 32);
      expect(hex(C.pointEncode(C.hashToCurve(rho, dst)))).toBe(hex(p256_hasher.hashToCurve(rho, { DST: dst }).toBytes(true)));
    }
    const key = C.ecdsaKeyFromSeed(randBytes('nkey', 0, 32));
    for (let i = 0; i < 10; i++) {
      const msg = randBytes('nmsg', i, 50);
      const extra = randBytes('nextra', i, 32);
      const sig = C.ecdsaSign(key.sk, msg, extra);
      expect(hex(sig)).toBe(hex(p256.sign(msg, key.sk, { extraEntropy: extra })));
      expect(C.ecdsaVerify(key.pk, msg, sig)).toBe(true);
      expect(p256.verify(sig, msg, key.pk)).toBe(true);
      expect(C.ecdsaSignManyVerified(key.sk, key.pk, [msg], [extra])!.map(hex)).toEqual([hex(sig)]);
    }
    expect(calls.convolve).toBeGreaterThan(100000);
  });
});
