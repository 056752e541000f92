// The meter application: boot (self-test, identity, state), TokenGen per unit owed with the
// background fold, BillGen at period end or on the final-bill trigger, replay on the
// troubleshooting signal, fail-closed faults. Ordering rule throughout: state that counts or
// commits to something is written (both A/B copies, read back) before any record about it leaves.
import { ascii, ByteReader, equal, toHex } from './bytes.ts';
import { fromBinary, hwRand, lockConsole, now, readFlashBytes, storage, watchPin } from './board.ts';
import {
  ecdsaKeyFromSeed, ecdsaSignManyVerified, ecdsaVerify, opCounts, pointAdd, pointDecode, pointEncode, resetOpCounts, sha256,
  setBaseTable, type Point,
} from './crypto/index.ts';
import {
  billMessage, billOffset, billScalar, disputeMessage, faultMessage, handoverMessage, periodSeed, SUITE_ID, tokenPoint, tokenRho,
} from './derive.ts';
import { firmwareHash } from './firmware-hash.ts';
import { runKat } from './kat.ts';
import { Output } from './output.ts';
import { Provisioning, PROVISIONING_FILE } from './provision.ts';
import {
  billBody, bootBody, FAULT_FLASH_WRITE, FAULT_IDENTITY_CORRUPT, FAULT_INTERNAL, FAULT_KAT, FAULT_PROVISIONING, FAULT_RNG_HEALTH,
  FAULT_SIGNATURE, FAULT_STATE_CORRUPT, faultBody, FLAG_REPLAY, handoverBody, NONE, OP_BILLGEN, OP_BOOT_KAT, OP_FOLD, OP_SIGN,
  OP_TOKEN_ONLINE, REC_BILL, REC_BOOT, REC_FAULT, REC_HANDOVER, REC_REPLAY, REC_TIMING, REC_TOKEN, replayBody,
  STATUS_FAULT, STATUS_OPERATING, STATUS_RETIRED, timingBody, tokenBody,
} from './records.ts';
import { HealthTestedRng } from './rng.ts';
import {
  Closed, decodeClosed, decodeIdentity, decodeState, encodeClosed, encodeIdentity, encodeState, Identity, MeterState, Period,
} from './state.ts';
import { ABStore, LOAD_CORRUPT, LOAD_EMPTY } from './store.ts';

/** Storage file holding the successor's vkM (33 B), written at replacement for the handover record. */
const SUCCESSOR_FILE = 'sip.next';
/** Storage file with the comb table of B (crypto/tools/gen-base-table.ts), read memory-mapped; the flashed crypto has no other. */
const BASE_TABLE_FILE = 'sip.base';
/** Fold checkpoints every this many terms (each costs a point encoding, i.e. an inversion). */
const CHECKPOINT_EVERY = 8;
const UNIT = 1000000;
/** Longest sleep before the period clock is looked at again (ms). */
const CLOCK_POLL_MS = 60000;

declare function setTimeout(cb: () => void, ms: number): unknown;
declare function setInterval(cb: () => void, ms: number): unknown;

export class Meter {
  private readonly out: Output;
  private readonly rng: HealthTestedRng;
  private readonly idStore: ABStore;
  private readonly stStore: ABStore;
  private readonly billStore: ABStore;
  private prov: Provisioning | null;
  private meterId: string;
  private id: Identity | null;
  private sk: Uint8Array | null;
  private st: MeterState | null;
  private status: number;
  private katOk: boolean;
  /**
   * In-RAM fold: S = Σ_{i<j} H(ρ_i) − r·B, or null until the period's first background step has
   * computed −r·B (the bill's fixed-base product, paid when the period opens instead of in the
   * bill's latency). Checkpoints store this S; at the period's end it is R.
   */
  private S: Point | null;
  private j: number;
  private sinceCheckpoint: number;
  private folding: boolean;
  private closing: boolean;
  private finalPending: boolean;
  private replaying: boolean;
  private heldWh: number;
  /** A fault record went out: nothing more until a reboot. */
  private faulted: boolean;

  constructor() {
    this.out = new Output();
    this.rng = new HealthTestedRng();
    this.idStore = new ABStore('sip.id');
    this.stStore = new ABStore('sip.st');
    this.billStore = new ABStore('sip.bl');
    this.prov = null; this.meterId = '-'; this.id = null; this.sk = null; this.st = null;
    this.status = STATUS_FAULT; this.katOk = false;
    this.S = null; this.j = 0; this.sinceCheckpoint = 0;
    this.folding = false; this.closing = false; this.finalPending = false; this.replaying = false; this.heldWh = 0;
    this.faulted = false;
  }

  /** Every entry point (boot, pins, timers) runs guarded. */
  boot(): void {
    this.guard(() => this.start());
  }

  /** `fn` as a guarded callback, for pin watches and timers. */
  private guarded(fn: () => void): () => void {
    return () => this.guard(fn);
  }

  /**
   * An unexpected exception (a flash or RAM error, say) fails closed: one fault record, nothing more
   * until a reboot, which starts again from the A/B copies in flash.
   */
  private guard(fn: () => void): void {
    if (this.faulted) return;
    try {
      fn();
    } catch (err) {
      if (this.faulted) return;
      try { this.fault(FAULT_INTERNAL, 'exception'); } catch (err2) { this.faulted = true; this.status = STATUS_FAULT; }
    }
  }

  private start(): void {
    const fw = firmwareHash();
    loadBaseTable();
    const t0 = now();
    resetOpCounts();
    this.katOk = runKat();
    const katEnd = now();
    const fault = this.bootState();
    // Locked before anything is said on the port, also when the boot failed.
    if (this.prov && this.prov.production) lockConsole(consolePassword());
    this.emitBoot(fw);
    this.timing(OP_BOOT_KAT, 0, 0, t0, katEnd);
    if (fault !== 0) { this.fault(fault, 'boot'); return; }
    const st = this.st!;
    if (this.status === STATUS_RETIRED) { this.handover(); return; }
    const p = this.prov!;
    const pulse = this.guarded(() => this.pulse());
    if (p.pulsePin) watchPin(p.pulsePin, pulse);
    if (p.replayPin) watchPin(p.replayPin, this.guarded(() => this.replay()));
    if (p.finalBillPin) watchPin(p.finalBillPin, this.guarded(() => this.finalBill()));
    if (p.testLoadMs > 0) setInterval(pulse, p.testLoadMs);
    this.S = st.cur.sJ.length ? pointDecode(st.cur.sJ) : null;
    this.j = st.cur.j;
    this.fold();
    this.clock();
  }

  /** Loads provisioning, identity and state; returns a fault code (0 = operating or retired). */
  private bootState(): number {
    const raw = storage().read(PROVISIONING_FILE);
    try {
      this.prov = raw === undefined ? null : new Provisioning(new ByteReader(fromBinary(raw)));
    } catch (err) {
      this.prov = null;
    }
    const p = this.prov;
    if (!p) return FAULT_PROVISIONING;
    this.meterId = p.meterId;
    if (!this.katOk) return FAULT_KAT;
    if (!ecdsaVerify(p.ucKey, p.tariffMessage, p.tariffSig)) return FAULT_PROVISIONING;
    if (!this.rng.startup()) return FAULT_RNG_HEALTH;
    const idl = this.idStore.load();
    if (idl.status === LOAD_CORRUPT) return FAULT_IDENTITY_CORRUPT;
    if (idl.status === LOAD_EMPTY) {
      const kappa = this.rng.bytes(32);
      let keySeed: Uint8Array | null;
      let key: { sk: Uint8Array; pk: Uint8Array } | null;
      do { keySeed = this.rng.bytes(32); key = keySeed ? keyFromSeed(keySeed) : null; } while (keySeed && !key);
      if (!kappa || !keySeed || !key) return FAULT_RNG_HEALTH;
      this.id = new Identity(kappa, keySeed, key.pk);
      if (!this.idStore.save(encodeIdentity(this.id))) return FAULT_FLASH_WRITE;
    } else {
      try { this.id = decodeIdentity(idl.body!); } catch (err) { return FAULT_IDENTITY_CORRUPT; }
      // Rewriting both copies repairs one that went bad since the last boot.
      if (!this.idStore.save(idl.body!)) return FAULT_FLASH_WRITE;
    }
    const key = keyFromSeed(this.id.keySeed);
    if (!key || !equal(key.pk, this.id.vkM)) return FAULT_IDENTITY_CORRUPT;
    this.sk = key.sk;
    const stl = this.stStore.load();
    if (stl.status === LOAD_CORRUPT) return FAULT_STATE_CORRUPT;
    let st: MeterState;
    if (stl.status === LOAD_EMPTY) {
      // No state was ever stored, so no seed was ever used: period 0 starts here.
      const label = Math.max(0, p.periodLabelAt(now()));
      const cur = this.openPeriod(0, label);
      if (!cur) return FAULT_RNG_HEALTH;
      st = new MeterState(cur);
    } else {
      try { st = decodeState(stl.body!); } catch (err) { return FAULT_STATE_CORRUPT; }
    }
    const bl = this.billStore.load();
    if (bl.status === LOAD_CORRUPT) return FAULT_STATE_CORRUPT;
    if (bl.body) {
      try { st.closed = decodeClosed(bl.body); } catch (err) { return FAULT_STATE_CORRUPT; }
      if (!this.billStore.save(bl.body)) return FAULT_FLASH_WRITE;
    }
    this.st = st;
    if (st.closed && st.closed.c === st.cur.c && !this.switchPeriod(st.closed)) return FAULT_RNG_HEALTH;
    st.bootSeq = (st.bootSeq + 1) >>> 0;
    this.out.bootSeq = st.bootSeq;
    this.out.seq = st.recordSeq;
    if (!this.save(p.timing ? 2 : 1)) return FAULT_FLASH_WRITE;
    this.status = st.status === STATUS_RETIRED ? STATUS_RETIRED : STATUS_OPERATING;
    return 0;
  }

  private openPeriod(c: number, label: number): Period | null {
    const p = this.prov!;
    const rnd = this.rng.bytes(32);
    if (!rnd) return null;
    const seed = periodSeed(this.id!.kappa, rnd, this.meterId, this.id!.vkM, c);
    return new Period(c, label, p.epochOf(label), p.tariff.version, seed);
  }

  /** Persists the state; `following` records will leave right after it (their recordSeq is reserved). */
  private save(following: number): boolean {
    const st = this.st!;
    st.recordSeq = (this.out.seq + following) >>> 0;
    return this.stStore.save(encodeState(st));
  }

  private emitBoot(fw: Uint8Array): void {
    const st = this.st;
    const p = this.prov;
    this.out.emit(REC_BOOT, bootBody({
      fwHash: fw, suiteId: ascii(p ? p.suiteId : SUITE_ID), meterId: ascii(this.meterId), vkM: this.id ? this.id.vkM : new Uint8Array(0),
      katOk: this.katOk, production: p ? p.production : false, status: this.status,
      c: st ? st.cur.c : 0, periodLabel: st ? st.cur.periodLabel : 0, n: st ? st.cur.n : 0, j: st ? st.cur.j : 0,
      closedC: st && st.closed ? st.closed.c : NONE, tariffVersion: st ? st.cur.tariffVersion : 0,
    }));
  }

  /** Fail closed: one fault record (signed if the identity key is intact), then nothing more is issued. */
  private fault(code: number, detail: string): void {
    this.status = STATUS_FAULT;
    this.faulted = true;
    const msg = faultMessage({ meterId: this.meterId, code: code, c: this.st ? this.st.cur.c : 0, detail: detail });
    const sigs = this.sk && this.katOk ? this.sign([msg]) : null;
    this.out.emit(REC_FAULT, faultBody(code, msg, sigs ? sigs[0]! : new Uint8Array(0)));
  }

  /** Hedged ECDSA over each message (inversions shared), all verified before use; null if the RNG or a signature failed. */
  private sign(msgs: Uint8Array[]): Uint8Array[] | null {
    const extras: Uint8Array[] = [];
    for (let k = 0; k < msgs.length; k++) {
      const extra = this.rng.bytes(32);
      if (!extra) return null;
      extras.push(extra);
    }
    return ecdsaSignManyVerified(this.sk!, this.id!.vkM, msgs, extras);
  }

  private timing(op: number, c: number, i: number, t0: number, t1?: number): void {
    if (!this.prov || !this.prov.timing) return;
    const micros = Math.min(NONE, Math.round(((t1 === undefined ? now() : t1) - t0) * 1e6));
    const names: Uint8Array[] = [];
    const counts: number[] = [];
    const oc = opCounts as unknown as Record<string, number>;
    for (const k in oc) { names.push(ascii(k)); counts.push(oc[k]!); }
    this.out.emit(REC_TIMING, timingBody(op, c, i, micros, names, counts));
  }

  /** One metered Wh. */
  pulse(): void {
    if (this.status !== STATUS_OPERATING) return;
    const t = now();
    if (this.closing || t >= this.prov!.periodEnd(this.st!.cur.periodLabel)) {
      this.heldWh++;
      this.closePeriod(false);
      return;
    }
    resetOpCounts();
    const cur = this.st!.cur;
    cur.carried += this.prov!.tariff.rateAt(t);
    let k = 0;
    while (cur.carried >= UNIT) { cur.carried -= UNIT; k++; }
    if (k > 0) this.issue(k, t);
  }

  /** TokenGen for k units: count them in flash, then emit each ρ_i at once; the fold follows. */
  private issue(k: number, t0: number): void {
    const cur = this.st!.cur;
    const first = cur.n;
    cur.n += k;
    if (!this.save(k)) { this.fault(FAULT_FLASH_WRITE, 'token'); return; }
    for (let i = first; i < cur.n; i++) this.emitToken(0, cur, i);
    this.timing(OP_TOKEN_ONLINE, cur.c, cur.n - 1, t0);
    this.fold();
  }

  /** Background fold of H(ρ_j) into S, one term per timer tick. */
  private fold(): void {
    if (this.folding) return;
    this.folding = true;
    setTimeout(this.guarded(() => this.foldStep()), 0);
  }

  private foldStep(): void {
    this.folding = false;
    if (this.status === STATUS_FAULT) return;
    const cur = this.st!.cur;
    if (this.S === null) {
      this.S = billOffset(billScalar(cur.seed));
      this.fold();
      return;
    }
    if (this.j < cur.n) {
      const t0 = now();
      resetOpCounts();
      this.S = pointAdd(this.S, tokenPoint(tokenRho(cur.seed, cur.c, this.j)));
      this.j++;
      if (++this.sinceCheckpoint >= CHECKPOINT_EVERY) this.checkpoint();
      this.timing(OP_FOLD, cur.c, this.j - 1, t0);
      if (this.j < cur.n) { this.fold(); return; }
    }
    if (this.closing) this.closePeriod(this.finalPending);
  }

  private checkpoint(): void {
    const cur = this.st!.cur;
    if (cur.j === this.j) return;
    cur.j = this.j;
    cur.sJ = this.j === 0 ? new Uint8Array(0) : pointEncode(this.S!);
    this.sinceCheckpoint = 0;
    if (!this.save(0)) this.fault(FAULT_FLASH_WRITE, 'checkpoint');
  }

  /** Closes the period once the fold has caught up: BillGen, stored before the bill leaves. */
  private closePeriod(final: boolean): void {
    if (this.status !== STATUS_OPERATING) return;
    this.closing = true;
    this.finalPending = this.finalPending || final;
    const st = this.st!;
    const cur = st.cur;
    if (this.S === null || this.j < cur.n) { this.fold(); return; }
    const t0 = now();
    resetOpCounts();
    const r = billScalar(cur.seed);
    const msg = billMessage({
      meterId: this.meterId, c: cur.c, periodLabel: cur.periodLabel, e: cur.e, R: pointEncode(this.S), tariffVersion: cur.tariffVersion, prev: st.prev,
    });
    const dmsg = disputeMessage({ meterId: this.meterId, c: cur.c, n: cur.n, r: r, billMessage: msg });
    const ts = now();
    const sigs = this.sign([msg, dmsg]);
    this.timing(OP_SIGN, cur.c, cur.n, ts);
    if (!sigs) { this.fault(FAULT_SIGNATURE, 'bill'); return; }
    const closed = new Closed(cur, this.finalPending, r, msg, sigs[0]!, dmsg, sigs[1]!);
    if (!this.billStore.save(encodeClosed(closed))) { this.fault(FAULT_FLASH_WRITE, 'bill'); return; }
    st.closed = closed;
    if (!this.switchPeriod(closed)) { this.fault(FAULT_RNG_HEALTH, 'seed'); return; }
    const p = this.prov!;
    if (!this.save(p.timing ? 2 : 1)) { this.fault(FAULT_FLASH_WRITE, 'bill'); return; }
    this.S = null; this.j = 0; this.sinceCheckpoint = 0; this.closing = false;
    this.emitBill(0, closed);
    this.timing(OP_BILLGEN, closed.c, closed.n, t0);
    if (st.status === STATUS_RETIRED) { this.status = STATUS_RETIRED; this.handover(); return; }
    const held = this.heldWh;
    this.heldWh = 0;
    for (let k = 0; k < held; k++) this.pulse();
    this.fold(); // the new period's −r·B, in the background
  }

  /** After the bill of `closed` is stored: chain to it and open the next period (false if the RNG failed). */
  private switchPeriod(closed: Closed): boolean {
    const st = this.st!;
    const p = this.prov!;
    const next = this.openPeriod(closed.c + 1, Math.max(p.periodLabelAt(now()), closed.periodLabel + 1));
    if (!next) return false;
    st.prev = sha256(closed.billMessage);
    st.cur = next;
    if (closed.final) st.status = STATUS_RETIRED;
    return true;
  }

  /** Final-bill trigger (before replacement): close now; the meter then issues nothing more. */
  finalBill(): void {
    if (this.status === STATUS_OPERATING) this.closePeriod(true);
  }

  /** Handover to the successor whose vkM the installer stored in SUCCESSOR_FILE. */
  private handover(): void {
    const st = this.st!;
    const raw = storage().read(SUCCESSOR_FILE);
    if (raw === undefined || raw.length !== 33 || !st.closed) return;
    const msg = handoverMessage({ meterId: this.meterId, oldVkM: this.id!.vkM, lastC: st.closed.c, lastBillHash: st.prev, newVkM: fromBinary(raw) });
    const sigs = this.sign([msg]);
    if (sigs) this.out.emit(REC_HANDOVER, handoverBody(msg, sigs[0]!));
  }

  /** Period clock: close when the schedule says the period is over. */
  private clock(): void {
    if (this.status !== STATUS_OPERATING) return;
    const end = this.prov!.periodEnd(this.st!.cur.periodLabel);
    const wait = (end - now()) * 1000;
    if (wait <= 0 && !this.closing) this.closePeriod(false);
    setTimeout(this.guarded(() => this.clock()), wait > 0 ? Math.min(CLOCK_POLL_MS, wait) : 1000);
  }

  /** Troubleshooting signal: re-send the last closed period (tokens, then its bill) and the current one's tokens. */
  replay(): void {
    if (this.replaying || this.status === STATUS_FAULT || !this.st) return;
    this.replaying = true;
    const st = this.st;
    const closed = st.closed;
    const cur = st.cur;
    const curN = cur.n;
    this.out.emit(REC_REPLAY, replayBody(0, cur.c, closed ? closed.c : NONE, 0));
    let sent = 0;
    /** The closed period's tokens and bill are left to send (until its bill went out). */
    let inClosed = closed !== null;
    let i = 0;
    const step = this.guarded((): void => {
      if (inClosed && i < closed!.n) this.emitToken(FLAG_REPLAY, closed!, i++);
      else if (inClosed) { this.emitBill(FLAG_REPLAY, closed!); inClosed = false; i = 0; }
      else if (i < curN) this.emitToken(FLAG_REPLAY, cur, i++);
      else {
        this.out.emit(REC_REPLAY, replayBody(1, cur.c, closed ? closed.c : NONE, sent));
        this.replaying = false;
        return;
      }
      sent++;
      setTimeout(step, 0);
    });
    setTimeout(step, 0);
  }

  /** The token record of unit i of a period (open or closed): ρ_i is derived again from its seed. */
  private emitToken(flags: number, p: Period | Closed, i: number): void {
    this.out.emit(REC_TOKEN, tokenBody(flags, p.c, i, p.e, p.periodLabel, tokenRho(p.seed, p.c, i)));
  }

  /** The bill record of a closed period, from the bytes stored for it (never re-signed). */
  private emitBill(flags: number, k: Closed): void {
    this.out.emit(REC_BILL, billBody(flags, k.billMessage, k.beta, k.r, k.n, k.disputeMessage, k.disputeSig));
  }
}

/** Identity key from 32 RNG bytes, or null if they are not a valid scalar (the caller draws again). */
function keyFromSeed(seed: Uint8Array): { sk: Uint8Array; pk: Uint8Array } | null {
  try { return ecdsaKeyFromSeed(seed); } catch (err) { return null; }
}

/** The comb table of B from flash; without a good one the boot KAT fails (fail closed). */
function loadBaseTable(): void {
  const table = readFlashBytes(BASE_TABLE_FILE);
  if (!table) return;
  try { setBaseTable(table); } catch (err) { /* a bad table is not installed: the KAT then fails */ }
}

/** A password nobody knows, for the locked console (raw hardware RNG words, hashed). */
function consolePassword(): string {
  const w = new Uint8Array(32);
  for (let k = 0; k < 32; k++) w[k] = hwRand() & 255;
  return toHex(sha256(w)).substring(0, 32);
}
