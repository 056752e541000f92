// The utility company's service logic over the store: the signed parameters log (genesis,
// epoch keys published ahead, meters), anonymous pay, coin-less receipt lookup, settle, dispute,
// handover and settlement status. The checks themselves are the protocol core's
// (host/protocol); this file makes them durable and atomic:
//   pay:    coin verified and receipt computed first (CPU), then ONE transaction claims
//           u32(e) ‖ ρ with its receipt and spends the coin; an already-paid ρ returns the
//           stored receipt and spends nothing.
//   settle: the bill checks run inside the transaction that records the bill, with the
//           (meterId, c) primary key deciding a race between two settles.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ApiError } from '../mint/http.ts';
import { stageEnd, stageStart } from '../common/stage-times.ts';
import type { Logger } from '../common/log.ts';
import type { Mint, ProofIn } from '../mint/mint.ts';
import {
  appendEntry,
  verifyDispute,
  openingMismatch,
  checkHandover,
  checkSettlement,
  decodeBillMessage,
  decodeHandoverMessage,
  decodePayRequest,
  encodeEpochKey,
  encodePayRequest,
  encodeReceipt,
  epochKeyFromSecret,
  fail,
  generateEpochKey,
  fromHex,
  issueReceipt,
  signTariff,
  decodeTariff,
  canonicalJson,
  meterKeyFromSeed,
  toHex,
  verifyParamsLog,
  type EpochSecret,
  type LedgerView,
  type MeterKeyPair,
  type ParamsBody,
  type ParamsEntry,
  type PinnedParams,
  type RecordedBill,
  type Schedule,
  type SuiteId,
  type Tariff,
} from '../protocol/index.ts';
import { encodeKeyConfig, gatewayKey, type GatewayKey } from '../ohttp/ohttp.ts';
import type { Db, Sql } from '../store/db.ts';
import { migrate } from '../store/db.ts';
import { ucSchema } from '../store/schema/uc.ts';
import { UcCode, unauthorized } from './errors.ts';
import { noFaults, type FaultHook } from './faults.ts';

/** What a new UC is created with (ignored when the store already holds a parameters log). */
export interface UcGenesis extends Schedule {
  readonly suite: SuiteId;
  readonly ucName: string;
}

export interface UcOptions {
  readonly genesis?: UcGenesis;
  /** Epochs whose keys must be published (created if missing) when the service opens. */
  readonly epochs?: readonly number[];
  readonly faults?: FaultHook;
  readonly log: Logger;
  readonly now?: () => number;
}

export interface PayResult {
  readonly receipt: Uint8Array;
  /** True when ρ was paid before: the stored receipt came back and no coin was spent. */
  readonly replay: boolean;
}

export interface BillStatusView {
  readonly c: number;
  readonly periodLabel: number;
  readonly e: number;
  readonly status: string;
  readonly billHash: string;
}

const sha256 = (b: Uint8Array | string): Uint8Array => new Uint8Array(createHash('sha256').update(b).digest());
const rand = (n: number): Uint8Array => new Uint8Array(randomBytes(n));

interface BillRow {
  meter_id: string;
  c: number;
  period_label: number;
  epoch: number;
  bill_hash: Uint8Array;
  bill_message: Uint8Array;
  signature: Uint8Array;
  status: RecordedBill['status'];
}

const toRecorded = (r: BillRow): RecordedBill => ({
  meterId: r.meter_id,
  c: r.c,
  periodLabel: r.period_label,
  e: r.epoch,
  billHash: new Uint8Array(r.bill_hash),
  billMessage: new Uint8Array(r.bill_message),
  signature: new Uint8Array(r.signature),
  status: r.status,
});

/** The recorded bills a check may consult, read inside the transaction (LedgerView is synchronous). */
async function ledgerView(q: Sql, meterId: string, counters: readonly number[]): Promise<LedgerView> {
  const bills = new Map<number, RecordedBill>();
  for (const c of counters) {
    if (c < 0) continue;
    const rows = await q.all<BillRow>('SELECT * FROM uc_bills WHERE meter_id = ? AND c = ?', [meterId, c]);
    if (rows[0]) bills.set(c, toRecorded(rows[0]));
  }
  return { recordedBill: (m, c) => (m === meterId ? bills.get(c) : undefined) };
}

export class UcService {
  private entries: ParamsEntry[] = [];
  private pinned!: PinnedParams;
  private readonly secrets = new Map<number, EpochSecret>();
  /** Oblivious HTTP gateway keys by key id (e mod 256; a later epoch's key replaces an earlier one's). */
  private readonly ohttp = new Map<number, GatewayKey & { e: number }>();
  private readonly faults: FaultHook;
  private readonly now: () => number;

  private constructor(
    private readonly db: Db,
    private readonly mint: Mint,
    private readonly logKey: MeterKeyPair,
    private readonly log: Logger,
    options: UcOptions,
  ) {
    this.faults = options.faults ?? noFaults;
    this.now = options.now ?? (() => Date.now());
  }

  /** Opens (or, with `genesis`, creates) the UC on a store the mint's tables may share. */
  static async open(db: Db, mint: Mint, options: UcOptions): Promise<UcService> {
    await migrate(db, ucSchema);
    let keyRows = await db.all<{ value: Uint8Array }>("SELECT value FROM uc_secrets WHERE name = 'log-key'");
    if (!keyRows[0]) {
      if (!options.genesis) throw new Error('this store holds no UC yet: give the genesis parameters (suite, schedule) to create one');
      let key: MeterKeyPair | undefined;
      while (!key) {
        try {
          key = meterKeyFromSeed(rand(32));
        } catch {
          // not a valid P-256 scalar: draw again
        }
      }
      const g = options.genesis;
      const genesis = appendEntry([], { kind: 'genesis', ucName: g.ucName, suite: g.suite, epochLength: g.epochLength, periodSeconds: g.periodSeconds, originUnix: g.originUnix }, key, rand);
      await db.tx(async (q) => {
        await q.run("INSERT INTO uc_secrets (name, value) VALUES ('log-key', ?) ON CONFLICT DO NOTHING", [key.sk]);
        await q.run('INSERT INTO uc_params_log (seq, entry, created_at) VALUES (0, ?, ?) ON CONFLICT DO NOTHING', [JSON.stringify(genesis), Date.now()]);
      });
      keyRows = await db.all<{ value: Uint8Array }>("SELECT value FROM uc_secrets WHERE name = 'log-key'");
    }
    const uc = new UcService(db, mint, meterKeyFromSeed(new Uint8Array(keyRows[0]!.value)), options.log, options);
    await uc.reload();
    for (const e of options.epochs ?? []) {
      if (!uc.secrets.has(e)) await uc.publishEpoch(e);
      else if (!uc.pinned.ohttpKeys.has(e)) await uc.publishOhttpKey(e);
    }
    return uc;
  }

  get params(): PinnedParams {
    return this.pinned;
  }

  get logVk(): Uint8Array {
    return this.logKey.vk;
  }

  /** The log as served to wallets (they verify it under the log key they pinned). */
  get paramsLog(): readonly ParamsEntry[] {
    return this.entries;
  }

  private async reload(): Promise<void> {
    const rows = await this.db.all<{ entry: string }>('SELECT entry FROM uc_params_log ORDER BY seq');
    const entries = rows.map((r) => JSON.parse(r.entry) as ParamsEntry);
    const pinned = verifyParamsLog(entries, this.logKey.vk);
    const keys = await this.db.all<{ epoch: number; secret: Uint8Array }>('SELECT epoch, secret FROM uc_epoch_keys');
    for (const k of keys) {
      if (!this.secrets.has(k.epoch)) this.secrets.set(k.epoch, epochKeyFromSecret(pinned.suite, k.epoch, pinned.suite.decodeScalar(new Uint8Array(k.secret))));
    }
    const ohttp = await this.db.all<{ name: string; value: Uint8Array }>("SELECT name, value FROM uc_secrets WHERE name LIKE 'ohttp-key:%'");
    for (const row of ohttp) {
      const e = Number(row.name.slice('ohttp-key:'.length));
      const held = this.ohttp.get(e & 0xff);
      if (pinned.ohttpKeys.has(e) && (!held || held.e < e)) this.ohttp.set(e & 0xff, { e, ...(await gatewayKey(e & 0xff, new Uint8Array(row.value))) });
    }
    this.entries = entries;
    this.pinned = pinned;
  }

  /**
   * Picks up entries another process appended to the shared store (e.g. `sipster uc
   * register-meter` while this UC is serving). Cheap: one COUNT unless the log grew.
   */
  async refresh(): Promise<void> {
    const [row] = await this.db.all<{ n: number }>('SELECT COUNT(*) AS n FROM uc_params_log');
    if (Number(row!.n) !== this.entries.length) await this.reload();
  }

  /**
   * Appends entries to the log in one transaction (with `extra` writes), then re-verifies it.
   * `needed`, if given, is asked again after another process appended first: false, and there is
   * nothing left to do (that process published the same thing, e.g. an epoch key at start-up):
   * resolves to false.
   */
  private async append(bodies: readonly ParamsBody[], extra?: (q: Sql) => Promise<void>, needed?: () => boolean): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0 && needed && !needed()) return false;
      const next: ParamsEntry[] = [...this.entries];
      for (const body of bodies) next.push(appendEntry(next, body, this.logKey, rand));
      verifyParamsLog(next, this.logKey.vk); // never store an entry the wallets would refuse
      try {
        await this.db.tx(async (q) => {
          for (const entry of next.slice(this.entries.length)) {
            const n = await q.run('INSERT INTO uc_params_log (seq, entry, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [entry.seq, JSON.stringify(entry), this.now()]);
            if (n !== 1) throw new LogRaceError();
          }
          await extra?.(q);
        });
        break;
      } catch (err) {
        // Another process appended first: reload its entries and sign ours after them.
        if (!(err instanceof LogRaceError) || attempt >= 5) throw err;
      }
      await this.reload();
    }
    await this.reload();
    return true;
  }

  /** Generates a_e and publishes A_e in the log (ahead of use), with the epoch's OHTTP key if missing. */
  async publishEpoch(e: number): Promise<void> {
    const suite = this.pinned.suite;
    const key = generateEpochKey(suite, e, rand);
    const ohttp = this.pinned.ohttpKeys.has(e) ? undefined : await this.newOhttpKey(e);
    const appended = await this.append([{ kind: 'epoch-key', key: toHex(encodeEpochKey(suite, key)) }, ...(ohttp ? [ohttp.body] : [])], async (q) => {
      await q.run('INSERT INTO uc_epoch_keys (epoch, secret, public, created_at) VALUES (?, ?, ?, ?)', [e, suite.encodeScalar(key.a), encodeEpochKey(suite, key), this.now()]);
      await ohttp?.store(q);
    }, () => !this.secrets.has(e));
    if (appended) this.log.info('published epoch key', { epoch: e, ohttpKeyId: ohttp ? e & 0xff : undefined });
  }

  /** Publishes the OHTTP gateway key of epoch e (a store from before OHTTP has epoch keys without). */
  async publishOhttpKey(e: number): Promise<void> {
    const ohttp = await this.newOhttpKey(e);
    if (await this.append([ohttp.body], ohttp.store, () => !this.pinned.ohttpKeys.has(e))) this.log.info('published OHTTP key', { epoch: e, keyId: e & 0xff });
  }

  private async newOhttpKey(e: number): Promise<{ body: ParamsBody; store(q: Sql): Promise<void> }> {
    const secret = rand(32);
    const { config } = await gatewayKey(e & 0xff, secret);
    return {
      body: { kind: 'ohttp-key', e, config: toHex(encodeKeyConfig(config)) },
      store: async (q) => {
        await q.run('INSERT INTO uc_secrets (name, value) VALUES (?, ?)', [`ohttp-key:${e}`, secret]);
      },
    };
  }

  /** The gateway key for an encapsulated request's key id, reloading once if another process published it. */
  async ohttpKey(keyId: number): Promise<GatewayKey | undefined> {
    if (!this.ohttp.has(keyId)) await this.refresh();
    return this.ohttp.get(keyId);
  }

  /**
   * The tariff signed with the log key, as meters are provisioned with it, and published in the
   * log. A version already published is returned as published; other bands under it are refused.
   */
  async publishTariff(tariff: Tariff): Promise<{ message: Uint8Array; signature: Uint8Array }> {
    const suite = this.pinned.suite;
    const known = this.pinned.tariffs.get(tariff.version);
    if (known) {
      if (canonicalJson(known) !== canonicalJson(tariff)) fail('bad-params-log', `tariff version ${tariff.version} is published with other bands`);
      for (const { body } of this.entries) {
        if (body.kind !== 'tariff') continue;
        const signed = { message: fromHex(body.message), signature: fromHex(body.signature, 64) };
        if (decodeTariff(suite, signed.message, signed.signature, this.logKey.vk).version === tariff.version) return signed;
      }
    }
    const signed = signTariff(suite, tariff, this.logKey, rand(32));
    await this.append([{ kind: 'tariff', message: toHex(signed.message), signature: toHex(signed.signature) }]);
    this.log.info('published tariff', { version: tariff.version });
    return signed;
  }

  /** Registers a meter's identity key and opens its account; returns the account bearer token. */
  async registerMeter(meterId: string, vkM: Uint8Array): Promise<string> {
    const token = randomBytes(32).toString('hex');
    await this.append([{ kind: 'meter', meterId, vkM: toHex(vkM), firstC: 0 }], async (q) => {
      await q.run('INSERT INTO uc_accounts (meter_id, token_hash, created_at) VALUES (?, ?, ?)', [meterId, sha256(token), this.now()]);
    });
    this.log.info('registered meter', { meterId });
    return token;
  }

  /** Throws 401 unless `token` is the account token of `meterId`. */
  async authenticate(meterId: string, token: string | undefined): Promise<void> {
    if (!token) throw unauthorized();
    const rows = await this.db.all<{ token_hash: Uint8Array }>('SELECT token_hash FROM uc_accounts WHERE meter_id = ?', [meterId]);
    const expected = rows[0]?.token_hash;
    if (!expected || !timingSafeEqual(Buffer.from(expected), Buffer.from(sha256(token)))) throw unauthorized();
  }

  // ---- Pay ------------------------------------------------------------------------------------

  /** Pay (e, ρ) with one one-unit coin. */
  async pay(request: Uint8Array, proofs: readonly ProofIn[]): Promise<PayResult> {
    let t = stageStart();
    if (request.length === 36 && !this.pinned.epochKeys.has(new DataView(request.buffer, request.byteOffset, 4).getUint32(0, false))) await this.refresh();
    const { e, rho } = decodePayRequest(this.pinned, request);
    t = stageEnd('pay: validation', t);
    const stored = await this.lookup(request);
    t = stageEnd('pay: replay lookup', t);
    if (stored) return { receipt: stored, replay: true };
    if (proofs.length !== 1 || proofs[0]!.amount !== 1) throw new ApiError(400, UcCode.coinNotOneUnit, 'pay with exactly one coin of amount 1');
    const coin = this.mint.verifyInputs(proofs);
    if (coin.unit !== this.mint.unit) throw new ApiError(400, UcCode.coinNotOneUnit, `coin must be of unit ${this.mint.unit}`);
    t = stageEnd('pay: coin check', t);
    const secret = this.secrets.get(e) ?? fail('unknown-epoch', `UC holds no secret for epoch ${e}`);
    const receipt = encodeReceipt(this.pinned.suite, issueReceipt(this.pinned.suite, secret, rho, rand, (stage) => (t = stageEnd(`pay: ${stage}`, t))));
    this.faults('pay:before-tx');
    t = stageStart();
    const result = await this.db.tx(async (q): Promise<PayResult> => {
      const claimed = await q.all('INSERT INTO uc_paid (request, epoch, receipt) VALUES (?, ?, ?) ON CONFLICT DO NOTHING RETURNING epoch', [request, e, receipt]);
      if (claimed.length === 0) {
        // Paid concurrently by an identical request: return that receipt; this coin stays unspent.
        const rows = await q.all<{ receipt: Uint8Array }>('SELECT receipt FROM uc_paid WHERE request = ?', [request]);
        return { receipt: new Uint8Array(rows[0]!.receipt), replay: true };
      }
      this.faults('pay:after-claim');
      await this.mint.commitSpend(q, coin); // already spent: throws, and the claim rolls back
      this.faults('pay:after-spend');
      return { receipt, replay: false };
    });
    stageEnd('pay: storage commit (wait included)', t);
    this.faults('pay:after-commit');
    return result;
  }

  /** Coin-less lookup of the stored receipt of a paid u32(e) ‖ ρ. */
  async lookup(request: Uint8Array): Promise<Uint8Array | undefined> {
    decodePayRequest(this.pinned, request);
    const rows = await this.db.all<{ receipt: Uint8Array }>('SELECT receipt FROM uc_paid WHERE request = ?', [request]);
    return rows[0] ? new Uint8Array(rows[0].receipt) : undefined;
  }

  // ---- Settle, dispute, handover ----------------------------------------------------------------

  /** Settle (with C) or record as debt (without C); authenticated as the bill's account holder. */
  async settle(billMessage: Uint8Array, signature: Uint8Array, C: Uint8Array | undefined, token: string | undefined): Promise<RecordedBill> {
    let t = stageStart();
    const { suite, bill } = decodeBillMessage(billMessage);
    await this.authenticate(bill.meterId, token);
    t = stageEnd('settle: account', t);
    await this.refresh();
    t = stageEnd('settle: params log check', t);
    const point = C === undefined ? undefined : suite.decodePoint(C);
    this.faults('settle:before-tx');
    const rec = await this.db.tx(async (q) => {
      t = stageEnd('settle: transaction start', t);
      const view = await ledgerView(q, bill.meterId, [bill.c - 1, bill.c]);
      t = stageEnd('settle: ledger read', t);
      const rec = checkSettlement(this.pinned, view, (e) => this.secrets.get(e), billMessage, signature, point);
      t = stageEnd('settle: checks (signature, C = a_e·R)', t);
      const at = this.now();
      if (view.recordedBill(bill.meterId, bill.c)) {
        // A recorded debt now settled with its combined receipt.
        const n = await q.run("UPDATE uc_bills SET status = 'settled' WHERE meter_id = ? AND c = ? AND status = 'debt'", [bill.meterId, bill.c]);
        if (n !== 1) fail('already-settled', `bill ${bill.c} of ${bill.meterId} is already settled`);
        await q.run('UPDATE uc_debts SET cleared_at = ? WHERE meter_id = ? AND c = ?', [at, bill.meterId, bill.c]);
      } else {
        const n = await q.run(
          'INSERT INTO uc_bills (meter_id, c, period_label, epoch, bill_hash, bill_message, signature, status, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
          [rec.meterId, rec.c, rec.periodLabel, rec.e, rec.billHash, rec.billMessage, rec.signature, rec.status, at],
        );
        if (n !== 1) fail('already-settled', `bill ${bill.c} of ${bill.meterId} was recorded concurrently`);
        if (rec.status === 'debt') await q.run('INSERT INTO uc_debts (meter_id, c, recorded_at) VALUES (?, ?, ?)', [rec.meterId, rec.c, at]);
      }
      if (rec.status === 'settled') await q.run('INSERT INTO uc_settlements (meter_id, c, combined, settled_at) VALUES (?, ?, ?, ?)', [rec.meterId, rec.c, C!, at]);
      this.faults('settle:after-record');
      t = stageEnd('settle: writes', t);
      return rec;
    });
    stageEnd('settle: commit', t);
    this.faults('settle:after-commit');
    this.log.info(rec.status === 'settled' ? 'bill settled' : 'bill recorded as debt', { meterId: rec.meterId, c: rec.c });
    return rec;
  }

  /**
   * Dispute: the household reveals its tokens. If all n open the bill, the paid ones are credited
   * and the rest owed openly; if they do not, nothing is credited and all n are owed openly.
   * Either way the period closes.
   */
  async dispute(
    billMessage: Uint8Array,
    billSignature: Uint8Array,
    disputeMessage: Uint8Array,
    disputeSignature: Uint8Array,
    rhos: readonly Uint8Array[],
    token: string | undefined,
  ): Promise<{ credited: number; owed: number }> {
    const { bill } = decodeBillMessage(billMessage);
    await this.authenticate(bill.meterId, token);
    await this.refresh();
    const result = await this.db.tx(async (q) => {
      const view = await ledgerView(q, bill.meterId, [bill.c - 1, bill.c]);
      // A dispute closes the period either way: the revealed tokens either open the bill (credited
      // as paid where paid) or they do not, and the household owes all n openly.
      const opened = verifyDispute(this.pinned, view, billMessage, billSignature, disputeMessage, disputeSignature);
      let credited = 0;
      if (openingMismatch(this.pinned.suite, opened, rhos) === undefined) {
        for (const rho of rhos) {
          const paid = await q.all('SELECT 1 AS paid FROM uc_paid WHERE request = ?', [encodePayRequest({ e: opened.record.e, rho })]);
          if (paid.length) credited++;
        }
      }
      const owed = opened.n - credited;
      const at = this.now();
      const rec = opened.record;
      if (view.recordedBill(bill.meterId, bill.c)) {
        const n = await q.run("UPDATE uc_bills SET status = 'disputed' WHERE meter_id = ? AND c = ? AND status = 'debt'", [bill.meterId, bill.c]);
        if (n !== 1) fail('already-settled', `bill ${bill.c} of ${bill.meterId} is already closed`);
        await q.run('UPDATE uc_debts SET cleared_at = ? WHERE meter_id = ? AND c = ?', [at, bill.meterId, bill.c]);
      } else {
        const n = await q.run(
          'INSERT INTO uc_bills (meter_id, c, period_label, epoch, bill_hash, bill_message, signature, status, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
          [rec.meterId, rec.c, rec.periodLabel, rec.e, rec.billHash, rec.billMessage, rec.signature, 'disputed', at],
        );
        if (n !== 1) fail('already-settled', `bill ${bill.c} of ${bill.meterId} was recorded concurrently`);
      }
      await q.run('INSERT INTO uc_disputes (meter_id, c, n, dispute_message, dispute_signature, credited, owed, opened_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
        rec.meterId,
        rec.c,
        opened.n,
        disputeMessage,
        disputeSignature,
        credited,
        owed,
        at,
      ]);
      return { credited, owed };
    });
    this.log.info('dispute closed', { meterId: bill.meterId, c: bill.c, credited: result.credited, owed: result.owed });
    return result;
  }

  /** Meter replacement: retire the old key, register the new one from lastC + 1. */
  async handover(message: Uint8Array, signature: Uint8Array, token: string | undefined): Promise<void> {
    const { handover } = decodeHandoverMessage(message);
    await this.authenticate(handover.meterId, token);
    await this.refresh();
    const view = await ledgerView(this.db, handover.meterId, [handover.lastC, handover.lastC + 1]);
    const bodies = checkHandover(this.pinned, view, message, signature);
    await this.append(bodies, async (q) => {
      await q.run('INSERT INTO uc_handovers (meter_id, last_c, message, signature, at) VALUES (?, ?, ?, ?, ?)', [handover.meterId, handover.lastC, message, signature, this.now()]);
    });
    this.log.info('meter handed over', { meterId: handover.meterId, lastC: handover.lastC });
  }

  /** Settlement status of an account: every recorded bill, and open debts. */
  async status(meterId: string, token: string | undefined): Promise<{ bills: BillStatusView[]; debts: number[] }> {
    await this.authenticate(meterId, token);
    const rows = await this.db.all<BillRow>('SELECT * FROM uc_bills WHERE meter_id = ? ORDER BY c', [meterId]);
    const debts = await this.db.all<{ c: number }>('SELECT c FROM uc_debts WHERE meter_id = ? AND cleared_at IS NULL ORDER BY c', [meterId]);
    return {
      bills: rows.map((r) => ({ c: r.c, periodLabel: r.period_label, e: r.epoch, status: r.status, billHash: toHex(new Uint8Array(r.bill_hash)) })),
      debts: debts.map((d) => d.c),
    };
  }
}

class LogRaceError extends Error {}

