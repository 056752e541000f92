// The payload bytes a meter framed for a record, re-encoded with the firmware's own encoders
// (the reference meter hands out decoded records only), for recorded-stream files in tests.
import { billBody, recordHeader, tokenBody, REC_BILL, REC_TOKEN } from '../../../firmware/src/records.ts';
import { concat } from '../../protocol/index.ts';
import type { MeterRecord } from '../../records/decode.ts';
import { encodeFrame } from '../../serial/frame.ts';

export function payloadOf(r: MeterRecord): Uint8Array {
  if (r.kind === 'token') return concat(recordHeader(REC_TOKEN, r.bootSeq, r.recordSeq), tokenBody(r.replay ? 1 : 0, r.c, r.i, r.e, r.periodLabel, r.rho));
  if (r.kind === 'bill') return concat(recordHeader(REC_BILL, r.bootSeq, r.recordSeq), billBody(r.replay ? 1 : 0, r.billMessage, r.beta, r.suite.encodeScalar(r.r), r.n, r.disputeMessage, r.disputeSig));
  throw new Error(`no encoder for ${r.kind} records in the tests`);
}

/** A recorded stream: the framed records with console noise between them, as captured from a port. */
export function recordedStream(records: readonly MeterRecord[]): Buffer {
  return Buffer.concat([Buffer.from('Espruino console noise\r\n'), ...records.map((r) => encodeFrame(payloadOf(r)))]);
}
