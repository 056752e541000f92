// The household's wallet daemon. It persists what the meter sends, pins the UC's epoch keys from
// the signed parameters log, keeps a buffer of one-unit e-cash withdrawn in fixed amounts on a
// fixed schedule, pays each token alone at a random instant of the common payment window
// (through the relay when one is configured), verifies every receipt, self-checks each period,
// combines and settles in the settlement window, records an unpaid period as debt when its
// window closes, and offers the dispute path. All state is in the store, so it survives restarts;
// every UC or mint failure is handled alike: the identical request is retried later.
//
// `tick()` does whatever is due at the daemon's clock; `run()` calls it on a timer.
//
// The serial line is not authenticated: anyone on it can inject records, reuse sequence numbers
// and put a forgery ahead of the real record. So the wallet believes a bill only once both its
// signatures verify under the meter's key from the UC's signed parameters log (whichever copy
// arrived first), and it believes tokens only through the signed bill: it pays each token it is
// given (a forged one costs at most the one coin paid for it), keeps a second, different token
// for the same (c, i) aside, and settles a period with the tokens that open its bill's
// self-check, reporting any token the bill does not open as forged.
import { createHash, randomBytes } from 'node:crypto';
import { Wallet, type Proof } from '@cashu/cashu-ts';
import type { Logger } from '../common/log.ts';
import { RepeatedWarning } from '../common/repeat.ts';
import {
  combine,
  decodeReceipt,
  encodePayRequest,
  selfCheck,
  SipsterError,
  toHex,
  verifyParamsLog,
  checkReceipts,
  decodeBillMessage,
  billHash,
  meterKeyFor,
  verifySignature,
  epochOf,
  ohttpKeyFor,
  type ParamsEntry,
  type PinnedParams,
  type Receipt,
} from '../protocol/index.ts';
import type { KeyConfig } from '../ohttp/key-config.ts';
import { decodeRecord, type BillRecord, type MeterRecord } from '../records/decode.ts';
import type { Db } from '../store/db.ts';
import { migrate } from '../store/db.ts';
import { walletCandidatesSchema, walletSchema } from '../store/schema/wallet.ts';
import { UcClient, UcHttpError } from './uc-client.ts';
import { paymentWindow, randomInstant, settlementWindow } from './windows.ts';

export interface WalletOptions {
  readonly db: Db;
  readonly log: Logger;
  readonly meterId: string;
  readonly ucUrl: string;
  readonly mintUrl: string;
  /** Pay requests go through this relay (not run by the UC); without it, privacy is off. */
  readonly relayUrl?: string;
  readonly accountToken: string;
  /** The UC's parameters-log key, obtained out of band: the only key the wallet trusts. */
  readonly logVk: Uint8Array;
  /** Coins withdrawn per withdrawal (a fixed amount, whatever the consumption). */
  readonly withdrawAmount?: number;
  /** Withdraw when fewer coins than this are left, at most once per interval. */
  readonly bufferTarget?: number;
  readonly withdrawIntervalMs?: number;
  /** Delay before retrying a failed request (plus up to as much again at random). */
  readonly retryMs?: number;
  readonly now?: () => number;
  readonly random?: () => number;
  /** Test hook: called at named points, may throw to simulate a crash there. */
  readonly faults?: (point: 'withdraw:after-mint') => void;
}

export type PeriodState = 'received' | 'missing-tokens' | 'self-check-failed' | 'ready' | 'debt' | 'settled' | 'disputed';

/** A pay request the UC answered: the token, the receipt's bytes as received, the coin bound to it. */
interface Answered {
  readonly t: TokenRow;
  readonly receiptBytes: Uint8Array;
  readonly coinSecret: string;
}

interface TokenRow {
  c: number;
  i: number;
  e: number;
  period_label: number;
  rho: Uint8Array;
  state: string;
  pay_at: number;
  coin: string | null;
  attempts: number;
  receipt: Uint8Array | null;
}

interface PeriodRow {
  c: number;
  period_label: number;
  e: number;
  n: number;
  bill_message: Uint8Array;
  beta: Uint8Array;
  r: Uint8Array;
  dispute_message: Uint8Array;
  dispute_signature: Uint8Array;
  state: PeriodState;
  detail: string | null;
  next_attempt: number;
}

const u8 = (b: Uint8Array): Uint8Array => new Uint8Array(b);

/** Most combinations of alternate tokens tried against one bill's self-check. */
const MAX_TOKEN_COMBINATIONS = 64;

/** Why a bill record is not the meter's (undefined: both signatures verify and bind this bill). */
function billForgery(rec: BillRecord, vkM: Uint8Array): string | undefined {
  try {
    verifySignature(vkM, rec.billMessage, rec.beta);
  } catch {
    return 'bill signature does not verify';
  }
  try {
    verifySignature(vkM, rec.disputeMessage, rec.disputeSig);
  } catch {
    return 'dispute signature does not verify';
  }
  if (toHex(rec.dispute.billHash) !== toHex(billHash(rec.billMessage))) return 'dispute message names another bill';
  return undefined;
}

/** The meter port as last seen by the daemon: `path` null when none was given. */
export interface MeterPortState {
  readonly path: string | null;
  readonly open: boolean;
  /** Why it is not open, in words. */
  readonly problem?: string;
  /** Since when (ms since the epoch) this state holds. */
  readonly since: number;
}

/** Why the parameters log could not be pinned, in words a household can act on. */
function pinFailure(err: unknown): string {
  if (err instanceof SipsterError && err.code === 'bad-params-log') {
    return /^bad-params-log: entry 0:/.test(err.message)
      ? "the UC's log key given (--log-vk) does not match this UC's parameters log: its first entry is not signed by that key (ask the UC for its log key again)"
      : `the UC's parameters log does not verify under the pinned log key; it is refused (${err.message})`;
  }
  if (err instanceof UcHttpError && err.status === 0) return `cannot fetch the UC's parameters log: ${err.message}`;
  return `cannot fetch the UC's parameters log: ${(err as Error).message}`;
}

export class WalletDaemon {
  private params: PinnedParams | undefined;
  private readonly uc: UcClient;
  private readonly now: () => number;
  private readonly random: () => number;
  private cashu: Wallet | undefined;
  private nextWithdrawAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  /** A bill waits for a meter key the pinned log lacks: fetch the log again (not before this time). */
  private repinAt: number | undefined;
  /** A failed fetch of the parameters log is retried after the retry delay, not at every tick. */
  private nextPinAt = 0;
  private readonly pinWarning: RepeatedWarning;

  private constructor(private readonly o: WalletOptions) {
    const oblivious = o.relayUrl === undefined ? undefined : { relayUrl: o.relayUrl, keyConfig: () => this.ohttpKey() };
    this.uc = new UcClient({ ucUrl: o.ucUrl, accountToken: o.accountToken, oblivious });
    this.now = o.now ?? (() => Date.now());
    this.random = o.random ?? Math.random;
    this.pinWarning = new RepeatedWarning(o.log);
  }

  static async open(o: WalletOptions): Promise<WalletDaemon> {
    await migrate(o.db, walletSchema);
    await migrate(o.db, walletCandidatesSchema);
    const w = new WalletDaemon(o);
    const rows = await o.db.all<{ log_vk: Uint8Array; entries: string }>('SELECT log_vk, entries FROM w_params WHERE id = 1');
    if (rows[0] && toHex(u8(rows[0].log_vk)) === toHex(o.logVk)) w.params = verifyParamsLog(JSON.parse(rows[0].entries) as ParamsEntry[], o.logVk);
    if (!o.relayUrl) o.log.warn('no relay configured: payments go straight to the UC, which then sees this household\'s address (privacy is OFF)');
    else o.log.info('privacy ON: every pay and receipt lookup goes through the relay, encapsulated to the UC\'s pinned Oblivious HTTP key', { relay: o.relayUrl });
    return w;
  }

  /** The pinned OHTTP key of the current epoch (by this wallet's clock), or the latest before it. */
  private ohttpKey(): KeyConfig {
    const p = this.params;
    const label = p ? Math.max(0, Math.floor((this.now() / 1000 - p.originUnix) / p.periodSeconds)) : 0;
    const key = p && ohttpKeyFor(p, epochOf(label, p.epochLength));
    if (!key) throw new SipsterError('bad-params-log', 'the pinned parameters log holds no Oblivious HTTP key for this epoch: nothing is sent until the UC publishes one');
    return key;
  }

  get privacy(): 'on' | 'off' {
    return this.o.relayUrl ? 'on' : 'off';
  }

  // ---- intake -------------------------------------------------------------------------------

  /** Persists one record from the meter (exactly once per (bootSeq, recordSeq)). */
  async ingest(record: MeterRecord, payload: Uint8Array): Promise<void> {
    const db = this.o.db;
    const fresh = await db.run('INSERT INTO w_records (boot_seq, record_seq, kind, payload, received_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING', [
      record.bootSeq,
      record.recordSeq,
      record.kind,
      payload,
      this.now(),
    ]);
    if (record.kind === 'token') {
      // Without the schedule yet (log not pinned), the instant is drawn later (-1: unscheduled).
      const schedule = this.params;
      const payAt = schedule ? randomInstant(paymentWindow(schedule, record.periodLabel), this.now(), this.random) : -1;
      const n = await db.run("INSERT INTO w_tokens (c, i, e, period_label, rho, state, pay_at, attempts) VALUES (?, ?, ?, ?, ?, 'unpaid', ?, 0) ON CONFLICT DO NOTHING", [
        record.c,
        record.i,
        record.e,
        record.periodLabel,
        record.rho,
        payAt,
      ]);
      if (n === 0) {
        const [row] = await db.all<{ rho: Uint8Array }>('SELECT rho FROM w_tokens WHERE c = ? AND i = ?', [record.c, record.i]);
        if (toHex(u8(row!.rho)) !== toHex(record.rho)) await this.keepAlternate(record.c, record.i, record.e, record.periodLabel, record.rho);
      } else {
        this.o.log.debug('token received', { c: record.c, i: record.i, payAt: new Date(payAt).toISOString() });
        const [period] = await db.all<{ n: number }>('SELECT n FROM w_periods WHERE c = ?', [record.c]);
        if (period && record.i >= Number(period.n)) await this.markForged(record.c, Number(period.n));
      }
    } else if (record.kind === 'bill') {
      if (record.bill.meterId !== this.o.meterId) {
        this.o.log.error('bill of another meter ignored', { meterId: record.bill.meterId });
        return;
      }
      // Judged once the parameters log (with the meter's key) is pinned: see promoteBills.
      const digest = createHash('sha256').update(payload).digest();
      await db.run('INSERT INTO w_bill_candidates (digest, c, payload, received_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING', [digest, record.bill.c, payload, this.now()]);
    } else if (record.kind === 'handover') {
      await db.run("INSERT INTO w_handovers (message, signature, state) VALUES (?, ?, 'pending') ON CONFLICT DO NOTHING", [record.handoverMessage, record.signature]);
    } else if (record.kind === 'fault' && fresh) {
      this.o.log.warn('meter reported a fault', { reason: record.reason, c: record.fault.c });
    }
  }

  // ---- the loop -------------------------------------------------------------------------------

  /** Starts ticking every `intervalMs` until `stop()`. */
  run(intervalMs = 1000): void {
    const loop = (): void => {
      this.ticking = this.tick().catch((err) => this.o.log.error('tick failed', { error: (err as Error).message }));
      void this.ticking.then(() => {
        if (this.timer !== undefined) this.timer = setTimeout(loop, intervalMs);
      });
    };
    this.timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.ticking;
  }

  /** Does everything due now: pin, withdraw, pay, check, settle, hand over. */
  async tick(): Promise<void> {
    if (!(await this.pin())) return;
    await this.promoteBills();
    await this.withdrawIfDue();
    await this.payDue();
    await this.settleDue();
    await this.forwardHandovers();
  }

  /** Fetches and verifies the parameters log when it is not pinned yet or lacks a needed epoch. */
  private async pin(): Promise<boolean> {
    const needed = await this.o.db.all<{ e: number }>('SELECT DISTINCT e FROM w_tokens');
    const repin = this.repinAt !== undefined && this.now() >= this.repinAt;
    if (this.params && !repin && needed.every((r) => this.params!.epochKeys.has(r.e))) return true;
    if (this.now() < this.nextPinAt) return this.params !== undefined;
    try {
      const { entries } = await this.uc.params();
      const pinned = verifyParamsLog(entries, this.o.logVk);
      if (this.params && pinned.length < this.params.length) throw new Error('the UC served a shorter log than the one pinned');
      this.params = pinned;
      this.repinAt = undefined;
      await this.o.db.run('INSERT INTO w_params (id, log_vk, entries, fetched_at) VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET log_vk = excluded.log_vk, entries = excluded.entries, fetched_at = excluded.fetched_at', [
        this.o.logVk,
        JSON.stringify(entries),
        this.now(),
      ]);
      this.pinWarning.clear('the UC\'s parameters log is reachable and verifies again');
      this.o.log.info('parameters log pinned', { entries: pinned.length, epochs: [...pinned.epochKeys.keys()].join(','), ohttpKeys: [...pinned.ohttpKeys.keys()].join(',') || 'none' });
    } catch (err) {
      const retryAt = this.retryAt();
      this.nextPinAt = retryAt;
      this.pinWarning.warn(pinFailure(err), { retryIn: `${Math.round((retryAt - this.now()) / 1000)} s` });
    }
    return this.params !== undefined;
  }

  /**
   * Bill records received become periods once both signatures verify under the meter's key for
   * their counter in the pinned log; forgeries are dropped and reported. The first bill that
   * verifies is the period's, whatever arrived before it.
   */
  private async promoteBills(): Promise<void> {
    const db = this.o.db;
    const candidates = await db.all<{ digest: Uint8Array; payload: Uint8Array }>('SELECT digest, payload FROM w_bill_candidates ORDER BY received_at');
    for (const cand of candidates) {
      const rec = decodeRecord(u8(cand.payload)) as BillRecord;
      const { c, periodLabel } = rec.bill;
      const key = meterKeyFor(this.params!, this.o.meterId, c);
      if (!key) {
        // The log pinned may predate the meter's registration: look again later.
        this.repinAt ??= this.retryAt();
        continue;
      }
      const forged = billForgery(rec, key.vkM);
      if (forged) {
        this.o.log.error('forged bill rejected: it is not signed by this meter', { c, reason: forged });
      } else {
        const fresh = await db.run(
          "INSERT INTO w_periods (c, period_label, e, n, bill_message, beta, r, dispute_message, dispute_signature, state, next_attempt, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'received', 0, ?) ON CONFLICT DO NOTHING",
          [c, periodLabel, rec.bill.e, rec.n, rec.billMessage, rec.beta, rec.suite.encodeScalar(rec.r), rec.disputeMessage, rec.disputeSig, this.now()],
        );
        if (fresh) {
          this.o.log.info('bill received', { c, periodLabel });
          await this.markForged(c, rec.n);
        } else {
          const [held] = await db.all<{ bill_message: Uint8Array }>('SELECT bill_message FROM w_periods WHERE c = ?', [c]);
          if (toHex(u8(held!.bill_message)) !== toHex(rec.billMessage)) this.o.log.error('meter fault: two different signed bills for one period; the first is kept', { c });
        }
      }
      await db.run('DELETE FROM w_bill_candidates WHERE digest = ?', [cand.digest]);
    }
  }

  /** Tokens numbered n or more in a period billed for n units are not the meter's. */
  private async markForged(c: number, n: number): Promise<void> {
    const extra = await this.o.db.all<{ i: number; state: string }>("SELECT i, state FROM w_tokens WHERE c = ? AND i >= ? AND state <> 'forged'", [c, n]);
    for (const t of extra) {
      await this.o.db.run("UPDATE w_tokens SET state = 'forged' WHERE c = ? AND i = ?", [c, t.i]);
      this.o.log.error('forged token: its index is beyond the signed bill\'s count', { c, i: t.i, billed: n, coinLost: t.state === 'paid' });
    }
  }

  /** A second, different token for (c, i): kept aside for the bill's self-check to decide. */
  private async keepAlternate(c: number, i: number, e: number, periodLabel: number, rho: Uint8Array): Promise<void> {
    const fresh = await this.o.db.run('INSERT INTO w_token_alternates (c, i, e, period_label, rho) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING', [c, i, e, periodLabel, rho]);
    if (!fresh) return;
    this.o.log.error('two different tokens for one (c, i): one is not the meter\'s; the signed bill will tell which', { c, i });
    await this.o.db.run("UPDATE w_periods SET state = 'received', detail = NULL WHERE c = ? AND state = 'self-check-failed'", [c]);
  }

  /**
   * After a failed self-check: the combination of held and alternate tokens that opens the bill,
   * if there is one. The tokens it replaces were forged (each cost at most the coin paid for it);
   * the right ones take their place, unpaid, and are paid as late tokens.
   */
  private async resolveForgedTokens(p: PeriodRow, tokens: TokenRow[], r: bigint, R: Parameters<typeof selfCheck>[3]): Promise<boolean> {
    const alts = await this.o.db.all<{ i: number; e: number; period_label: number; rho: Uint8Array }>('SELECT i, e, period_label, rho FROM w_token_alternates WHERE c = ? AND i < ? ORDER BY i', [p.c, p.n]);
    if (!alts.length) return false;
    const choices = tokens.map((t) => [{ e: t.e, period_label: t.period_label, rho: u8(t.rho) }, ...alts.filter((a) => Number(a.i) === Number(t.i)).map((a) => ({ ...a, rho: u8(a.rho) }))]);
    const combinations = choices.reduce((k, ch) => k * ch.length, 1);
    if (combinations > MAX_TOKEN_COMBINATIONS) {
      this.o.log.error('too many conflicting tokens to find the ones the bill opens; dispute needed', { c: p.c, combinations });
      return false;
    }
    for (let k = 1; k < combinations; k++) {
      let rest = k;
      const pick = choices.map((ch) => {
        const j = rest % ch.length;
        rest = Math.floor(rest / ch.length);
        return ch[j]!;
      });
      try {
        selfCheck(this.params!.suite, pick.map((x) => x.rho), r, R);
      } catch (err) {
        if (err instanceof SipsterError) continue;
        throw err;
      }
      for (const [idx, t] of tokens.entries()) {
        const real = pick[idx]!;
        if (toHex(real.rho) === toHex(u8(t.rho))) continue;
        await this.o.db.tx(async (q) => {
          await q.run('INSERT INTO w_token_alternates (c, i, e, period_label, rho) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING', [t.c, t.i, t.e, t.period_label, t.rho]);
          await q.run('DELETE FROM w_token_alternates WHERE c = ? AND i = ? AND rho = ?', [t.c, t.i, real.rho]);
          // A coin bound to an unpaid forgery stays bound: the next attempt finds it spent or not.
          await q.run(
            "UPDATE w_tokens SET e = ?, period_label = ?, rho = ?, state = 'unpaid', receipt = NULL, coin = CASE WHEN state = 'paid' THEN NULL ELSE coin END, pay_at = ? WHERE c = ? AND i = ?",
            [real.e, real.period_label, real.rho, this.now(), t.c, t.i],
          );
        });
        this.o.log.error('forged token replaced by the one the signed bill opens', { c: p.c, i: t.i, coinLost: t.state === 'paid' });
      }
      return true;
    }
    return false;
  }

  /** Where the meter's records come from, as `wallet status` shows it (the daemon need not be running). */
  async notePort(state: MeterPortState): Promise<void> {
    await this.o.db.run("INSERT INTO w_meta (key, value) VALUES ('meter-port', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [JSON.stringify(state)]);
  }

  private async availableCoins(): Promise<number> {
    const [row] = await this.o.db.all<{ n: number }>("SELECT COUNT(*) AS n FROM w_coins WHERE state = 'available'");
    return Number(row!.n);
  }

  /** The cashu-ts wallet on the mint, with this wallet's deterministic-secret seed (NUT-13). */
  private async mintWallet(): Promise<Wallet> {
    if (this.cashu) return this.cashu;
    let [row] = await this.o.db.all<{ value: string }>("SELECT value FROM w_meta WHERE key = 'seed'");
    if (!row) {
      await this.o.db.run("INSERT INTO w_meta (key, value) VALUES ('seed', ?) ON CONFLICT DO NOTHING", [randomBytes(64).toString('hex')]);
      [row] = await this.o.db.all<{ value: string }>("SELECT value FROM w_meta WHERE key = 'seed'");
    }
    const w = new Wallet(this.o.mintUrl, { unit: 'tok', bip39seed: new Uint8Array(Buffer.from(row!.value, 'hex')) });
    await w.loadMint();
    this.cashu = w;
    return w;
  }

  private async withdrawIfDue(): Promise<void> {
    await this.recoverWithdrawals();
    const target = this.o.bufferTarget ?? 20;
    const interval = this.o.withdrawIntervalMs ?? 3_600_000;
    // The schedule survives restarts: the next slot follows the last withdrawal in the store.
    const [last] = await this.o.db.all<{ at: number | null }>('SELECT MAX(created_at) AS at FROM w_withdrawals');
    const nextAt = Math.max(this.nextWithdrawAt, last?.at == null ? 0 : Number(last.at) + interval);
    if (this.now() < nextAt || (await this.availableCoins()) >= target) return;
    this.nextWithdrawAt = this.now() + interval;
    const amount = this.o.withdrawAmount ?? 20;
    try {
      const cashu = await this.mintWallet();
      const keysetId = cashu.keyChain.getCheapestKeyset().id;
      const quote = await cashu.createMintQuoteBolt11(amount);
      // Reserve the counter range and record the withdrawal before the mint signs anything.
      const counterStart = await this.o.db.tx(async (q) => {
        const [c] = await q.all<{ value: string }>('SELECT value FROM w_meta WHERE key = ?', [`counter:${keysetId}`]);
        const start = c ? Number(c.value) : 1; // counter 0 means "auto" to cashu-ts
        await q.run('INSERT INTO w_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [`counter:${keysetId}`, String(start + amount)]);
        await q.run("INSERT INTO w_withdrawals (quote, amount, keyset_id, counter_start, state, created_at) VALUES (?, ?, ?, ?, 'pending', ?)", [quote.quote, amount, keysetId, start, this.now()]);
        return start;
      });
      const proofs = await cashu.mintProofsBolt11(amount, quote, { keysetId }, { type: 'deterministic', counter: counterStart });
      this.o.faults?.('withdraw:after-mint');
      await this.storeCoins(quote.quote, proofs);
      this.o.log.info('withdrew e-cash', { coins: proofs.length });
    } catch (err) {
      this.cashu = undefined;
      this.o.log.warn('withdrawal failed; it will be recovered or retried', { error: (err as Error).message });
    }
  }

  private async storeCoins(quote: string, proofs: readonly Proof[]): Promise<void> {
    await this.o.db.tx(async (q) => {
      for (const p of proofs) {
        await q.run("INSERT INTO w_coins (secret, proof, state, added_at) VALUES (?, ?, 'available', ?) ON CONFLICT DO NOTHING", [p.secret, JSON.stringify({ ...p, amount: Number(p.amount) }), this.now()]);
      }
      await q.run("UPDATE w_withdrawals SET state = 'done' WHERE quote = ?", [quote]);
    });
  }

  /**
   * Withdrawals interrupted after the quote (a crash, a lost answer): re-sent with the same
   * deterministic outputs if the mint has not signed yet, else restored from the mint (NUT-09).
   */
  private async recoverWithdrawals(): Promise<void> {
    const pending = await this.o.db.all<{ quote: string; amount: number; keyset_id: string; counter_start: number }>("SELECT quote, amount, keyset_id, counter_start FROM w_withdrawals WHERE state = 'pending'");
    for (const w of pending) {
      try {
        const cashu = await this.mintWallet();
        const quote = await cashu.checkMintQuoteBolt11(w.quote);
        let proofs: Proof[];
        if (quote.state === 'ISSUED') {
          proofs = (await cashu.restore(w.counter_start, w.amount, { keysetId: w.keyset_id })).proofs;
        } else if (quote.state === 'PAID') {
          proofs = await cashu.mintProofsBolt11(w.amount, quote, { keysetId: w.keyset_id }, { type: 'deterministic', counter: w.counter_start });
        } else {
          continue;
        }
        await this.storeCoins(w.quote, proofs);
        this.o.log.info('recovered an interrupted withdrawal', { coins: proofs.length });
      } catch (err) {
        this.cashu = undefined;
        this.o.log.warn('cannot recover an interrupted withdrawal yet', { error: (err as Error).message });
      }
    }
  }

  private retryAt(): number {
    const base = this.o.retryMs ?? 60_000;
    return this.now() + base + Math.floor(this.random() * base);
  }

  /**
   * Pays every token whose instant has come, one request per token, never batched; then checks
   * the receipts that came back as one batch per epoch (one pairing equation in the BLS suite)
   * and keeps those that verify.
   */
  private async payDue(): Promise<void> {
    const unscheduled = await this.o.db.all<TokenRow>('SELECT c, i, period_label FROM w_tokens WHERE pay_at < 0');
    for (const t of unscheduled) {
      const at = randomInstant(paymentWindow(this.params!, t.period_label), this.now(), this.random);
      await this.o.db.run('UPDATE w_tokens SET pay_at = ? WHERE c = ? AND i = ?', [at, t.c, t.i]);
    }
    const due = await this.o.db.all<TokenRow>("SELECT * FROM w_tokens WHERE state = 'unpaid' AND pay_at >= 0 AND pay_at <= ? ORDER BY pay_at LIMIT 200", [this.now()]);
    const answered: Answered[] = [];
    for (const t of due) {
      const a = await this.payOne(t);
      if (a) answered.push(a);
    }
    for (const e of new Set(answered.map((a) => a.t.e))) await this.acceptReceipts(answered.filter((a) => a.t.e === e));
  }

  /** Sends one token's pay request (or its identical retry) and returns the UC's answer, not yet verified. */
  private async payOne(t: TokenRow): Promise<Answered | undefined> {
    const key = this.params!.epochKeys.get(t.e);
    if (!key) return undefined;
    const request = encodePayRequest({ e: t.e, rho: u8(t.rho) });
    let coin = t.coin;
    if (!coin) {
      // Bind a coin to this token before the first attempt, so every retry is identical.
      coin = await this.o.db.tx(async (q) => {
        const [free] = await q.all<{ secret: string; proof: string }>("SELECT secret, proof FROM w_coins WHERE state = 'available' LIMIT 1");
        if (!free) return null;
        await q.run("UPDATE w_coins SET state = 'reserved', reserved_c = ?, reserved_i = ? WHERE secret = ?", [t.c, t.i, free.secret]);
        await q.run('UPDATE w_tokens SET coin = ? WHERE c = ? AND i = ?', [free.proof, t.c, t.i]);
        return free.proof;
      });
      if (!coin) {
        this.o.log.warn('no e-cash left to pay a token; waiting for the next withdrawal', { c: t.c, i: t.i });
        return undefined;
      }
    }
    const proof = JSON.parse(coin) as Proof;
    let receiptBytes: Uint8Array | undefined;
    try {
      receiptBytes = (await this.uc.pay(request, proof)).receipt;
    } catch (err) {
      // The coin may have been spent on an earlier attempt whose answer was lost: ask coin-less.
      if (err instanceof UcHttpError && err.code === 11001) receiptBytes = await this.uc.receipt(request).catch(() => undefined);
      if (!receiptBytes) {
        if (err instanceof UcHttpError && err.code === 11001) {
          // Spent elsewhere and no receipt: this coin is gone; bind a fresh one next time.
          await this.o.db.tx(async (q) => {
            await q.run("UPDATE w_coins SET state = 'lost' WHERE secret = ?", [proof.secret]);
            await q.run('UPDATE w_tokens SET coin = NULL WHERE c = ? AND i = ?', [t.c, t.i]);
          });
        }
        await this.retryLater(t);
        this.o.log.warn('payment failed; the identical request will be retried later', { c: t.c, i: t.i, error: (err as Error).message });
        return undefined;
      }
    }
    return { t, receiptBytes, coinSecret: proof.secret };
  }

  /**
   * Receipts of one epoch: decoded, checked together against the pinned key, and those that
   * verify stored as paid in one transaction. A refused one keeps its coin and token unpaid: its
   * retry is the identical request, which the UC answers from its record without a new coin.
   */
  private async acceptReceipts(answered: readonly Answered[]): Promise<void> {
    const suite = this.params!.suite;
    const key = this.params!.epochKeys.get(answered[0]!.t.e)!;
    const refused = new Set<Answered>();
    const decoded: { a: Answered; rho: Uint8Array; receipt: Receipt }[] = [];
    for (const a of answered) {
      try {
        decoded.push({ a, rho: u8(a.t.rho), receipt: decodeReceipt(suite, a.receiptBytes) });
      } catch (err) {
        if (!(err instanceof SipsterError)) throw err;
        refused.add(a);
      }
    }
    for (const k of checkReceipts(suite, key, decoded).bad) refused.add(decoded[k]!.a);
    for (const a of refused) {
      await this.retryLater(a.t);
      this.o.log.error('receipt refused: it does not verify under the pinned epoch key', { c: a.t.c, i: a.t.i });
    }
    const accepted = answered.filter((a) => !refused.has(a));
    if (!accepted.length) return;
    await this.o.db.tx(async (q) => {
      for (const a of accepted) {
        await q.run("UPDATE w_tokens SET state = 'paid', receipt = ? WHERE c = ? AND i = ?", [a.receiptBytes, a.t.c, a.t.i]);
        await q.run("UPDATE w_coins SET state = 'spent' WHERE secret = ?", [a.coinSecret]);
      }
    });
    for (const a of accepted) this.o.log.debug('token paid', { c: a.t.c, i: a.t.i });
  }

  private async retryLater(t: TokenRow): Promise<void> {
    await this.o.db.run('UPDATE w_tokens SET attempts = attempts + 1, pay_at = ? WHERE c = ? AND i = ?', [this.retryAt(), t.c, t.i]);
  }

  private async setPeriod(c: number, state: PeriodState, detail: string | null, nextAttempt = 0): Promise<void> {
    await this.o.db.run('UPDATE w_periods SET state = ?, detail = ?, next_attempt = ?, updated_at = ? WHERE c = ?', [state, detail, nextAttempt, this.now(), c]);
  }

  /** Self-check, combine and settle each closed period in its window; debt when the window closes unpaid. */
  private async settleDue(): Promise<void> {
    const params = this.params!;
    const periods = await this.o.db.all<PeriodRow>("SELECT * FROM w_periods WHERE state IN ('received', 'missing-tokens', 'ready', 'debt') AND next_attempt <= ? ORDER BY c", [this.now()]);
    for (const p of periods) {
      const tokens = await this.o.db.all<TokenRow>('SELECT * FROM w_tokens WHERE c = ? AND i < ? ORDER BY i', [p.c, p.n]);
      const { bill } = decodeBillMessage(u8(p.bill_message));
      const r = params.suite.decodeScalar(u8(p.r));
      if (p.state === 'debt' && tokens.length < p.n) continue;
      if (p.state === 'received' || p.state === 'missing-tokens' || (p.state === 'debt' && tokens.every((t) => t.state === 'paid'))) {
        if (tokens.length < p.n) {
          if (p.state !== 'missing-tokens') this.o.log.warn('tokens missing for a closed period: press the meter\'s troubleshooting button to replay them, or open a dispute', { c: p.c, have: tokens.length, billed: p.n });
          await this.setPeriod(p.c, 'missing-tokens', `${tokens.length} of ${p.n} tokens held`);
          await this.debtIfWindowClosed(p);
          continue;
        }
        try {
          selfCheck(params.suite, tokens.map((t) => u8(t.rho)), r, bill.R);
        } catch (err) {
          if (!(err instanceof SipsterError)) throw err;
          if (await this.resolveForgedTokens(p, tokens, r, bill.R)) continue;
          await this.setPeriod(p.c, 'self-check-failed', err.message);
          this.o.log.error('self-check failed: the tokens held do not open the bill; dispute needed', { c: p.c });
          continue;
        }
        if (p.state !== 'debt') {
          await this.setPeriod(p.c, 'ready', null);
          p.state = 'ready';
        }
      }
      const window = settlementWindow(params, p.period_label);
      if (this.now() < window.from) continue;
      const unpaid = tokens.filter((t) => t.state !== 'paid');
      if (unpaid.length) {
        // Still paying (late tokens are paid at once once their window has passed).
        if (p.state !== 'debt') await this.debtIfWindowClosed(p);
        continue;
      }
      const key = params.epochKeys.get(p.e)!;
      const C = combine(params.suite, key, tokens.map((t) => decodeReceipt(params.suite, u8(t.receipt!))), r, bill.R);
      await this.submit(p, params.suite.encodePoint(C));
    }
  }

  /** When the settlement window has closed without a settlement, record the bill as debt at the UC. */
  private async debtIfWindowClosed(p: PeriodRow): Promise<boolean> {
    if (p.state === 'debt' || this.now() < settlementWindow(this.params!, p.period_label).to) return false;
    await this.submit(p, undefined);
    return true;
  }

  private async submit(p: PeriodRow, C: Uint8Array | undefined): Promise<void> {
    try {
      const res = await this.uc.settle(u8(p.bill_message), u8(p.beta), C);
      await this.setPeriod(p.c, res.status as PeriodState, null);
      this.o.log.info(C ? 'period settled' : 'period recorded as debt', { c: p.c });
    } catch (err) {
      if (err instanceof UcHttpError && err.code === 51006 && (await this.confirmedAtUc(p, C ? 'settled' : 'debt'))) return;
      await this.setPeriod(p.c, p.state, (err as Error).message, this.retryAt());
      this.o.log.warn(C ? 'settle failed; will retry' : 'recording debt failed; will retry', { c: p.c, error: (err as Error).message });
    }
  }

  /** A settle refused as a replay: our earlier attempt went through if the UC holds this very bill. */
  private async confirmedAtUc(p: PeriodRow, wanted: PeriodState): Promise<boolean> {
    const status = await this.uc.status(this.o.meterId).catch(() => undefined);
    const hash = toHex(billHash(u8(p.bill_message)));
    const bill = status?.bills.find((b) => b.c === p.c && b.billHash === hash);
    if (!bill || (bill.status !== wanted && bill.status !== 'settled')) return false;
    await this.setPeriod(p.c, bill.status as PeriodState, null);
    return true;
  }

  private async forwardHandovers(): Promise<void> {
    const pending = await this.o.db.all<{ message: Uint8Array; signature: Uint8Array }>("SELECT message, signature FROM w_handovers WHERE state = 'pending'");
    for (const h of pending) {
      try {
        await this.uc.handover(u8(h.message), u8(h.signature));
        await this.o.db.run("UPDATE w_handovers SET state = 'done' WHERE message = ?", [h.message]);
        this.o.log.info('meter handover passed to the UC');
      } catch (err) {
        this.o.log.warn('handover not accepted yet; will retry', { error: (err as Error).message });
      }
    }
  }

  /**
   * Dispute (opt-in, not private): reveals every ρ held for period c with the dispute record.
   * The UC credits paid tokens only if all n are revealed and open the bill.
   */
  async dispute(c: number): Promise<{ credited: number; owed: number }> {
    const [p] = await this.o.db.all<PeriodRow>('SELECT * FROM w_periods WHERE c = ?', [c]);
    if (!p) throw new SipsterError('period-mismatch', `no bill held for period ${c}`);
    const tokens = await this.o.db.all<TokenRow>('SELECT rho FROM w_tokens WHERE c = ? AND i < ? ORDER BY i', [c, p.n]);
    const result = await this.uc.dispute(u8(p.bill_message), u8(p.beta), u8(p.dispute_message), u8(p.dispute_signature), tokens.map((t) => u8(t.rho)));
    await this.setPeriod(c, 'disputed', `credited ${result.credited}, owed ${result.owed}`);
    return result;
  }
}

