// ECDSA P-256 / SHA-256 against RFC 6979 A.2.5 and @noble/curves (hedged nonces, low-s, r ‖ s).
import { invert } from '@noble/curves/abstract/modular.js';
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import {
  ecdsaKeyFromSeed, ecdsaSign, ecdsaSignMany, ecdsaSignManyVerified, ecdsaVerify, ecdsaVerifyMany, opCounts, resetOpCounts,
} from '../../src/crypto/index.ts';
import { HALF_N, ecdsa } from '../../src/crypto/ecdsa.ts';
import { fe, type Fe } from '../../src/crypto/field.ts';
import { makeFn } from '../../src/crypto/p256.ts';
import { N, ascii, fromBytes, hex, randBelow, randBytes, toBytes32, unhex } from './helpers.ts';

// RFC 6979 Appendix A.2.5 (P-256), SHA-256 vectors.
// The operations the meter makes per call, made once for these tests.
const { rfc6979Nonces, signMany, verifyMany } = ecdsa();
const Fn = makeFn();

const RFC_X = unhex('c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721');
const RFC_UX = '60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6';
const RFC = [
  {
    msg: 'sample',
    k: 'a6e3c57dd01abe90086538398355dd4c3b17aa873382b0f24d6129493d8aad60',
    r: 'efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716',
    s: 'f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8',
  },
  {
    msg: 'test',
    k: 'd16b6ae827f17175e040871a1c7ec3500192c4c92677336ec2537acaee0008e0',
    r: 'f1abb023518351cd71d881567b1ea663ed3efcf6c5132b354f28d3b0b7d38367',
    s: '019f4113742a2b14bd25926b49c649155f267e60d3814b4c0cc84250e46f0083',
  },
];

const lowS = (s: bigint) => (s > N / 2n ? N - s : s);

describe('ECDSA', () => {
  it('RFC 6979 A.2.5: key, deterministic nonce, and r, s (s low-normalized)', () => {
    const kp = ecdsaKeyFromSeed(RFC_X);
    expect(hex(kp.pk).slice(2)).toBe(RFC_UX);
    for (const v of RFC) {
      const m = ascii(v.msg);
      expect(hex(rfc6979Nonces(RFC_X, sha256(m), null)())).toBe(v.k);
      const sig = ecdsaSign(RFC_X, m, null);
      expect(hex(sig.subarray(0, 32))).toBe(v.r);
      expect(fromBytes(sig.subarray(32))).toBe(lowS(BigInt('0x' + v.s)));
      expect(ecdsaVerify(kp.pk, m, sig)).toBe(true);
    }
  });

  it('300 random keys/messages: hedged signatures equal noble extraEntropy signatures, byte for byte, low-s', () => {
    for (let i = 0; i < 300; i++) {
      const kp = ecdsaKeyFromSeed(randBytes('sk', i, 32));
      expect(hex(kp.pk)).toBe(hex(p256.getPublicKey(kp.sk)));
      const msg = randBytes('msg', i, i % 200);
      const extra = randBytes('extra', i, 32);
      const sig = ecdsaSign(kp.sk, msg, extra);
      expect(hex(sig)).toBe(hex(p256.sign(msg, kp.sk, { extraEntropy: extra })));
      expect(fromBytes(sig.subarray(32)) <= N / 2n).toBe(true);
    }
  });

  it('40 random cases: ours verify under noble and noble signatures verify here; tampering fails in both', () => {
    for (let i = 0; i < 40; i++) {
      const kp = ecdsaKeyFromSeed(randBytes('sk', i, 32));
      const msg = randBytes('msg', i, i % 200);
      const sig = ecdsaSign(kp.sk, msg, randBytes('extra', i, 32));
      expect(p256.verify(sig, msg, kp.pk)).toBe(true);
      expect(ecdsaVerify(kp.pk, msg, sig)).toBe(true);
      const nsig = p256.sign(msg, kp.sk);
      expect(ecdsaVerify(kp.pk, msg, nsig)).toBe(true);
      // a different message, a flipped signature bit or another key must fail
      const other = new Uint8Array([...msg, 1]);
      expect(ecdsaVerify(kp.pk, other, sig)).toBe(false);
      const bad = new Uint8Array(sig);
      bad[i % 64] ^= 1 << (i % 8);
      expect(ecdsaVerify(kp.pk, msg, bad)).toBe(p256.verify(bad, msg, kp.pk));
    }
  });

  it('the low-s bound HALF_N is (n - 1) / 2: a valid signature with s = HALF_N verifies, with s = HALF_N + 1 it is rejected', () => {
    const half = fromBytes(HALF_N);
    expect(half).toBe((N - 1n) / 2n);
    const msg = ascii('low-s edge');
    const e = fromBytes(sha256(msg)) % N;
    const G = p256.Point.BASE;
    const R = G.multiply(12345n);
    const r = R.toAffine().x % N;
    for (const [s, ok] of [[half, true], [half + 1n, false]] as const) {
      // Q = r^-1 (s·R - e·B): then (r, s) is a valid signature of msg under Q, low or high s
      const Q = R.multiply(s).subtract(G.multiply(e)).multiply(invert(r, N));
      const sig = new Uint8Array([...toBytes32(r), ...toBytes32(s)]);
      expect(p256.verify(sig, msg, Q.toBytes(true), { lowS: false })).toBe(true);
      expect(ecdsaVerify(Q.toBytes(true), msg, sig)).toBe(ok);
    }
  });

  it('key generation accepts 1 and n-1, rejects 0 and >= n', () => {
    expect(hex(ecdsaKeyFromSeed(toBytes32(1n)).pk)).toBe(hex(p256.getPublicKey(toBytes32(1n))));
    expect(hex(ecdsaKeyFromSeed(toBytes32(N - 1n)).pk)).toBe(hex(p256.getPublicKey(toBytes32(N - 1n))));
    for (const bad of [0n, N, N + 1n, (1n << 256n) - 1n]) expect(() => ecdsaKeyFromSeed(toBytes32(bad))).toThrow();
    expect(() => ecdsaKeyFromSeed(new Uint8Array(31))).toThrow();
    expect(() => ecdsaSign(toBytes32(0n), ascii('m'), null)).toThrow();
    expect(() => ecdsaSign(toBytes32(5n), ascii('m'), new Uint8Array(16))).toThrow();
  });

  it('verification rejects malformed input: r or s = 0 or >= n, high s, wrong lengths, bad key', () => {
    const kp = ecdsaKeyFromSeed(randBytes('vk', 0, 32));
    const msg = ascii('bill');
    const sig = ecdsaSign(kp.sk, msg, randBytes('e', 0, 32));
    const r = sig.subarray(0, 32);
    const s = fromBytes(sig.subarray(32));
    const make = (rr: Uint8Array, ss: bigint) => new Uint8Array([...rr, ...toBytes32(ss)]);
    expect(ecdsaVerify(kp.pk, msg, make(r, N - s))).toBe(false); // high-s twin
    expect(p256.verify(make(r, N - s), msg, kp.pk, { lowS: false })).toBe(true);
    expect(ecdsaVerify(kp.pk, msg, make(r, 0n))).toBe(false);
    expect(ecdsaVerify(kp.pk, msg, make(toBytes32(0n), s))).toBe(false);
    expect(ecdsaVerify(kp.pk, msg, make(toBytes32(fromBytes(r) + N), s))).toBe(false);
    expect(ecdsaVerify(kp.pk, msg, make(r, s + N))).toBe(false);
    expect(ecdsaVerify(kp.pk, msg, sig.subarray(0, 63))).toBe(false);
    expect(ecdsaVerify(kp.pk.subarray(0, 32), msg, sig)).toBe(false);
    const badKey = new Uint8Array(kp.pk);
    badKey[0] = 4;
    expect(ecdsaVerify(badKey, msg, sig)).toBe(false);
  });

  it('verification through the secret key (u1·B + u2·pk as (u1 + u2·sk)·B) agrees with the generic path and noble', () => {
    const kp = ecdsaKeyFromSeed(randBytes('meterkey', 0, 32));
    const other = ecdsaKeyFromSeed(randBytes('otherkey', 0, 32));
    for (let i = 0; i < 40; i++) {
      const msg = randBytes('tmsg', i, 40);
      const sig = ecdsaSign(kp.sk, msg, randBytes('te', i, 32));
      expect(verifyMany(kp.pk, [msg], [sig], null, kp.sk)).toBe(true);
      expect(ecdsaVerify(kp.pk, msg, sig)).toBe(true);
      const bad = new Uint8Array(sig);
      bad[5 + (i % 50)] ^= 0x10;
      expect(verifyMany(kp.pk, [msg], [bad], null, kp.sk)).toBe(p256.verify(bad, msg, kp.pk, { prehash: true, lowS: true }));
      expect(verifyMany(kp.pk, [new Uint8Array([...msg, 0])], [sig], null, kp.sk)).toBe(false);
      // another key's signature does not verify through this key
      const osig = ecdsaSign(other.sk, msg, null);
      expect(ecdsaVerify(other.pk, msg, osig)).toBe(true);
      expect(verifyMany(kp.pk, [msg], [osig], null, kp.sk)).toBe(false);
    }
  });

  it('signing-then-verifying checks pk = sk·B: a secret key corrupted in RAM, or a key pair that does not match, gives null', () => {
    const kp = ecdsaKeyFromSeed(randBytes('pairkey', 0, 32));
    const msgs = [ascii('bill'), ascii('dispute')];
    const extras = [randBytes('pe', 0, 32), randBytes('pe', 1, 32)];
    resetOpCounts();
    const sigs = ecdsaSignManyVerified(kp.sk, kp.pk, msgs, extras)!;
    expect(sigs.map(hex)).toEqual(msgs.map((m, i) => hex(p256.sign(m, kp.sk, { extraEntropy: extras[i] }))));
    const fixedBase = opCounts.mul + opCounts.sqr;
    for (let bit = 0; bit < 256; bit += 37) {
      const flipped = new Uint8Array(kp.sk);
      flipped[bit >> 3] ^= 1 << (bit & 7);
      expect(ecdsaSignManyVerified(flipped, kp.pk, msgs, extras)).toBe(null);
    }
    // a pair ecdsaKeyFromSeed did not make (here: noble's) is checked with one more product, then verified
    const sk2 = randBytes('pairkey', 1, 32);
    const pk2 = p256.getPublicKey(sk2, true);
    resetOpCounts();
    const sigs2 = ecdsaSignManyVerified(sk2, pk2, msgs, extras)!;
    expect(sigs2.map(hex)).toEqual(msgs.map((m, i) => hex(p256.sign(m, sk2, { extraEntropy: extras[i] }))));
    expect(opCounts.mul + opCounts.sqr).toBeGreaterThan(fixedBase);
    expect(ecdsaSignManyVerified(sk2, kp.pk, msgs, extras)).toBe(null);
    expect(ecdsaSignManyVerified(kp.sk, pk2, msgs, extras)).toBe(null);
  });

  it('batched signing and verification give the same signatures and verdicts with one inversion each', () => {
    const kp = ecdsaKeyFromSeed(randBytes('batchkey', 0, 32));
    for (const own of [false, true]) {
      for (let t = 0; t < 5; t++) {
        const m = 1 + t;
        const msgs = Array.from({ length: m }, (_, i) => randBytes('bm' + t, i, 10 + i));
        const extras = Array.from({ length: m }, (_, i) => (i % 2 === 0 ? randBytes('be' + t, i, 32) : null));
        resetOpCounts();
        const sigs = ecdsaSignMany(kp.sk, msgs, extras);
        expect(opCounts.inv).toBe(1);
        expect(opCounts.invN).toBe(1);
        for (let i = 0; i < m; i++) {
          const e = extras[i];
          expect(hex(sigs[i])).toBe(hex(e === null ? p256.sign(msgs[i], kp.sk) : p256.sign(msgs[i], kp.sk, { extraEntropy: e })));
          expect(hex(sigs[i])).toBe(hex(ecdsaSign(kp.sk, msgs[i], e)));
        }
        const sk = own ? kp.sk : null;
        resetOpCounts();
        expect(verifyMany(kp.pk, msgs, sigs, null, sk)).toBe(true);
        expect(opCounts.invN).toBe(1);
        const bad = sigs.map((x) => new Uint8Array(x));
        bad[m - 1][40] ^= 4;
        expect(verifyMany(kp.pk, msgs, bad, null, sk)).toBe(false);
        if (m > 1) expect(verifyMany(kp.pk, msgs, [sigs[1], sigs[0], ...sigs.slice(2)], null, sk)).toBe(false);
      }
    }
    expect(ecdsaVerifyMany(kp.pk, [], [])).toBe(false);
    expect(ecdsaVerifyMany(kp.pk, [ascii('a')], [])).toBe(false);
    expect(() => ecdsaSignMany(kp.sk, [ascii('a')], [])).toThrow();
    expect(() => ecdsaSignMany(kp.sk, [], [])).toThrow();
  });

  it('one signing inversion gives s^-1 too: equal to noble-derived s^-1 (negated with low-s), and a wrong s^-1 fails verification', () => {
    const kp = ecdsaKeyFromSeed(randBytes('sinvkey', 0, 32));
    const modInv = (a: bigint) => {
      let r = 1n, b = a % N, e = N - 2n;
      for (; e > 0n; e >>= 1n, b = (b * b) % N) if (e & 1n) r = (r * b) % N;
      return r;
    };
    const toBig = (w: Fe) => {
      const u = new Uint8Array(32);
      Fn.toBytes(w, u, 0);
      return fromBytes(u);
    };
    let negated = 0;
    for (const own of [false, true]) {
      const sk = own ? kp.sk : null;
      for (let t = 0; t < 12; t++) {
        const msgs = [randBytes('sm' + t, 0, 70), randBytes('sm' + t, 1, 50)];
        const extras = [randBytes('se' + t, 0, 32), randBytes('se' + t, 1, 32)];
        const sInv: Fe[] = [];
        resetOpCounts();
        const sigs = signMany(kp.sk, msgs, extras, sInv);
        expect(verifyMany(kp.pk, msgs, sigs, sInv, sk)).toBe(true);
        expect(opCounts.invN).toBe(1); // signing and verifying both signatures: one inversion mod n
        for (let i = 0; i < 2; i++) {
          expect(hex(sigs[i])).toBe(hex(p256.sign(msgs[i], kp.sk, { extraEntropy: extras[i] })));
          const s = fromBytes(sigs[i].subarray(32));
          expect(toBig(sInv[i])).toBe(modInv(s));
          // the unnormalized s (before low-s) was the high one when noble's lowS:false signature differs
          if (hex(p256.sign(msgs[i], kp.sk, { extraEntropy: extras[i], lowS: false })) !== hex(sigs[i])) negated++;
        }
        // a faulty s^-1 (off by one, or not negated along with s) must fail, never verify
        for (let i = 0; i < 2; i++) {
          const wrong = sInv.map((w) => { const c = fe(); c.set(w); return c; });
          Fn.add(wrong[i], wrong[i], Fn.one);
          expect(verifyMany(kp.pk, msgs, sigs, wrong, sk)).toBe(false);
          const unneg = sInv.map((w) => { const c = fe(); c.set(w); return c; });
          Fn.neg(unneg[i], unneg[i]);
          expect(verifyMany(kp.pk, msgs, sigs, unneg, sk)).toBe(false);
        }
        // a tampered signature fails even with its (then wrong) s^-1, and with a recomputed one
        const bad = sigs.map((x) => new Uint8Array(x));
        bad[1][10] ^= 2;
        expect(verifyMany(kp.pk, msgs, bad, sInv, sk)).toBe(false);
        expect(ecdsaVerifyMany(kp.pk, msgs, bad)).toBe(false);
        expect(verifyMany(kp.pk, msgs, sigs, sInv.slice(0, 1), sk)).toBe(false);
        // the exported pair: same signatures, verified; null under another key
        expect(ecdsaSignManyVerified(kp.sk, kp.pk, msgs, extras)!.map(hex)).toEqual(sigs.map(hex));
        const other = ecdsaKeyFromSeed(randBytes('sinvother', t, 32));
        expect(ecdsaSignManyVerified(kp.sk, other.pk, msgs, extras)).toBe(null);
      }
    }
    expect(negated).toBeGreaterThan(0); // the low-s negation of s^-1 was exercised
  });
});

describe('ECDSA verification: projective x(R) = r check', () => {
  const G = p256.Point.BASE;
  const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
  const mod = (a: bigint, m: bigint) => ((a % m) + m) % m;
  const inv = (a: bigint) => {
    let r = 1n, b = mod(a, N), e = N - 2n;
    for (; e > 0n; e >>= 1n, b = (b * b) % N) if (e & 1n) r = (r * b) % N;
    return r;
  };
  /** the first curve point (even y) with x >= x0 */
  const pointFrom = (x0: bigint) => {
    for (let x = x0; ; x++) {
      try {
        return p256.Point.fromHex('02' + x.toString(16).padStart(64, '0'));
      } catch {
        /* not on the curve: next x */
      }
    }
  };
  /** (key, signature) with the given nonce point R and r, s: the key is recovered as r^-1 (s·R - e·B) */
  const forge = (R: typeof G, r: bigint, msg: Uint8Array, i: number) => {
    const e = fromBytes(sha256(msg)) % N;
    const s = lowS(randBelow('xs', i, N - 1n) + 1n);
    const Q = R.multiply(s).subtract(G.multiply(e === 0n ? N : e)).multiply(inv(r));
    return { pk: Q.toBytes(true), sig: new Uint8Array([...toBytes32(r), ...toBytes32(s)]) };
  };

  it('accepts r = x(R) - n when x(R) >= n (the r + n < p case), as noble does', () => {
    for (let i = 0; i < 4; i++) {
      const R = pointFrom(N + 1000n * BigInt(i));
      const x = R.toAffine().x;
      expect(x >= N && x < P).toBe(true);
      const msg = randBytes('xm', i, 40);
      const { pk, sig } = forge(R, x - N, msg, i);
      expect(p256.verify(sig, msg, pk)).toBe(true);
      expect(ecdsaVerify(pk, msg, sig)).toBe(true);
      const bad = forge(R, x - N + 1n, msg, i); // a key for another r: R no longer matches
      expect(p256.verify(bad.sig, msg, pk)).toBe(false);
      expect(ecdsaVerify(pk, msg, bad.sig)).toBe(false);
    }
  });

  it('rejects r with r + n >= p even when x(R) = r + n - p (mod p): no wrap-around', () => {
    for (let i = 0; i < 4; i++) {
      // x(R) small, r = x(R) + p - n: r + n = x(R) + p, which is x(R) only modulo p
      const R = pointFrom(7n + 1000n * BigInt(i));
      const x = R.toAffine().x;
      const r = x + P - N;
      expect(r < N).toBe(true);
      const msg = randBytes('wm', i, 40);
      const { pk, sig } = forge(R, r, msg, i + 10);
      expect(p256.verify(sig, msg, pk)).toBe(false);
      expect(ecdsaVerify(pk, msg, sig)).toBe(false);
      // the same R with its true r = x(R) verifies
      const good = forge(R, x, msg, i + 10);
      expect(p256.verify(good.sig, msg, good.pk)).toBe(true);
      expect(ecdsaVerify(good.pk, msg, good.sig)).toBe(true);
    }
  });
});
