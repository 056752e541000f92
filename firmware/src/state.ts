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
import { ByteReader, concat, lp, u32, u8 } from './bytes.ts';

export class Identity {
  kappa: Uint8Array;
  keySeed: Uint8Array;
  vkM: Uint8Array;
  constructor(kappa: Uint8Array, keySeed: Uint8Array, vkM: Uint8Array) {
    this.kappa = kappa; this.keySeed = keySeed; this.vkM = vkM;
  }
}

export function encodeIdentity(id: Identity): Uint8Array {
  return concat([id.kappa, id.keySeed, id.vkM]);
}

export function decodeIdentity(b: Uint8Array): Identity {
  const r = new ByteReader(b);
  const id = new Identity(r.take(32), r.take(32), r.take(33));
  r.end();
  return id;
}

/** The open billing period. */
export class Period {
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
  constructor(c: number, periodLabel: number, e: number, tariffVersion: number, seed: Uint8Array) {
    this.c = c; this.periodLabel = periodLabel; this.e = e; this.tariffVersion = tariffVersion; this.seed = seed;
    this.n = 0; this.j = 0; this.sJ = new Uint8Array(0); this.carried = 0;
  }
}

/** The last closed period, kept replayable until the next bill. */
export class Closed {
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
  constructor(p: Period, final: boolean, r: Uint8Array, billMessage: Uint8Array, beta: Uint8Array, disputeMessage: Uint8Array, disputeSig: Uint8Array) {
    this.c = p.c; this.periodLabel = p.periodLabel; this.e = p.e; this.n = p.n; this.final = final; this.seed = p.seed;
    this.r = r; this.billMessage = billMessage; this.beta = beta; this.disputeMessage = disputeMessage; this.disputeSig = disputeSig;
  }
}

export class MeterState {
  bootSeq: number;
  recordSeq: number;
  status: number;
  cur: Period;
  prev: Uint8Array;
  /** From the last-bill store. */
  closed: Closed | null;
  constructor(cur: Period) {
    this.bootSeq = 0; this.recordSeq = 0; this.status = 0; this.cur = cur; this.prev = new Uint8Array(32); this.closed = null;
  }
}

export function encodeState(s: MeterState): Uint8Array {
  const p = s.cur;
  const parts = [
    u32(s.bootSeq), u32(s.recordSeq), u8(s.status),
    u32(p.c), u32(p.periodLabel), u32(p.e), u32(p.tariffVersion), p.seed, u32(p.n), u32(p.j), lp(p.sJ), u32(p.carried),
    s.prev,
  ];
  return concat(parts);
}

export function encodeClosed(k: Closed): Uint8Array {
  return concat([
    u32(k.c), u32(k.periodLabel), u32(k.e), u32(k.n), u8(k.final ? 1 : 0), k.seed, k.r,
    lp(k.billMessage), k.beta, lp(k.disputeMessage), k.disputeSig,
  ]);
}

export function decodeClosed(b: Uint8Array): Closed {
  const r = new ByteReader(b);
  const p = new Period(r.u32(), r.u32(), r.u32(), 0, new Uint8Array(0));
  p.n = r.u32();
  const final = r.u8() === 1;
  p.seed = r.take(32);
  const rr = r.take(32);
  const billMessage = r.lp();
  const beta = r.take(64);
  const disputeMessage = r.lp();
  const k = new Closed(p, final, rr, billMessage, beta, disputeMessage, r.take(64));
  r.end();
  return k;
}

export function decodeState(b: Uint8Array): MeterState {
  const r = new ByteReader(b);
  const bootSeq = r.u32();
  const recordSeq = r.u32();
  const status = r.u8();
  const p = new Period(r.u32(), r.u32(), r.u32(), r.u32(), r.take(32));
  p.n = r.u32();
  p.j = r.u32();
  p.sJ = r.lp();
  p.carried = r.u32();
  const s = new MeterState(p);
  s.bootSeq = bootSeq; s.recordSeq = recordSeq; s.status = status;
  s.prev = r.take(32);
  r.end();
  return s;
}
