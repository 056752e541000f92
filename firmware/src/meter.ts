// The meter application: boot (self-test, identity, state), TokenGen per unit owed with the
// background fold, BillGen at period end or on the final-bill trigger, replay on the
// troubleshooting signal, fail-closed faults. Ordering rule throughout: state that counts or
// commits to something is written (both A/B copies, read back) before any record about it leaves.
// One meter per firmware run: its state is this module's variables (shorter on the board than an
// object's properties), and boot() is the only entry point.
import { ascii, concat, EMPTY, equal, lp, toHex } from './bytes.ts';
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
import { emit, numberRecords, recordSeq } from './output.ts';
import {
  epochOf, parseProvisioning, periodEnd, periodLabelAt, PROVISIONING_FILE, rateAt, type Provisioning,
} from './provision.ts';
import {
  billBody, bootBody, FAULT_FLASH_WRITE, FAULT_IDENTITY_CORRUPT, FAULT_INTERNAL, FAULT_KAT, FAULT_PROVISIONING, FAULT_RNG_HEALTH,
  FAULT_SIGNATURE, FAULT_STATE_CORRUPT, faultBody, FLAG_REPLAY, handoverBody, NONE, OP_BILLGEN, OP_BOOT, OP_BOOT_KAT, OP_FOLD, OP_SIGN,
  OP_TOKEN_ONLINE, REC_BILL, REC_BOOT, REC_FAULT, REC_HANDOVER, REC_REPLAY, REC_TIMING, REC_TOKEN, replayBody,
  STATUS_FAULT, STATUS_OPERATING, STATUS_RETIRED, timingBody, tokenBody,
} from './records.ts';
import { healthTestedRng, rngStartup } from './rng.ts';
import {
  decodeClosed, decodeIdentity, decodeState, encodeClosed, encodeIdentity, encodeState, newPeriod, newState,
  type Closed, type Identity, type MeterState, type Period,
} from './state.ts';
import { abStore, load, save as saveAB } from './store.ts';

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

const rng = healthTestedRng();
const idStore = abStore('sip.id');
// Saved for every token: 32 slots of 160 B (the state image is ~150 B), written in place (store.ts).
const stStore = abStore('sip.st', 160, 32);
const billStore = abStore('sip.bl');
/**
 * SHA-256 of the firmware and the tariff signature it verified: later boots with the same bytes skip
 * that variable-base verification (1.3 s on the interpreter, about 90 s by the Pico-class estimate).
 */
const tariffStore = abStore('sip.tv');
let prov: Provisioning | null = null;
let meterId = '-';
let id: Identity | null = null;
let sk: Uint8Array | null = null;
let st: MeterState | null = null;
let status = STATUS_FAULT;
let katOk = false;
/**
 * In-RAM fold: S = Σ_{i<j} H(ρ_i) − r·B, or null until the period's first background step has
 * computed −r·B (the bill's fixed-base product, paid when the period opens instead of in the
 * bill's latency). Checkpoints store this S; at the period's end it is R.
 */
let S: Point | null = null;
let j = 0;
let sinceCheckpoint = 0;
let folding = false;
let closing = false;
let finalPending = false;
let replaying = false;
let heldWh = 0;
/** A fault record went out: nothing more until a reboot. */
let faulted = false;

/** Starts the meter. Every entry point (boot, pins, timers) runs guarded. */
export function boot(): void {
  guard(start);
}

/** What the meter holds in RAM, by name (for the RAM estimate of bench/firmware.bench.ts). */
export function heldState(): Record<string, unknown> {
  return {
    recordSeq, rng, idStore, stStore, billStore, tariffStore, prov, meterId, id, sk, st, status, katOk, S, j, sinceCheckpoint,
    folding, closing, finalPending, replaying, heldWh, faulted,
  };
}

/** `fn` as a guarded callback, for pin watches and timers. */
function guarded(fn: () => void): () => void {
  return () => guard(fn);
}

/**
 * An unexpected exception (a flash or RAM error, say) fails closed: one fault record, nothing more
 * until a reboot, which starts again from the A/B copies in flash.
 */
function guard(fn: () => void): void {
  if (faulted) return;
  try {
    fn();
  } catch (err) {
    if (faulted) return;
    try { fault(FAULT_INTERNAL, 'exception'); } catch (err2) { faulted = true; status = STATUS_FAULT; }
  }
}

function start(): void {
  const booted = now();
  const fw = firmwareHash();
  loadBaseTable();
  const t0 = now();
  resetOpCounts();
  katOk = runKat();
  const katEnd = now();
  const code = bootState(fw);
  // Locked before anything is said on the port, also when the boot failed.
  if (prov && prov.production) lockConsole(consolePassword());
  emitBoot(fw);
  timing(OP_BOOT_KAT, 0, 0, t0, katEnd);
  if (code !== 0) { fault(code, 'boot'); return; }
  if (status === STATUS_RETIRED) { handover(); return; }
  const cur = st!.cur;
  // What a power cut can have kept from leaving, re-sent (flagged replay): the open period's last
  // token (a token leaves after the state that counts it) or, before that period's first token,
  // the last bill (it leaves after the state that closes its period).
  if (cur.n) emitToken(FLAG_REPLAY, cur, cur.n - 1);
  else if (st!.closed) emitBill(FLAG_REPLAY, st!.closed);
  const p = prov!;
  const pulseCb = guarded(pulse);
  if (p.pulsePin) watchPin(p.pulsePin, pulseCb);
  if (p.replayPin) watchPin(p.replayPin, guarded(replay));
  if (p.finalBillPin) watchPin(p.finalBillPin, guarded(finalBill));
  if (p.testLoadMs) setInterval(pulseCb, p.testLoadMs);
  S = cur.sJ.length ? pointDecode(cur.sJ) : null;
  j = cur.j;
  fold();
  clock();
  // Boot to ready for the first token (the KAT, the tariff's signature, identity and state).
  timing(OP_BOOT, 0, 0, booted);
}

/** Loads provisioning, identity and state; returns a fault code (0 = operating or retired). */
function bootState(fw: Uint8Array): number {
  const raw = storage().read(PROVISIONING_FILE);
  try {
    prov = raw ? parseProvisioning(fromBinary(raw)) : null;
  } catch (err) {
    prov = null;
  }
  const p = prov;
  if (!p) return FAULT_PROVISIONING;
  meterId = p.meterId;
  if (!katOk) return FAULT_KAT;
  if (!tariffVerified(fw, p)) return FAULT_PROVISIONING;
  if (!rngStartup(rng)) return FAULT_RNG_HEALTH;
  let idBody = load(idStore);
  if (idBody === false) return FAULT_IDENTITY_CORRUPT;
  if (!idBody) {
    const kappa = rng(32);
    let keySeed: Uint8Array | null;
    let key: { sk: Uint8Array; pk: Uint8Array } | null;
    do { keySeed = rng(32); key = keySeed ? keyFromSeed(keySeed) : null; } while (keySeed && !key);
    if (!kappa || !keySeed || !key) return FAULT_RNG_HEALTH;
    idBody = encodeIdentity(kappa, keySeed, key.pk);
  }
  try { id = decodeIdentity(idBody); } catch (err) { return FAULT_IDENTITY_CORRUPT; }
  // Writing both copies stores a new identity, or repairs one that went bad since the last boot.
  if (!saveAB(idStore, idBody)) return FAULT_FLASH_WRITE;
  const key = keyFromSeed(id.keySeed);
  if (!key || !equal(key.pk, id.vkM)) return FAULT_IDENTITY_CORRUPT;
  sk = key.sk;
  const stl = load(stStore);
  if (stl === false) return FAULT_STATE_CORRUPT;
  let s: MeterState;
  if (!stl) {
    // No state was ever stored, so no seed was ever used: period 0 starts here.
    const cur = openPeriod(0, 0);
    if (!cur) return FAULT_RNG_HEALTH;
    s = newState(cur);
  } else {
    try { s = decodeState(stl); } catch (err) { return FAULT_STATE_CORRUPT; }
  }
  const bl = load(billStore);
  if (bl === false) return FAULT_STATE_CORRUPT;
  if (bl) {
    try { s.closed = decodeClosed(bl); } catch (err) { return FAULT_STATE_CORRUPT; }
    if (!saveAB(billStore, bl)) return FAULT_FLASH_WRITE;
  }
  st = s;
  if (s.closed && s.closed.c === s.cur.c && !switchPeriod(s.closed)) return FAULT_RNG_HEALTH;
  s.bootSeq = (s.bootSeq + 1) >>> 0;
  numberRecords(s.bootSeq, s.recordSeq);
  // The boot record, the KAT's and the boot's timing records, and the resend of what a cut may have held back (start()).
  if (!save(2 * +p.timing + (s.cur.n || s.closed ? 2 : 1))) return FAULT_FLASH_WRITE;
  status = s.status === STATUS_RETIRED ? STATUS_RETIRED : STATUS_OPERATING;
  return 0;
}

/**
 * The tariff's signature under ucKey holds: verified, or these very bytes were verified by this
 * firmware at an earlier boot. A missing or damaged record only costs a verification.
 */
function tariffVerified(fw: Uint8Array, p: Provisioning): boolean {
  const h = sha256(concat([fw, p.ucKey, lp(p.tariffMessage), p.tariffSig]));
  const seen = load(tariffStore);
  if (seen && equal(seen, h)) return true;
  if (!ecdsaVerify(p.ucKey, p.tariffMessage, p.tariffSig)) return false;
  saveAB(tariffStore, h);
  return true;
}

/** Period c, labelled by the clock's period but never below `minLabel` (labels strictly increase). */
function openPeriod(c: number, minLabel: number): Period | null {
  const p = prov!;
  const label = Math.max(periodLabelAt(p, now()), minLabel);
  const rnd = rng(32);
  if (!rnd) return null;
  const seed = periodSeed(id!.kappa, rnd, meterId, id!.vkM, c);
  return newPeriod(c, label, epochOf(p, label), p.tariffVersion, seed);
}

/** Persists the state; `following` records will leave right after it (their recordSeq is reserved). */
function save(following: number): boolean {
  'ram';
  const s = st!;
  s.recordSeq = (recordSeq + following) >>> 0;
  return saveAB(stStore, encodeState(s));
}

function emitBoot(fw: Uint8Array): void {
  const s = st;
  const p = prov;
  const cur = s ? s.cur : null;
  emit(REC_BOOT, bootBody(
    fw, ascii(SUITE_ID), ascii(meterId), id ? id.vkM : EMPTY, katOk, p ? p.production : false, status,
    cur ? cur.c : 0, cur ? cur.periodLabel : 0, cur ? cur.n : 0, cur ? cur.j : 0, s && s.closed ? s.closed.c : NONE,
    cur ? cur.tariffVersion : 0,
  ));
}

/** Fail closed: one fault record (signed if the identity key is intact), then nothing more is issued. */
function fault(code: number, detail: string): void {
  status = STATUS_FAULT;
  faulted = true;
  const msg = faultMessage(meterId, code, st ? st.cur.c : 0, detail);
  const sigs = sk && katOk ? sign([msg]) : null;
  emit(REC_FAULT, faultBody(code, msg, sigs ? sigs[0]! : EMPTY));
}

/** Hedged ECDSA over each message (inversions shared), all verified before use; null if the RNG or a signature failed. */
function sign(msgs: Uint8Array[]): Uint8Array[] | null {
  const extras = msgs.map(() => rng(32));
  // A failed RNG stays failed, so the last draw tells whether every one was good.
  if (!extras[extras.length - 1]) return null;
  return ecdsaSignManyVerified(sk!, id!.vkM, msgs, extras as Uint8Array[]);
}

function timing(op: number, c: number, i: number, t0: number, t1?: number): void {
  'ram';
  if (!prov || !prov.timing) return;
  const micros = Math.min(NONE, Math.round(((t1 === undefined ? now() : t1) - t0) * 1e6));
  emit(REC_TIMING, timingBody(op, c, i, micros, opCounts as unknown as Record<string, number>));
}

/** One metered Wh. */
function pulse(): void {
  'ram';
  if (status !== STATUS_OPERATING) return;
  const t = now();
  const cur = st!.cur;
  if (closing || t >= periodEnd(prov!, cur.periodLabel)) {
    heldWh++;
    closePeriod(false);
    return;
  }
  resetOpCounts();
  cur.carried += rateAt(prov!, t);
  let k = 0;
  while (cur.carried >= UNIT) { cur.carried -= UNIT; k++; }
  if (k > 0) issue(k, t);
}

/** TokenGen for k units: count them in flash, then emit each ρ_i at once; the fold follows. */
function issue(k: number, t0: number): void {
  'ram';
  const cur = st!.cur;
  const first = cur.n;
  cur.n += k;
  if (!save(k)) { fault(FAULT_FLASH_WRITE, 'token'); return; }
  for (let i = first; i < cur.n; i++) emitToken(0, cur, i);
  timing(OP_TOKEN_ONLINE, cur.c, cur.n - 1, t0);
  fold();
}

/** Background fold of H(ρ_j) into S, one term per timer tick. */
function fold(): void {
  if (folding) return;
  folding = true;
  setTimeout(guarded(foldStep), 0);
}

function foldStep(): void {
  folding = false;
  if (status === STATUS_FAULT) return;
  const cur = st!.cur;
  if (S === null) {
    S = billOffset(billScalar(cur.seed));
    fold();
    return;
  }
  if (j < cur.n) {
    const t0 = now();
    resetOpCounts();
    S = pointAdd(S, tokenPoint(tokenRho(cur.seed, cur.c, j)));
    j++;
    if (++sinceCheckpoint >= CHECKPOINT_EVERY) checkpoint();
    timing(OP_FOLD, cur.c, j - 1, t0);
    if (j < cur.n) { fold(); return; }
  }
  if (closing) closePeriod(finalPending);
}

/** (j, S_j) into the state, CHECKPOINT_EVERY terms after the last one (so j > cur.j >= 0 here). */
function checkpoint(): void {
  const cur = st!.cur;
  cur.j = j;
  cur.sJ = pointEncode(S!);
  sinceCheckpoint = 0;
  if (!save(0)) fault(FAULT_FLASH_WRITE, 'checkpoint');
}

/** Closes the period once the fold has caught up: BillGen, stored before the bill leaves. */
function closePeriod(final: boolean): void {
  if (status !== STATUS_OPERATING) return;
  closing = true;
  finalPending = finalPending || final;
  const s = st!;
  const cur = s.cur;
  if (S === null || j < cur.n) { fold(); return; }
  const t0 = now();
  resetOpCounts();
  const r = billScalar(cur.seed);
  const msg = billMessage(meterId, cur.c, cur.periodLabel, cur.e, pointEncode(S), cur.tariffVersion, s.prev);
  const dmsg = disputeMessage(meterId, cur.c, cur.n, r, msg);
  const ts = now();
  const sigs = sign([msg, dmsg]);
  timing(OP_SIGN, cur.c, cur.n, ts);
  if (!sigs) { fault(FAULT_SIGNATURE, 'bill'); return; }
  const bill = encodeClosed(cur, finalPending, r, msg, sigs[0]!, dmsg, sigs[1]!);
  if (!saveAB(billStore, bill)) { fault(FAULT_FLASH_WRITE, 'bill'); return; }
  // In RAM as it is stored, so a replay sends the very bytes a reboot would.
  const closed = decodeClosed(bill);
  s.closed = closed;
  if (!switchPeriod(closed)) { fault(FAULT_RNG_HEALTH, 'seed'); return; }
  if (!save(prov!.timing ? 2 : 1)) { fault(FAULT_FLASH_WRITE, 'bill'); return; }
  S = null; j = 0; sinceCheckpoint = 0; closing = false;
  emitBill(0, closed);
  timing(OP_BILLGEN, closed.c, closed.n, t0);
  if (s.status === STATUS_RETIRED) { status = STATUS_RETIRED; handover(); return; }
  const held = heldWh;
  heldWh = 0;
  for (let k = 0; k < held; k++) pulse();
  fold(); // the new period's −r·B, in the background
}

/** After the bill of `closed` is stored: chain to it and open the next period (false if the RNG failed). */
function switchPeriod(closed: Closed): boolean {
  const s = st!;
  const next = openPeriod(closed.c + 1, closed.periodLabel + 1);
  if (!next) return false;
  s.prev = sha256(closed.billMessage);
  s.cur = next;
  if (closed.final) s.status = STATUS_RETIRED;
  return true;
}

/** Final-bill trigger (before replacement): close now; the meter then issues nothing more. */
function finalBill(): void {
  if (status === STATUS_OPERATING) closePeriod(true);
}

/** Handover to the successor whose vkM the installer stored in SUCCESSOR_FILE. */
function handover(): void {
  const s = st!;
  const raw = storage().read(SUCCESSOR_FILE);
  if (!raw || raw.length !== 33 || !s.closed) return;
  const msg = handoverMessage(meterId, id!.vkM, s.closed.c, s.prev, fromBinary(raw));
  const sigs = sign([msg]);
  if (sigs) emit(REC_HANDOVER, handoverBody(msg, sigs[0]!));
}

/** Period clock: close when the schedule says the period is over. */
function clock(): void {
  if (status !== STATUS_OPERATING) return;
  const wait = (periodEnd(prov!, st!.cur.periodLabel) - now()) * 1000;
  if (wait <= 0 && !closing) closePeriod(false);
  setTimeout(guarded(clock), wait > 0 ? Math.min(CLOCK_POLL_MS, wait) : 1000);
}

/** Troubleshooting signal: re-send the last closed period (tokens, then its bill) and the current one's tokens. */
function replay(): void {
  if (replaying || status === STATUS_FAULT || !st) return;
  replaying = true;
  const closed = st.closed;
  const cur = st.cur;
  const curN = cur.n;
  emit(REC_REPLAY, replayBody(0, cur.c, closed ? closed.c : NONE, 0));
  let sent = 0;
  /** The closed period's tokens and bill are left to send (until its bill went out). */
  let inClosed = closed !== null;
  let i = 0;
  const step = guarded((): void => {
    if (inClosed && i < closed!.n) emitToken(FLAG_REPLAY, closed!, i++);
    else if (inClosed) { emitBill(FLAG_REPLAY, closed!); inClosed = false; i = 0; }
    else if (i < curN) emitToken(FLAG_REPLAY, cur, i++);
    else {
      emit(REC_REPLAY, replayBody(1, cur.c, closed ? closed.c : NONE, sent));
      replaying = false;
      return;
    }
    sent++;
    setTimeout(step, 0);
  });
  setTimeout(step, 0);
}

/** The token record of unit i of a period (open or closed): ρ_i is derived again from its seed. */
function emitToken(flags: number, p: Period | Closed, i: number): void {
  'ram';
  emit(REC_TOKEN, tokenBody(flags, p.c, i, p.e, p.periodLabel, tokenRho(p.seed, p.c, i)));
}

/** The bill record of a closed period, from the bytes stored for it (never re-signed). */
function emitBill(flags: number, k: Closed): void {
  emit(REC_BILL, billBody(flags, k.billMessage, k.beta, k.r, k.n, k.disputeMessage, k.disputeSig));
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
