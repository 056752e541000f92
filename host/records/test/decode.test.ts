// The host decoder is strict: every record type round-trips from the firmware's encoders, and any
// malformed payload is a typed RecordDecodeError, never a crash or an accepted value.
import { describe, expect, it } from 'vitest';
import { concat } from '../../protocol/bytes.ts';
import { encodeBillMessage, encodeDisputeMessage, encodeFaultMessage, encodeHandoverMessage, billHash } from '../../protocol/messages.ts';
import { getSuite } from '../../protocol/suite.ts';
import {
  billBody, bootBody, faultBody, handoverBody, recordHeader, replayBody, timingBody, tokenBody,
  REC_BILL, REC_BOOT, REC_FAULT, REC_HANDOVER, REC_REPLAY, REC_TIMING, REC_TOKEN, NONE,
} from '../../../firmware/src/records.ts';
import { decodeRecord, type MeterRecord } from '../decode.ts';
import { RecordDecodeError, type RecordErrorCode } from '../errors.ts';

const suite = getSuite('P256-SHA256');
const ascii = (s: string) => new TextEncoder().encode(s);
const bytes = (n: number, v: number) => new Uint8Array(n).fill(v);
const vk = suite.encodePoint(suite.mul(suite.B, 5n));
const R = suite.mul(suite.B, 7n);
const billMessage = encodeBillMessage(suite, { meterId: 'm-1', c: 4, periodLabel: 99, e: 4, R, tariffVersion: 2, prev: bytes(32, 1) });
const disputeMessage = encodeDisputeMessage(suite, { meterId: 'm-1', c: 4, n: 12, r: 3n, billHash: billHash(billMessage) });
const rBytes = suite.encodeScalar(3n);

const payloads: Record<MeterRecord['kind'], Uint8Array> = {
  boot: concat(recordHeader(REC_BOOT, 1, 0), bootBody(
    bytes(32, 9), ascii('P256-SHA256'), ascii('m-1'), vk, true, true, 0, 4, 99, 12, 11, 3, 2,
  )),
  token: concat(recordHeader(REC_TOKEN, 1, 1), tokenBody(1, 4, 11, 4, 99, bytes(32, 7))),
  bill: concat(recordHeader(REC_BILL, 1, 2), billBody(0, billMessage, bytes(64, 2), rBytes, 12, disputeMessage, bytes(64, 3))),
  fault: concat(recordHeader(REC_FAULT, 1, 3), faultBody(1, encodeFaultMessage(suite, { meterId: 'm-1', code: 1, c: 4, detail: 'boot' }), bytes(64, 4))),
  timing: concat(recordHeader(REC_TIMING, 1, 4), timingBody(1, 4, 11, 1234, { mul: 500, inv: 1 })),
  handover: concat(recordHeader(REC_HANDOVER, 1, 5), handoverBody(encodeHandoverMessage(suite, { meterId: 'm-1', oldVkM: vk, lastC: 4, lastBillHash: billHash(billMessage), newVkM: vk }), bytes(64, 5))),
  replay: concat(recordHeader(REC_REPLAY, 1, 6), replayBody(1, 5, NONE, 13)),
};

function rejects(payload: Uint8Array, code: RecordErrorCode): void {
  let err: unknown;
  try { decodeRecord(payload); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(RecordDecodeError);
  expect((err as RecordDecodeError).code).toBe(code);
}

describe('record decoder', () => {
  it('decodes every record type from the firmware encoders', () => {
    const rs = Object.values(payloads).map(decodeRecord);
    expect(rs.map((r) => [r.kind, r.bootSeq, r.recordSeq])).toEqual(Object.keys(payloads).map((k, i) => [k, 1, i]));
    expect(rs[0]).toMatchObject({ meterId: 'm-1', production: true, closedC: 3, n: 12, j: 11, status: 'operating' });
    expect(rs[1]).toMatchObject({ replay: true, c: 4, i: 11, e: 4, periodLabel: 99 });
    expect(rs[2]).toMatchObject({ r: 3n, n: 12, bill: { c: 4, periodLabel: 99 }, dispute: { n: 12 } });
    expect(rs[3]).toMatchObject({ reason: 'state-corrupt', fault: { detail: 'boot' } });
    expect(rs[4]).toMatchObject({ op: 'token-online', micros: 1234, counts: { mul: 500, inv: 1 } });
    expect(rs[5]).toMatchObject({ handover: { lastC: 4 } });
    expect(rs[6]).toMatchObject({ phase: 'end', c: 5, closedC: null, count: 13 });
  });

  it('rejects every truncation and any trailing byte of every record type', () => {
    for (const p of Object.values(payloads)) {
      for (let len = 0; len < p.length; len++) expect(() => decodeRecord(p.subarray(0, len))).toThrow(RecordDecodeError);
      rejects(concat(p, Uint8Array.of(0)), 'trailing-bytes');
    }
  });

  it('rejects unknown types, flags, codes and bad field values with typed errors', () => {
    rejects(concat(Uint8Array.of(0x42), bytes(8, 0)), 'unknown-type');
    const token = payloads.token.slice(); token[9] = 2;
    rejects(token, 'bad-flags');
    const replay = payloads.replay.slice(); replay[9] = 7;
    rejects(replay, 'bad-value');
    const timing = payloads.timing.slice(); timing[9] = 99;
    rejects(timing, 'bad-value');
    rejects(concat(recordHeader(REC_FAULT, 1, 3), faultBody(77, encodeFaultMessage(suite, { meterId: 'm-1', code: 77, c: 0, detail: '' }), new Uint8Array(0))), 'bad-value');
    rejects(concat(recordHeader(REC_FAULT, 1, 3), faultBody(1, encodeFaultMessage(suite, { meterId: 'm-1', code: 2, c: 0, detail: '' }), new Uint8Array(0))), 'bad-value');
    rejects(concat(recordHeader(REC_FAULT, 1, 3), faultBody(1, encodeFaultMessage(suite, { meterId: 'm-1', code: 1, c: 0, detail: '' }), bytes(63, 1))), 'bad-length');
    const boot = payloads.boot.slice(); boot.set(ascii('P256\x01SHA256'), 9 + 34 + 2);
    rejects(boot, 'bad-value');
  });

  it('rejects bills whose inner messages or scalar are malformed or disagree', () => {
    const off = 9 + 1 + 2 + billMessage.length + 64;
    const zeroR = payloads.bill.slice(); zeroR.fill(0, off, off + 32);
    rejects(zeroR, 'bad-value');
    const bigR = payloads.bill.slice(); bigR.fill(0xff, off, off + 32);
    rejects(bigR, 'bad-message');
    const badPoint = payloads.bill.slice(); badPoint[9 + 1 + 2 + 2 + 15 + 2 + 11 + 2 + 3 + 12] ^= 0xff;
    rejects(badPoint, 'bad-message');
    const otherN = concat(recordHeader(REC_BILL, 1, 2), billBody(0, billMessage, bytes(64, 2), rBytes, 13, disputeMessage, bytes(64, 3)));
    rejects(otherN, 'bad-value');
    const swapped = concat(recordHeader(REC_BILL, 1, 2), billBody(0, disputeMessage, bytes(64, 2), rBytes, 12, billMessage, bytes(64, 3)));
    rejects(swapped, 'bad-message');
  });
});
