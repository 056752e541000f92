// The meter's persistent state and its byte layout (the body stored by store.ts).
//
// Three A/B stores (store.ts), so the write made for every token stays small (~140 B):
// identity ("sip.id"): κ (32) ‖ identity key seed (32) ‖ vkM (33)
// state ("sip.st"):    u32 bootSeq ‖ u32 recordSeq ‖ u8 status
//                      ‖ current: u32 c ‖ u32 periodLabel ‖ u32 e ‖ u32 tariffVersion ‖ seed (32) ‖ u32 n
//                                 ‖ u32 j ‖ lp(S_j encoded, empty while S_j is the identity) ‖ u32 carried µunits
//                      ‖ prev (32: SHA-256 of the last billMessage, zero before the first bill)
// last bill ("sip.bl"): u32 c ‖ u32 periodLabel ‖ u32 e ‖ u32 n ‖ u8 final ‖ seed (32) ‖ r (32)
//                      ‖ lp(billMessage) ‖ β (64) ‖ lp(disputeMessage) ‖ disputeSig (64)
// BillGen writes the last bill first, then the state with the next period; a boot that finds the
// last bill's c equal to the state's open c completes that switch (the bill is never re-signed).
import { concat, EMPTY, lp, decode, take, takeLp, takeU32, takeU8, u32, u8 } from './bytes.ts';

export interface Identity {
  kappa: Uint8Array;
  keySeed: Uint8Array;
  vkM: Uint8Array;
}

export function encodeIdentity(kappa: Uint8Array, keySeed: Uint8Array, vkM: Uint8Array): Uint8Array {
  return concat([kappa, keySeed, vkM]);
}

export function decodeIdentity(b: Uint8Array): Identity {
  return decode(b, () => ({ kappa: take(32), keySeed: take(32), vkM: take(33) }));
}

/** The open billing period. */
export interface Period {
  c: number;
  periodLabel: number;
  e: number;
  tariffVersion: number;
  seed: Uint8Array;
  /** Tokens issued (the count that goes into the bill). */
  n: number;
  /** Fold checkpoint: sJ = Σ_{i<j} H(ρ_i) − r·B, encoded; empty before the first checkpoint (j = 0). */
  j: number;
  sJ: Uint8Array;
  /** Owed fraction of a unit not yet issued, in millionths. */
  carried: number;
}

/** A period that opens now: nothing issued, nothing folded. */
export function newPeriod(c: number, periodLabel: number, e: number, tariffVersion: number, seed: Uint8Array): Period {
  return { c: c, periodLabel: periodLabel, e: e, tariffVersion: tariffVersion, seed: seed, n: 0, j: 0, sJ: EMPTY, carried: 0 };
}

/** The last closed period, kept replayable until the next bill. */
export interface Closed {
  c: number;
  periodLabel: number;
  e: number;
  n: number;
  /** The final bill before replacement: the meter is retired after it. */
  final: boolean;
  seed: Uint8Array;
  r: Uint8Array;
  billMessage: Uint8Array;
  beta: Uint8Array;
  disputeMessage: Uint8Array;
  disputeSig: Uint8Array;
}

export interface MeterState {
  bootSeq: number;
  recordSeq: number;
  status: number;
  cur: Period;
  prev: Uint8Array;
  /** From the last-bill store. */
  closed: Closed | null;
}

/** The state before anything was stored: period `cur` is the first. */
export function newState(cur: Period): MeterState {
  return { bootSeq: 0, recordSeq: 0, status: 0, cur: cur, prev: new Uint8Array(32), closed: null };
}

/**
 * The state image, written field by field into one buffer: it is encoded for every token, and one
 * DataView call per field costs the interpreter less than a function call and an array per field.
 */
export function encodeState(s: MeterState): Uint8Array {
  'ram';
  const p = s.cur;
  const sj = p.sJ;
  const b = new Uint8Array(103 + sj.length);
  const v = new DataView(b.buffer);
  v.setUint32(0, s.bootSeq);
  v.setUint32(4, s.recordSeq);
  b[8] = s.status;
  v.setUint32(9, p.c);
  v.setUint32(13, p.periodLabel);
  v.setUint32(17, p.e);
  v.setUint32(21, p.tariffVersion);
  b.set(p.seed, 25);
  v.setUint32(57, p.n);
  v.setUint32(61, p.j);
  v.setUint16(65, sj.length);
  b.set(sj, 67);
  v.setUint32(67 + sj.length, p.carried);
  b.set(s.prev, 71 + sj.length);
  return b;
}

/** The last bill of period p, as BillGen made it. */
export function encodeClosed(
  p: Period, final: boolean, r: Uint8Array, billMessage: Uint8Array, beta: Uint8Array, disputeMessage: Uint8Array, disputeSig: Uint8Array,
): Uint8Array {
  return concat([
    u32(p.c), u32(p.periodLabel), u32(p.e), u32(p.n), u8(+final), p.seed, r, lp(billMessage), beta, lp(disputeMessage), disputeSig,
  ]);
}

export function decodeClosed(b: Uint8Array): Closed {
  return decode(b, () => ({
    c: takeU32(), periodLabel: takeU32(), e: takeU32(), n: takeU32(), final: takeU8() === 1, seed: take(32), r: take(32),
    billMessage: takeLp(), beta: take(64), disputeMessage: takeLp(), disputeSig: take(64),
  }));
}

export function decodeState(b: Uint8Array): MeterState {
  return decode(b, (): MeterState => ({
    bootSeq: takeU32(), recordSeq: takeU32(), status: takeU8(),
    cur: {
      c: takeU32(), periodLabel: takeU32(), e: takeU32(), tariffVersion: takeU32(), seed: take(32),
      n: takeU32(), j: takeU32(), sJ: takeLp(), carried: takeU32(),
    },
    prev: take(32),
    closed: null,
  }));
}
