/**
 * Fuzz-style table of malformed encodings for every decoder: each is rejected with a typed
 * SipsterError (the expected code where it is determined), none throws anything else.
 */
import { describe, expect, it } from 'vitest';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { p256 } from '@noble/curves/nist.js';
import { bigIntToBytes, concat, fromHex, lp, u32 } from '../bytes.ts';
import { decodeProof } from '../dleq.ts';
import { decodeEpochKey, encodeEpochKey, epochKeyFromSecret } from '../epoch.ts';
import { SipsterError, type SipsterErrorCode } from '../errors.ts';
import { decodeBillMessage, decodeDisputeMessage, decodeFaultMessage, decodeHandoverMessage, encodeFaultMessage, encodeHandoverMessage } from '../messages.ts';
import { decodePayRequest, encodePayRequest } from '../pay.ts';
import { decodeReceipt, encodeReceipt } from '../receipt.ts';
import { verifySignature } from '../signature.ts';
import { getSuite, SUITE_IDS } from '../suite.ts';
import { decodeTariff, signTariff } from '../tariff.ts';
import { drbg } from '../../meter/drbg.ts';
import { makeMeter, makeUc, meterPeriod, payAll } from './fixture.ts';

function outcome(f: () => unknown): SipsterErrorCode | 'ok' | 'untyped' {
  try {
    f();
    return 'ok';
  } catch (err) {
    return err instanceof SipsterError ? err.code : 'untyped';
  }
}

/** Random truncations, extensions and bit flips of a valid encoding: each decodes or fails typed. */
function mutate(valid: Uint8Array, decode: (b: Uint8Array) => unknown, rounds = 300): void {
  const rnd = drbg('mutate');
  for (let k = 0; k < rounds; k++) {
    const r = rnd(4);
    let b: Uint8Array;
    switch (r[0]! % 4) {
      case 0: b = valid.slice(0, r[1]! % valid.length); break;
      case 1: b = concat(valid, rnd(1 + (r[1]! % 8))); break;
      default: {
        b = valid.slice();
        const pos = ((r[1]! << 8) | r[2]!) % b.length;
        b[pos] = b[pos]! ^ (1 << (r[3]! % 8));
      }
    }
    expect(outcome(() => decode(b))).not.toBe('untyped');
  }
}

const P256_P = p256.Point.Fp.ORDER;
const BLS_P = bls12_381.G1.Point.Fp.ORDER;

/** A BLS12-381 G1 encoding of a curve point outside the prime-order subgroup. */
function g1OutsideSubgroup(): Uint8Array {
  const Fp = bls12_381.G1.Point.Fp;
  for (let x = 1n; ; x++) {
    const rhs = Fp.add(Fp.mul(Fp.sqr(x), x), 4n);
    let y: bigint;
    try {
      y = Fp.sqrt(rhs);
    } catch {
      continue;
    }
    const P = bls12_381.G1.Point.fromAffine({ x, y });
    if (!P.isTorsionFree()) {
      const b = bigIntToBytes(x, 48);
      b[0] = b[0]! | 0x80 | (y > (BLS_P - 1n) / 2n ? 0x20 : 0);
      return b;
    }
  }
}

/** An x with no point on P-256 above it. */
function p256OffCurve(): Uint8Array {
  const Fp = p256.Point.Fp;
  const { a, b } = p256.Point.CURVE();
  for (let x = 1n; ; x++) {
    try {
      Fp.sqrt(Fp.add(Fp.add(Fp.mul(Fp.sqr(x), x), Fp.mul(a, x)), b));
    } catch {
      return concat(new Uint8Array([2]), bigIntToBytes(x, 32));
    }
  }
}

describe('strict point and scalar decoders', () => {
  const P256 = getSuite('P256-SHA256');
  const BLS = getSuite('BLS12381-SHA256');
  const table: [string, () => unknown, SipsterErrorCode][] = [
    ['P-256 point, 32 bytes', () => P256.decodePoint(new Uint8Array(32)), 'wrong-length'],
    ['P-256 point, 65 bytes uncompressed', () => P256.decodePoint(p256.Point.BASE.toBytes(false)), 'wrong-length'],
    ['P-256 point, prefix 04', () => P256.decodePoint(concat(new Uint8Array([4]), new Uint8Array(32))), 'bad-prefix'],
    ['P-256 point, prefix 00 (identity)', () => P256.decodePoint(new Uint8Array(33)), 'bad-prefix'],
    ['P-256 point, x = p', () => P256.decodePoint(concat(new Uint8Array([2]), bigIntToBytes(P256_P, 32))), 'non-canonical-field'],
    ['P-256 point, x ≥ p (2^256 − 1)', () => P256.decodePoint(concat(new Uint8Array([3]), new Uint8Array(32).fill(255))), 'non-canonical-field'],
    ['P-256 point off the curve', () => P256.decodePoint(p256OffCurve()), 'off-curve'],
    ['G1 point, 33 bytes', () => BLS.decodePoint(new Uint8Array(33)), 'wrong-length'],
    ['G1 point, uncompressed flag', () => BLS.decodePoint(new Uint8Array(48)), 'bad-prefix'],
    ['G1 identity', () => BLS.decodePoint(concat(new Uint8Array([0xc0]), new Uint8Array(47))), 'identity'],
    ['G1 point, x = p', () => { const b = bigIntToBytes(BLS_P, 48); b[0] = b[0]! | 0x80; return BLS.decodePoint(b); }, 'non-canonical-field'],
    ['G1 point outside the subgroup', () => BLS.decodePoint(g1OutsideSubgroup()), 'not-in-subgroup'],
    ['G2 point, 48 bytes', () => BLS.pairing!.decodeG2(new Uint8Array(48)), 'wrong-length'],
    ['G2 identity', () => BLS.pairing!.decodeG2(concat(new Uint8Array([0xc0]), new Uint8Array(95))), 'identity'],
    ['scalar, 31 bytes', () => P256.decodeScalar(new Uint8Array(31)), 'wrong-length'],
    ['scalar = q (P-256)', () => P256.decodeScalar(bigIntToBytes(P256.order, 32)), 'non-canonical-scalar'],
    ['scalar = q (BLS12-381)', () => BLS.decodeScalar(bigIntToBytes(BLS.order, 32)), 'non-canonical-scalar'],
    ['DLEQ proof, 63 bytes', () => decodeProof(P256, new Uint8Array(63)), 'wrong-length'],
    ['DLEQ proof with s = q', () => decodeProof(P256, concat(new Uint8Array(32), bigIntToBytes(P256.order, 32))), 'non-canonical-scalar'],
    ['suite id unknown', () => getSuite('P384-SHA384'), 'wrong-suite'],
    ['hex with odd length', () => fromHex('abc'), 'bad-encoding'],
    ['hex with a non-hex digit', () => fromHex('zz'), 'bad-encoding'],
    ['hex of the wrong length', () => fromHex('00', 32), 'wrong-length'],
    ['signature, 63 bytes', () => verifySignature(p256.getPublicKey(new Uint8Array(32).fill(1)), new Uint8Array(1), new Uint8Array(63)), 'wrong-length'],
    ['signature with r = 0', () => verifySignature(p256.getPublicKey(new Uint8Array(32).fill(1)), new Uint8Array(1), new Uint8Array(64)), 'non-canonical-scalar'],
  ];
  it.each(table)('%s → %s', (_name, f, code) => {
    expect(outcome(f)).toBe(code);
  });
});

describe.each(SUITE_IDS)('%s: protocol message decoders', (id) => {
  const uc = makeUc(id);
  const meter = makeMeter(uc);
  const suite = uc.params.suite;
  const p = meterPeriod(meter, 1, 2);
  const receipt = encodeReceipt(suite, payAll(uc, p.tokens)[0]!);
  const key = encodeEpochKey(suite, epochKeyFromSecret(suite, 7, 99n));
  const pay = encodePayRequest({ e: 0, rho: p.tokens[0]!.rho });
  const fault = encodeFaultMessage(suite, { meterId: 'm', code: 1, c: 0, detail: 'x' });
  const handover = encodeHandoverMessage(suite, { meterId: 'm', oldVkM: meter.vkM, lastC: 0, lastBillHash: new Uint8Array(32), newVkM: meter.vkM });
  const logKey = uc.logKey;
  const tariff = signTariff(suite, { version: 2, bands: [{ startMinute: 0, microUnitsPerWh: 5 }] }, logKey, new Uint8Array(32));
  const decoders: [string, Uint8Array, (b: Uint8Array) => unknown][] = [
    ['bill message', p.bill.billMessage, decodeBillMessage],
    ['dispute message', p.bill.disputeMessage, decodeDisputeMessage],
    ['fault message', fault, decodeFaultMessage],
    ['handover message', handover, decodeHandoverMessage],
    ['receipt', receipt, (b) => decodeReceipt(suite, b)],
    ['epoch key', key, (b) => decodeEpochKey(suite, b)],
    ['pay request', pay, (b) => decodePayRequest(uc.params, b)],
    ['tariff', tariff.message, (b) => decodeTariff(suite, b, tariff.signature, logKey.vk)],
    ['bill signature', p.bill.beta, (b) => verifySignature(meter.vkM, p.bill.billMessage, b)],
  ];
  it.each(decoders)('%s: the valid encoding decodes; mutations fail typed, never untyped', (_n, valid, decode) => {
    expect(outcome(() => decode(valid))).toBe('ok');
    mutate(valid, decode);
  });

  it('specific defects get their specific codes', () => {
    const other = SUITE_IDS.find((x) => x !== id)!;
    const b = p.bill.billMessage;
    const swapSuite = concat(lp('sipster/v1/bill'), lp(other), b.subarray(2 + 15 + 2 + id.length));
    expect(outcome(() => decodeBillMessage(swapSuite))).not.toBe('ok');
    expect(outcome(() => decodeBillMessage(concat(lp('sipster/v1/bill'), lp('NOPE'), b.subarray(2 + 15 + 2 + id.length))))).toBe('wrong-suite');
    expect(outcome(() => decodeBillMessage(concat(lp('sipster/v1/fault'), b.subarray(2 + 15))))).toBe('wrong-tag');
    expect(outcome(() => decodeBillMessage(b.subarray(0, b.length - 1)))).toBe('wrong-length');
    expect(outcome(() => decodeBillMessage(concat(b, new Uint8Array(1))))).toBe('wrong-length');
    expect(outcome(() => decodePayRequest(uc.params, concat(u32(99), p.tokens[0]!.rho)))).toBe('unknown-epoch');
    expect(outcome(() => decodeReceipt(suite, receipt.subarray(1)))).toBe('wrong-length');
  });
});
