// firmware/src/derive.ts against an independent computation on @noble (DESIGN.md's table
// written out again here), and byte-equality with the host protocol core's encoders.
import { hash_to_field } from '@noble/curves/abstract/hash-to-curve.js';
import { p256, p256_hasher } from '@noble/curves/nist.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import {
  encodeBillMessage, encodeDisputeMessage, encodeFaultMessage, encodeHandoverMessage,
} from '../../../host/protocol/messages.ts';
import { getSuite } from '../../../host/protocol/suite.ts';
import { pointAdd, pointEncode, pointZero, type Point } from '../../src/crypto/index.ts';
import {
  billMessage, billPoint, billScalar, disputeMessage, faultMessage, handoverMessage, periodSeed, tokenPoint, tokenRho,
} from '../../src/derive.ts';
import { N, ascii, fromBytes, hex, randBytes, toBytes32 } from './helpers.ts';

const cat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const u32be = (x: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(x); return new Uint8Array(b); };
const lpb = (x: Uint8Array) => { const b = Buffer.alloc(2); b.writeUInt16BE(x.length); return cat(new Uint8Array(b), x); };
const SUITE = 'P256-SHA256';

describe('derive.ts (DESIGN.md "Exact derivations and encodings")', () => {
  it('seed, ρ_i, H(ρ_i), r and R = S − r·B equal an independent noble computation', () => {
    for (let t = 0; t < 6; t++) {
      const kappa = randBytes('kappa', t, 32);
      const rnd = randBytes('rnd', t, 32);
      const meterId = `meter-${t}`;
      const vkM = p256.getPublicKey(randBytes('vk', t, 32));
      const c = [0, 1, 7, 65535, 65536, 0xffffffff][t];
      const seed = periodSeed(kappa, rnd, meterId, vkM, c);
      const info = cat(lpb(ascii(SUITE)), lpb(ascii(meterId)), sha256(vkM), u32be(c));
      expect(hex(seed)).toBe(hex(hkdf(sha256, cat(kappa, rnd), ascii('sipster/v1/seed'), info, 32)));

      let S: Point = pointZero();
      let nS = p256.Point.ZERO;
      for (let i = 0; i < 12; i++) {
        const ii = i === 11 ? 0xffffffff : i;
        const rho = tokenRho(seed, c, ii);
        expect(hex(rho)).toBe(hex(hmac(sha256, seed, cat(ascii('sipster/v1/token'), u32be(c), u32be(ii)))));
        const T = p256_hasher.hashToCurve(rho, { DST: 'Sipster-v1-token-P256_XMD:SHA-256_SSWU_RO_' });
        const mine = tokenPoint(rho);
        expect(hex(pointEncode(mine))).toBe(hex(T.toBytes(true)));
        S = pointAdd(S, mine);
        nS = nS.add(T);
      }
      const r = billScalar(seed);
      const rn = hash_to_field(seed, 1, { DST: 'Sipster-v1-bill-P256-SHA256', p: N, m: 1, k: 128, expand: 'xmd', hash: sha256 })[0][0];
      expect(fromBytes(r)).toBe(rn);
      expect(hex(billPoint(S, r))).toBe(hex(nS.subtract(p256.Point.BASE.multiply(rn)).toBytes(true)));
    }
  });

  it('ρ_i of two periods interleaved (a replay sends the closed period between the open one\'s tokens) each equal noble\'s HMAC', () => {
    const seeds = [randBytes('seed a', 0, 32), randBytes('seed b', 0, 32)];
    for (let k = 0; k < 6; k++) {
      const seed = seeds[k % 2]!;
      expect(hex(tokenRho(seed, k, k * 3))).toBe(hex(hmac(sha256, seed, cat(ascii('sipster/v1/token'), u32be(k), u32be(k * 3)))));
    }
  });

  it('signed messages have the documented layouts and equal the host protocol core encoders byte for byte', () => {
    const suite = getSuite(SUITE);
    const meterId = 'MTR-0042';
    const R = p256.Point.BASE.multiply(12345n).toBytes(true);
    const prev = randBytes('prev', 0, 32);
    const head = (tag: string) => cat(lpb(ascii(tag)), lpb(ascii(SUITE)));

    const bill = billMessage(meterId, 3, 202611, 2, R, 9, prev);
    expect(hex(bill)).toBe(hex(cat(head('sipster/v1/bill'), lpb(ascii(meterId)), u32be(3), u32be(202611), u32be(2), R, u32be(9), prev)));
    expect(hex(bill)).toBe(hex(encodeBillMessage(suite, {
      meterId, c: 3, periodLabel: 202611, e: 2, R: suite.decodePoint(R), tariffVersion: 9, prev,
    })));

    const r = toBytes32(0x1234567890abcdefn);
    const dispute = disputeMessage(meterId, 3, 77, r, bill);
    expect(hex(dispute)).toBe(hex(cat(head('sipster/v1/dispute'), lpb(ascii(meterId)), u32be(3), u32be(77), r, sha256(bill))));
    expect(hex(dispute)).toBe(hex(encodeDisputeMessage(suite, { meterId, c: 3, n: 77, r: fromBytes(r), billHash: sha256(bill) })));

    const fault = faultMessage(meterId, 5, 3, 'state copy A corrupt');
    expect(hex(fault)).toBe(hex(cat(head('sipster/v1/fault'), lpb(ascii(meterId)), u32be(5), u32be(3), lpb(ascii('state copy A corrupt')))));
    expect(hex(fault)).toBe(hex(encodeFaultMessage(suite, { meterId, code: 5, c: 3, detail: 'state copy A corrupt' })));

    const oldVkM = p256.getPublicKey(randBytes('old', 0, 32));
    const newVkM = p256.getPublicKey(randBytes('new', 0, 32));
    const handover = handoverMessage(meterId, oldVkM, 3, sha256(bill), newVkM);
    expect(hex(handover)).toBe(hex(cat(head('sipster/v1/handover'), lpb(ascii(meterId)), oldVkM, u32be(3), sha256(bill), newVkM)));
    expect(hex(handover)).toBe(hex(encodeHandoverMessage(suite, { meterId, oldVkM, lastC: 3, lastBillHash: sha256(bill), newVkM })));
  });

  it('refuses out-of-range counters, wrong field sizes and non-ASCII text instead of encoding them', () => {
    const R = p256.Point.BASE.toBytes(true);
    const prev = new Uint8Array(32);
    expect(billMessage('m', 0xffffffff, 1, 0, R, 0, prev)).toHaveLength(2 + 15 + 2 + 11 + 2 + 1 + 12 + 33 + 4 + 32);
    expect(() => billMessage('m', -1, 1, 0, R, 0, prev)).toThrow();
    expect(() => billMessage('m', 2 ** 32, 1, 0, R, 0, prev)).toThrow();
    expect(() => billMessage('m', 0, 1, 1.5, R, 0, prev)).toThrow();
    expect(() => billMessage('m', 0, NaN, 0, R, 0, prev)).toThrow();
    expect(() => billMessage('m', 0, 1, 0, R, '7' as unknown as number, prev)).toThrow();
    expect(() => billMessage('m', 0, 1, 0, R.subarray(1), 0, prev)).toThrow();
    expect(() => billMessage('m', 0, 1, 0, R, 0, new Uint8Array(31))).toThrow();
    expect(() => billMessage('mé', 0, 1, 0, R, 0, prev)).toThrow();
    expect(() => tokenRho(new Uint8Array(31), 0, 0)).toThrow();
    expect(() => tokenRho(new Uint8Array(32), 0, NaN)).toThrow();
    expect(() => periodSeed(new Uint8Array(32), new Uint8Array(32), 'm', new Uint8Array(65), 0)).toThrow();
    expect(() => disputeMessage('m', 0, 1, new Uint8Array(33), new Uint8Array(1))).toThrow();
    expect(() => faultMessage('m', 1, 0, 'x'.repeat(70000))).toThrow();
  });
});
