import { describe, expect, it } from 'vitest';
import { p256 } from '@noble/curves/nist.js';
import { bigIntToBytes, bytesToBigInt, concat, u32 } from '../bytes.ts';
import { combine, selfCheck } from '../combine.ts';
import { SipsterError, type SipsterErrorCode } from '../errors.ts';
import { billHash, decodeBillMessage, encodeBillMessage } from '../messages.ts';
import { encodePayRequest, decodePayRequest, PAY_REQUEST_LENGTH } from '../pay.ts';
import { issueReceipt, verifyReceipt } from '../receipt.ts';
import { signMessage } from '../signature.ts';
import { getSuite, SUITE_IDS, type Point, type SuiteId } from '../suite.ts';
import { drbg } from '../../meter/drbg.ts';
import { combined, honestSettle, makeMeter, makeUc, meterPeriod, payAll } from './fixture.ts';

function rejects(code: SipsterErrorCode, f: () => unknown): void {
  let caught: unknown;
  try {
    f();
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected ${code}`).toBeInstanceOf(SipsterError);
  expect((caught as SipsterError).code).toBe(code);
}

const N = p256.Point.Fn.ORDER;

/** What a cheating wallet would send: Σ Z_i − r·A_e, without the honest wallet's checks. */
function rawCombine(uc: ReturnType<typeof makeUc>, receipts: readonly { Z: Point }[], e: number, r: bigint): Point {
  const suite = uc.params.suite;
  return suite.sum(receipts.map((x) => x.Z)).subtract(suite.mul(uc.params.epochKeys.get(e)!.A, r));
}

function setup(id: SuiteId) {
  const uc = makeUc(id);
  const meter = makeMeter(uc);
  return { uc, meter, suite: getSuite(id) };
}

describe.each(SUITE_IDS)('%s: every attack is rejected with its own error', (id) => {
  it('one payment skipped: the combined receipt does not match', () => {
    const { uc, meter } = setup(id);
    const p = meterPeriod(meter, 1, 5);
    const C = rawCombine(uc, payAll(uc, p.tokens.slice(0, 4)), p.bill.bill.e, p.bill.r);
    rejects('combined-receipt-mismatch', () => uc.settle(p.bill.billMessage, p.bill.beta, C));
  });

  it('the wallet itself never sends a wrong C: missing receipts fail its checks', () => {
    const { uc, meter, suite } = setup(id);
    const p = meterPeriod(meter, 1, 5);
    // missing token: the self-check fails
    rejects('self-check-failed', () => selfCheck(suite, p.tokens.slice(1).map((t) => t.rho), p.bill.r, p.bill.bill.R));
    if (suite.pairing) {
      const receipts = payAll(uc, p.tokens.slice(0, 4));
      rejects('combined-receipt-mismatch', () => combine(suite, uc.params.epochKeys.get(p.bill.bill.e)!, receipts, p.bill.r, p.bill.bill.R));
    }
  });

  it('receipts of another period or of another meter mixed in', () => {
    const { uc, meter, suite } = setup(id);
    const other = makeMeter(uc, 'meter-2');
    const p = meterPeriod(meter, 1, 3);
    const q = meterPeriod(other, 1, 3);
    const p2 = meterPeriod(meter, 2, 3);
    const key = uc.params.epochKeys.get(p.bill.bill.e)!;
    for (const foreign of [q.tokens[0]!, p2.tokens[0]!]) {
      const receipts = payAll(uc, [foreign, ...p.tokens.slice(1)]);
      rejects('self-check-failed', () => selfCheck(suite, [foreign, ...p.tokens.slice(1)].map((t) => t.rho), p.bill.r, p.bill.bill.R));
      if (suite.pairing) rejects('combined-receipt-mismatch', () => combine(suite, key, receipts, p.bill.r, p.bill.bill.R));
      rejects('combined-receipt-mismatch', () => uc.settle(p.bill.billMessage, p.bill.beta, rawCombine(uc, receipts, p.bill.bill.e, p.bill.r)));
    }
  });

  it('R, or any chosen point, cannot be submitted as a token', () => {
    const { uc, meter, suite } = setup(id);
    const p = meterPeriod(meter, 1, 2);
    const Rbytes = suite.encodePoint(p.bill.bill.R);
    // the pay message takes (e, ρ) only: a point does not fit it
    rejects('wrong-length', () => decodePayRequest(uc.params, concat(u32(0), Rbytes)));
    // any 32 bytes (here R's x-coordinate) are hashed to the curve: the receipt is a_e·H(ρ), never a_e·R
    const rho = Rbytes.slice(1, 33);
    const receipt = uc.pay(encodePayRequest({ e: p.bill.bill.e, rho }), () => {});
    const a = uc.epochSecretForTests(p.bill.bill.e).a;
    expect(receipt.Z.equals(suite.mul(p.bill.bill.R, a))).toBe(false);
    // settling the unpaid bill with that receipt fails
    const C = receipt.Z.subtract(suite.mul(uc.params.epochKeys.get(p.bill.bill.e)!.A, p.bill.r));
    rejects('combined-receipt-mismatch', () => uc.settle(p.bill.billMessage, p.bill.beta, C));
  });

  it('receipts under an epoch key other than the bill’s', () => {
    const { uc, meter, suite } = setup(id);
    const p = meterPeriod(meter, 1, 3); // epoch 0
    const wrongEpoch = p.tokens.map((t) => uc.pay(encodePayRequest({ e: 1, rho: t.rho }), () => {}));
    const key0 = uc.params.epochKeys.get(0)!;
    rejects('bad-receipt', () => verifyReceipt(suite, key0, p.tokens[0]!.rho, wrongEpoch[0]!));
    if (suite.pairing) rejects('combined-receipt-mismatch', () => combine(suite, key0, wrongEpoch, p.bill.r, p.bill.bill.R));
    rejects('combined-receipt-mismatch', () => uc.settle(p.bill.billMessage, p.bill.beta, rawCombine(uc, wrongEpoch, 0, p.bill.r)));
  });

  it('a bill signed by another meter', () => {
    const { uc, meter } = setup(id);
    const other = makeMeter(uc, 'meter-2');
    const p = meterPeriod(meter, 1, 2);
    const forged = signMessage(other.identityForTests, p.bill.billMessage, new Uint8Array(32));
    rejects('bad-signature', () => uc.settle(p.bill.billMessage, forged, combined(uc, p, payAll(uc, p.tokens))));
  });

  it('a second bill for the same counter, a broken chain, a label that does not increase, a wrong epoch', () => {
    const { uc, meter, suite } = setup(id);
    const first = meterPeriod(meter, 4, 2);
    honestSettle(uc, first);
    const second = meterPeriod(meter, 5, 2);
    const key = meter.identityForTests;
    const resign = (change: Partial<ReturnType<typeof decodeBillMessage>['bill']>) => {
      const msg = encodeBillMessage(suite, { ...second.bill.bill, ...change });
      return { msg, sig: signMessage(key, msg, new Uint8Array(32)) };
    };
    // a restored or faulty meter signs another bill for counter 0
    const dup = encodeBillMessage(suite, { ...first.bill.bill, R: first.bill.bill.R.add(suite.B) });
    rejects('duplicate-bill', () => uc.settle(dup, signMessage(key, dup, new Uint8Array(32)), undefined));
    const broken = resign({ prev: new Uint8Array(32).fill(7) });
    rejects('broken-chain', () => uc.settle(broken.msg, broken.sig, undefined));
    const stale = resign({ periodLabel: 4 });
    rejects('label-not-increasing', () => uc.settle(stale.msg, stale.sig, undefined));
    const wrongE = resign({ e: 0 }); // label 5 is in epoch 1
    rejects('wrong-epoch', () => uc.settle(wrongE.msg, wrongE.sig, undefined));
    const gap = encodeBillMessage(suite, { ...second.bill.bill, c: 2, prev: billHash(second.bill.billMessage) });
    rejects('missing-previous-bill', () => uc.settle(gap, signMessage(key, gap, new Uint8Array(32)), undefined));
    // the honest second bill still settles
    expect(honestSettle(uc, second).status).toBe('settled');
  });

  it('a bill settled twice, and a re-signed copy of a settled bill', () => {
    const { uc, meter } = setup(id);
    const p = meterPeriod(meter, 1, 3);
    const C = combined(uc, p, payAll(uc, p.tokens));
    uc.settle(p.bill.billMessage, p.bill.beta, C);
    rejects('already-settled', () => uc.settle(p.bill.billMessage, p.bill.beta, C));
    const resigned = signMessage(meter.identityForTests, p.bill.billMessage, new Uint8Array(32).fill(9));
    expect(Buffer.from(resigned).equals(Buffer.from(p.bill.beta))).toBe(false);
    rejects('already-settled', () => uc.settle(p.bill.billMessage, resigned, C));
  });

  it('a tampered combined receipt', () => {
    const { uc, meter, suite } = setup(id);
    const p = meterPeriod(meter, 1, 3);
    const C = combined(uc, p, payAll(uc, p.tokens));
    rejects('combined-receipt-mismatch', () => uc.settle(p.bill.billMessage, p.bill.beta, C.add(suite.B)));
    rejects('combined-receipt-mismatch', () => uc.settle(p.bill.billMessage, p.bill.beta, C.double()));
    expect(uc.settle(p.bill.billMessage, p.bill.beta, C).status).toBe('settled');
  });

  it('a receipt that does not match the pinned key is caught by the wallet', () => {
    const { uc, meter, suite } = setup(id);
    const p = meterPeriod(meter, 1, 1);
    const t = p.tokens[0]!;
    // a UC answering under a key it did not publish
    const rogue = { e: t.e, a: 12345n, A: suite.mul(suite.B, 12345n), A2: suite.pairing?.mulB2(12345n) };
    const receipt = issueReceipt(suite, rogue, t.rho, drbg('rogue'));
    rejects('bad-receipt', () => verifyReceipt(suite, uc.params.epochKeys.get(t.e)!, t.rho, receipt));
    // a receipt with a tampered Z and the honest proof
    const honest = uc.pay(encodePayRequest({ e: t.e, rho: t.rho }), () => {});
    rejects('bad-receipt', () => verifyReceipt(suite, uc.params.epochKeys.get(t.e)!, t.rho, { ...honest, Z: honest.Z.add(suite.B) }));
  });

  it('a high-s bill signature', () => {
    const { uc, meter } = setup(id);
    const p = meterPeriod(meter, 1, 1);
    const s = bytesToBigInt(p.bill.beta.subarray(32));
    const highS = concat(p.bill.beta.subarray(0, 32), bigIntToBytes(N - s, 32));
    expect(p256.verify(highS, p.bill.billMessage, meter.vkM, { lowS: false })).toBe(true); // valid but malleated
    rejects('high-s', () => uc.settle(p.bill.billMessage, highS, combined(uc, p, payAll(uc, p.tokens))));
  });

  it('a dispute opening the bill with fewer or other ρs than n', () => {
    const { uc, meter } = setup(id);
    const p = meterPeriod(meter, 1, 4);
    const q = meterPeriod(meter, 2, 4);
    const rhos = p.tokens.map((t) => t.rho);
    const b = p.bill;
    rejects('dispute-mismatch', () => uc.dispute(b.billMessage, b.beta, b.disputeMessage, b.disputeSig, rhos.slice(1)));
    rejects('dispute-mismatch', () => uc.dispute(b.billMessage, b.beta, b.disputeMessage, b.disputeSig, [q.tokens[0]!.rho, ...rhos.slice(1)]));
    rejects('dispute-mismatch', () => uc.dispute(b.billMessage, b.beta, b.disputeMessage, b.disputeSig, [rhos[0]!, rhos[0]!, rhos[1]!, rhos[2]!]));
    rejects('period-mismatch', () => uc.dispute(b.billMessage, b.beta, q.bill.disputeMessage, q.bill.disputeSig, rhos));
    // an honest dispute: 2 of 4 were paid, 2 are owed openly, and the counter closes
    payAll(uc, p.tokens.slice(0, 2));
    const out = uc.dispute(b.billMessage, b.beta, b.disputeMessage, b.disputeSig, rhos);
    expect(out.credited).toBe(2);
    expect(out.owed).toBe(2);
    rejects('already-settled', () => uc.settle(b.billMessage, b.beta, combined(uc, p, payAll(uc, p.tokens))));
  });
});

describe.each(SUITE_IDS)('%s: payments', (id) => {
  it('a token paid twice returns the same receipt and spends nothing; a coin-less lookup returns it', () => {
    const { uc, meter, suite } = setup(id);
    const p = meterPeriod(meter, 1, 2);
    const t = p.tokens[0]!;
    const req = encodePayRequest({ e: t.e, rho: t.rho });
    let spent = 0;
    const first = uc.pay(req, () => spent++);
    const again = uc.pay(req, () => spent++);
    expect(spent).toBe(1);
    expect(suite.encodePoint(again.Z)).toEqual(suite.encodePoint(first.Z));
    const looked = uc.lookup(t.e, t.rho);
    expect(looked && suite.encodePoint(looked.Z)).toEqual(suite.encodePoint(first.Z));
    expect(uc.lookup(t.e, p.tokens[1]!.rho)).toBeUndefined();
  });

  it('UC-facing messages carry nothing derived from n, i or c', () => {
    const { meter } = setup(id);
    const small = meterPeriod(meter, 1, 1);
    const big = meterPeriod(meter, 2, 40);
    for (const t of [...small.tokens, ...big.tokens]) {
      const req = encodePayRequest({ e: t.e, rho: t.rho });
      expect(req.length).toBe(PAY_REQUEST_LENGTH);
      // exactly u32(e) ‖ ρ: no counter or index field anywhere
      expect(req).toEqual(concat(u32(t.e), t.rho));
    }
    // ρ_i are pseudorandom: all distinct, none a function of i visible in the bytes
    const rhos = new Set(big.tokens.map((t) => Buffer.from(t.rho).toString('hex')));
    expect(rhos.size).toBe(40);
    // the settle message has the same length for n = 1 and n = 40 and does not contain u32(n)
    expect(small.bill.billMessage.length).toBe(big.bill.billMessage.length);
    expect(Buffer.from(big.bill.billMessage).includes(Buffer.from(u32(40)))).toBe(false);
  });
});
