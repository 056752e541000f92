// SHA-256 (JS fallback), HMAC, HKDF, expand_message_xmd and hash_to_field mod n against @noble/hashes/curves.
import { expand_message_xmd, hash_to_field } from '@noble/curves/abstract/hash-to-curve.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 as nsha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { expandMessageXmd, hashToScalar, hkdfSha256, hmacSha256, sha256 } from '../../src/crypto/index.ts';
import { N, ascii, fromBytes, hex, randBytes } from './helpers.ts';

describe('hashes', () => {
  it('SHA-256: FIPS 180-4 "abc" and every length 0..300 (all padding boundaries) match noble', () => {
    expect(hex(sha256(ascii('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    for (let len = 0; len <= 300; len++) {
      const m = randBytes('sha', len, len);
      expect(hex(sha256(m))).toBe(hex(nsha256(m)));
    }
    const big = randBytes('shabig', 0, 22440);
    expect(hex(sha256(big))).toBe(hex(nsha256(big)));
  });

  it('HMAC-SHA256 with keys of 0..130 bytes (short, block-size, hashed) matches noble', () => {
    for (let i = 0; i <= 130; i++) {
      const key = randBytes('hk', i, i);
      const msg = randBytes('hm', i, (i * 7) % 150);
      expect(hex(hmacSha256(key, msg))).toBe(hex(hmac(nsha256, key, msg)));
    }
  });

  it('HKDF-SHA256 for lengths 1..100 and 255*32, with empty and non-empty salt, matches noble', () => {
    for (let len = 1; len <= 100; len++) {
      const salt = len % 5 === 0 ? new Uint8Array(0) : randBytes('salt', len, len % 40);
      const ikm = randBytes('ikm', len, 64);
      const info = randBytes('info', len, len % 70);
      expect(hex(hkdfSha256(salt, ikm, info, len))).toBe(hex(hkdf(nsha256, ikm, salt, info, len)));
    }
    expect(hex(hkdfSha256(ascii('s'), ascii('k'), ascii('i'), 8160))).toBe(hex(hkdf(nsha256, ascii('k'), ascii('s'), ascii('i'), 8160)));
    expect(() => hkdfSha256(ascii('s'), ascii('k'), ascii('i'), 8161)).toThrow();
    expect(() => hkdfSha256(ascii('s'), ascii('k'), ascii('i'), 0)).toThrow();
  });

  it('expand_message_xmd matches noble for output lengths 1..300 and DSTs up to 255 bytes', () => {
    for (let len = 1; len <= 300; len += 1) {
      const msg = randBytes('xm', len, len % 90);
      const dst = randBytes('xd', len, 1 + (len % 255));
      expect(hex(expandMessageXmd(msg, dst, len))).toBe(hex(expand_message_xmd(msg, dst, len, nsha256)));
    }
    expect(() => expandMessageXmd(ascii('m'), new Uint8Array(256), 32)).toThrow();
    expect(() => expandMessageXmd(ascii('m'), ascii('d'), 255 * 32 + 1)).toThrow();
  });

  it('hashToScalar = hash_to_field(count 1, L 48) mod n, matches noble on 1000 messages', () => {
    const dst = ascii('Sipster-v1-bill-P256-SHA256');
    for (let i = 0; i < 1000; i++) {
      const msg = randBytes('hs', i, 32);
      const want = hash_to_field(msg, 1, { DST: dst, p: N, m: 1, k: 128, expand: 'xmd', hash: nsha256 })[0][0];
      expect(fromBytes(hashToScalar(msg, dst))).toBe(want);
    }
  });
});
