// The Cashu mint's logic (NUT-00/01/02/03/04/07/09/12), independent of HTTP: keysets, bolt11
// quotes, minting, swapping, proof states, and `verifyInputs` + `commitSpend`, the redemption
// API the UC uses to spend a coin inside the same database transaction as its receipt.
//
// Blind signatures, DLEQ proofs and hash_to_curve are cashu-ts's own mint-side crypto, so
// cashu-ts wallets accept what this mint signs; the proof check's k·Y runs on mcl (coin-check.ts). CPU work (verifying, signing) happens before a
// transaction opens; the transaction only records spent Ys, signed outputs and quote states, with
// primary keys deciding every race (two swaps of one proof: exactly one commits).
import { randomBytes } from 'node:crypto';
import { createBlindSignature, createDLEQProof, createNewMintKeys, pointFromHex } from '@cashu/cashu-ts';
import type { Db, Sql } from '../store/db.ts';
import { migrate, serializeTx, TxLock } from '../store/db.ts';
import { mintPaymentsSchema, mintSchema } from '../store/schema/mint.ts';
import type { PaymentBackend } from './backend.ts';
import { checkProof, decodeCompressed } from './coin-check.ts';
import { NutCode, nutError } from './errors.ts';
import type { Field } from './validate.ts';
import { TOLERANCE_S, type PaymentEvent } from './webhook.ts';

type Point = ReturnType<typeof pointFromHex>;

export interface MintOptions {
  /** Unit of the keyset (default `tok`: one unit of a utility token). */
  unit?: string;
  /** Denominations 2^0 … 2^(n−1) (default 1: only one-unit coins). */
  pow2height?: number;
  name?: string;
  description?: string;
  /** Largest amount one bolt11 quote may ask for. */
  maxMintAmount?: number;
  maxInputs?: number;
  maxOutputs?: number;
  /** Seconds a quote may stay unpaid; after that it expires and is deleted. */
  quoteTtlSeconds?: number;
  now?: () => number;
}

interface Keyset {
  id: string;
  unit: string;
  active: boolean;
  inputFeePpk: number;
  /** amount → key pair */
  keys: Map<number, { priv: Uint8Array; pub: string }>;
}

/** A proof as sent by a wallet (NUT-00). */
export interface ProofIn {
  id: string;
  amount: number;
  secret: string;
  C: string;
}

/** A blinded message as sent by a wallet (NUT-00). */
export interface OutputIn {
  id: string;
  amount: number;
  B_: string;
}

export interface BlindSignatureOut {
  id: string;
  amount: number;
  C_: string;
  dleq: { e: string; s: string };
}

/** Inputs whose signatures checked out; `commitSpend` records them as spent. */
export interface VerifiedInputs {
  readonly ys: readonly Uint8Array[];
  readonly keysetIds: readonly string[];
  readonly amounts: readonly number[];
  readonly total: number;
  readonly unit: string;
}

export interface MintQuote {
  quote: string;
  request: string;
  amount: number;
  unit: string;
  state: 'UNPAID' | 'PAID' | 'ISSUED';
  expiry: number;
}

const HEX_ID = /^(00[0-9a-f]{14}|01[0-9a-f]{64})$/;
const POINT_HEX = /^0[23][0-9a-fA-F]{64}$/;

const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const fromHex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));

/** Reads a NUT-00 proof from a request body (shape only; `verifyInputs` checks the crypto). */
export function readProof(f: Field): ProofIn {
  f.object();
  return {
    id: f.get('id').string(66, HEX_ID),
    amount: f.get('amount').int(1, 2 ** 52),
    secret: f.get('secret').string(1024),
    C: f.get('C').string(66, POINT_HEX),
  };
}

/** Reads a NUT-00 blinded message; NUT-09 restore requests carry amount 0 (not known yet). */
export function readOutput(f: Field, minAmount = 1): OutputIn {
  f.object();
  return {
    id: f.get('id').string(66, HEX_ID),
    amount: f.get('amount').int(minAmount, 2 ** 52),
    B_: f.get('B_').string(66, POINT_HEX),
  };
}

function parsePoint(hex: string, what: string, code: number): Point {
  const p = decodeCompressed(fromHex(hex));
  if (!p) throw nutError(code, `${what} is not a valid curve point`);
  return p;
}

export class Mint {
  private readonly keysets = new Map<string, Keyset>();
  readonly unit: string;
  private readonly opts: Required<Omit<MintOptions, 'unit'>>;
  /** When expired unpaid quotes (and payment events too old to replay) were last deleted. */
  private sweptAt = -Infinity;

  private constructor(
    private readonly db: Db,
    private readonly backend: PaymentBackend,
    options: MintOptions,
  ) {
    this.unit = options.unit ?? 'tok';
    this.opts = {
      pow2height: options.pow2height ?? 1,
      name: options.name ?? 'Sipster mint',
      description: options.description ?? 'Cashu mint for Sipster utility tokens',
      maxMintAmount: options.maxMintAmount ?? 10_000,
      maxInputs: options.maxInputs ?? 1000,
      maxOutputs: options.maxOutputs ?? 1000,
      quoteTtlSeconds: options.quoteTtlSeconds ?? 3600,
      now: options.now ?? (() => Date.now()),
    };
  }

  /** Opens the mint on a store: creates its tables, loads keysets, creates the first keyset. */
  static async open(db: Db, backend: PaymentBackend, options: MintOptions = {}): Promise<Mint> {
    await migrate(db, mintSchema);
    await migrate(db, mintPaymentsSchema);
    const mint = new Mint(db, backend, options);
    await mint.loadKeysets();
    if (![...mint.keysets.values()].some((k) => k.active && k.unit === mint.unit)) {
      await mint.createKeyset();
      await mint.loadKeysets();
    }
    return mint;
  }

  private async loadKeysets(): Promise<void> {
    const rows = await this.db.all<{ id: string; unit: string; active: number; input_fee_ppk: number; keys: string }>(
      'SELECT id, unit, active, input_fee_ppk, keys FROM mint_keysets',
    );
    for (const row of rows) {
      const keys = new Map<number, { priv: Uint8Array; pub: string }>();
      for (const [amount, pair] of Object.entries(JSON.parse(row.keys) as Record<string, { priv: string; pub: string }>)) {
        keys.set(Number(amount), { priv: fromHex(pair.priv), pub: pair.pub });
      }
      this.keysets.set(row.id, { id: row.id, unit: row.unit, active: row.active === 1, inputFeePpk: row.input_fee_ppk, keys });
    }
  }

  private async createKeyset(): Promise<void> {
    // Keyset ids are version 01 ("v2" ids: SHA-256 over amounts, keys and unit), derived by
    // cashu-ts itself, so a cashu-ts wallet's id check passes.
    const pair = createNewMintKeys(this.opts.pow2height as Parameters<typeof createNewMintKeys>[0], randomBytes(32), { unit: this.unit, versionByte: 1 });
    const keys: Record<string, { priv: string; pub: string }> = {};
    for (const amount of Object.keys(pair.pubKeys)) {
      keys[amount] = { priv: toHex(pair.privKeys[amount]!), pub: toHex(pair.pubKeys[amount]!) };
    }
    // Several processes may open a new store at once (`uc serve` on one PostgreSQL): only the
    // first creates the unit's keyset, or each would sign with a keyset the others do not know.
    // The check and the insert are one transaction, serialized with the other processes'.
    await this.db.tx(async (q) => {
      await serializeTx(this.db, q, TxLock.mintKeyset);
      const active = await q.all('SELECT id FROM mint_keysets WHERE unit = ? AND active = 1', [this.unit]);
      if (active.length) return;
      await q.run('INSERT INTO mint_keysets (id, unit, active, input_fee_ppk, keys, created_at) VALUES (?, ?, 1, 0, ?, ?) ON CONFLICT DO NOTHING', [
        pair.keysetId,
        this.unit,
        JSON.stringify(keys),
        this.opts.now(),
      ]);
    });
  }

  // ---- NUT-06 / NUT-01 / NUT-02 ------------------------------------------------------------

  info(): object {
    return {
      name: this.opts.name,
      version: 'sipster-mint/0.1.0',
      description: this.opts.description,
      // Not NUT-06: how quotes get paid, so nobody mistakes a test mint for a real one.
      payments:
        this.backend.name === 'test'
          ? { backend: 'test', warning: 'TEST payment backend: every quote is PAID without payment; this e-cash is worthless' }
          : { backend: this.backend.name, webhook: '/v1/payments/webhook' },
      nuts: {
        '4': { methods: [{ method: 'bolt11', unit: this.unit, min_amount: 1, max_amount: this.opts.maxMintAmount }], disabled: false },
        '5': { methods: [], disabled: true },
        '7': { supported: true },
        '8': { supported: false },
        '9': { supported: true },
        '10': { supported: false },
        '11': { supported: false },
        '12': { supported: true },
      },
    };
  }

  /** NUT-01: keys of the active keysets, or of one keyset by id. */
  keys(id?: string): object {
    const sets = id === undefined ? [...this.keysets.values()].filter((k) => k.active) : [this.keyset(id)];
    return {
      keysets: sets.map((k) => ({
        id: k.id,
        unit: k.unit,
        active: k.active,
        input_fee_ppk: k.inputFeePpk,
        keys: Object.fromEntries([...k.keys].sort(([a], [b]) => a - b).map(([amount, pair]) => [String(amount), pair.pub])),
      })),
    };
  }

  /** NUT-02 */
  keysetList(): object {
    return { keysets: [...this.keysets.values()].map((k) => ({ id: k.id, unit: k.unit, active: k.active, input_fee_ppk: k.inputFeePpk })) };
  }

  private keyset(id: string): Keyset {
    const k = this.keysets.get(id);
    if (!k) throw nutError(NutCode.keysetUnknown, 'keyset is not known');
    return k;
  }

  // ---- proofs in (NUT-00/03/07, and the UC's redemption) ----------------------------------------

  /** Checks proofs without touching the store: known keyset, valid amount, signature k·Y = C. */
  verifyInputs(proofs: readonly ProofIn[]): VerifiedInputs {
    if (proofs.length === 0) throw nutError(NutCode.transactionNotBalanced, 'no inputs');
    if (proofs.length > this.opts.maxInputs) throw nutError(NutCode.maxInputsExceeded, `more than ${this.opts.maxInputs} inputs`);
    const ys: Uint8Array[] = [];
    const seen = new Set<string>();
    let total = 0;
    let unit: string | undefined;
    for (const proof of proofs) {
      const keyset = this.keyset(proof.id);
      if (unit !== undefined && keyset.unit !== unit) throw nutError(NutCode.unitsMismatch, 'inputs of several units');
      unit = keyset.unit;
      const key = keyset.keys.get(proof.amount);
      if (!key) throw nutError(NutCode.proofVerificationFailed, 'no key for this amount in the keyset');
      if (proof.secret.startsWith('[')) {
        // A NUT-10 secret carries spending conditions this mint does not enforce: refuse rather
        // than let anyone spend a locked proof.
        throw nutError(NutCode.spendingConditionUnsupported, 'spending conditions (NUT-10) are not supported');
      }
      const C = parsePoint(proof.C, 'proof C', NutCode.proofVerificationFailed);
      const { Y, valid } = checkProof(new TextEncoder().encode(proof.secret), C, key.priv);
      if (!valid) throw nutError(NutCode.proofVerificationFailed, 'proof signature does not verify');
      const yHex = toHex(Y);
      if (seen.has(yHex)) throw nutError(NutCode.duplicateInputs, 'duplicate inputs');
      seen.add(yHex);
      ys.push(Y);
      total += proof.amount;
    }
    return { ys, keysetIds: proofs.map((p) => p.id), amounts: proofs.map((p) => p.amount), total, unit: unit! };
  }

  /**
   * Records verified inputs as spent inside the caller's transaction `q`. Throws 11001 (and the
   * caller's transaction must roll back) if any of them was spent before.
   */
  async commitSpend(q: Sql, inputs: VerifiedInputs): Promise<void> {
    const now = this.opts.now();
    // Fixed order, so concurrent PostgreSQL transactions lock rows in one order (no deadlock).
    const order = inputs.ys.map((_, i) => i).sort((a, b) => Buffer.compare(inputs.ys[a]!, inputs.ys[b]!));
    for (const i of order) {
      const changed = await q.run('INSERT INTO mint_spent (y, keyset_id, amount, spent_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING', [
        inputs.ys[i]!,
        inputs.keysetIds[i]!,
        inputs.amounts[i]!,
        now,
      ]);
      if (changed !== 1) throw nutError(NutCode.proofsAlreadySpent, 'proofs already spent');
    }
  }

  /** NUT-07 */
  async checkState(ys: readonly string[]): Promise<object> {
    const states = [];
    for (const y of ys) {
      const rows = await this.db.all('SELECT 1 AS spent FROM mint_spent WHERE y = ?', [fromHex(y)]);
      states.push({ Y: y, state: rows.length ? 'SPENT' : 'UNSPENT', witness: null });
    }
    return { states };
  }

  /**
   * NUT-09: the signatures this mint already issued on the given blinded messages, so a wallet
   * that lost a response (a crash mid-withdrawal) recovers its coins from deterministic secrets.
   */
  async restore(outputs: readonly OutputIn[]): Promise<{ outputs: OutputIn[]; signatures: BlindSignatureOut[] }> {
    const found: OutputIn[] = [];
    const signatures: BlindSignatureOut[] = [];
    for (const out of outputs) {
      const rows = await this.db.all<{ c: Uint8Array; keyset_id: string; amount: number; dleq_e: Uint8Array; dleq_s: Uint8Array }>(
        'SELECT c, keyset_id, amount, dleq_e, dleq_s FROM mint_promises WHERE b = ?',
        [fromHex(out.B_.toLowerCase())],
      );
      const row = rows[0];
      if (!row) continue;
      found.push(out);
      signatures.push({ id: row.keyset_id, amount: row.amount, C_: toHex(row.c), dleq: { e: toHex(row.dleq_e), s: toHex(row.dleq_s) } });
    }
    return { outputs: found, signatures };
  }

  // ---- outputs (NUT-00/03/04/12) -----------------------------------------------------------------

  private signOutputs(outputs: readonly OutputIn[], unit: string): BlindSignatureOut[] {
    if (outputs.length === 0) throw nutError(NutCode.transactionNotBalanced, 'no outputs');
    if (outputs.length > this.opts.maxOutputs) throw nutError(NutCode.maxOutputsExceeded, `more than ${this.opts.maxOutputs} outputs`);
    const seen = new Set<string>();
    return outputs.map((out) => {
      const keyset = this.keyset(out.id);
      if (!keyset.active) throw nutError(NutCode.keysetInactive, 'keyset is inactive, cannot sign messages');
      if (keyset.unit !== unit) throw nutError(NutCode.unitsMismatch, 'inputs and outputs not of the same unit');
      const key = keyset.keys.get(out.amount);
      if (!key) throw nutError(NutCode.amountOutsideLimit, 'no key for this output amount');
      const b = out.B_.toLowerCase();
      if (seen.has(b)) throw nutError(NutCode.duplicateOutputs, 'duplicate outputs');
      seen.add(b);
      const B_ = parsePoint(b, 'output B_', NutCode.proofVerificationFailed);
      const sig = createBlindSignature(B_, key.priv, keyset.id);
      const dleq = createDLEQProof(B_, key.priv);
      return { id: keyset.id, amount: out.amount, C_: sig.C_.toHex(true), dleq: { e: toHex(dleq.e), s: toHex(dleq.s) } };
    });
  }

  private async storeSignatures(q: Sql, outputs: readonly OutputIn[], sigs: readonly BlindSignatureOut[]): Promise<void> {
    const now = this.opts.now();
    const order = outputs.map((_, i) => i).sort((a, b) => outputs[a]!.B_.toLowerCase().localeCompare(outputs[b]!.B_.toLowerCase()));
    for (const i of order) {
      const sig = sigs[i]!;
      const changed = await q.run(
        'INSERT INTO mint_promises (b, c, keyset_id, amount, dleq_e, dleq_s, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
        [fromHex(outputs[i]!.B_.toLowerCase()), fromHex(sig.C_), sig.id, sig.amount, fromHex(sig.dleq.e), fromHex(sig.dleq.s), now],
      );
      if (changed !== 1) throw nutError(NutCode.outputsAlreadySigned, 'outputs already signed');
    }
  }

  /** NUT-03: spends the inputs and signs the outputs, atomically. */
  async swap(inputs: readonly ProofIn[], outputs: readonly OutputIn[]): Promise<{ signatures: BlindSignatureOut[] }> {
    const verified = this.verifyInputs(inputs);
    const outTotal = outputs.reduce((s, o) => s + o.amount, 0);
    if (outTotal !== verified.total) throw nutError(NutCode.transactionNotBalanced, `inputs (${verified.total}) != outputs (${outTotal})`);
    const signatures = this.signOutputs(outputs, verified.unit);
    await this.db.tx(async (q) => {
      await this.commitSpend(q, verified);
      await this.storeSignatures(q, outputs, signatures);
    });
    return { signatures };
  }

  // ---- NUT-04 bolt11 quotes ------------------------------------------------------------------

  async createMintQuote(amount: number, unit: string): Promise<MintQuote> {
    if (unit !== this.unit) throw nutError(NutCode.unitNotSupported, `unit ${unit} is not supported (this mint issues ${this.unit})`);
    if (amount < 1 || amount > this.opts.maxMintAmount) throw nutError(NutCode.amountOutsideLimit, `amount must be between 1 and ${this.opts.maxMintAmount}`);
    await this.sweep();
    const id = randomBytes(16).toString('hex');
    const request = await this.backend.createInvoice(amount, unit, id);
    const quote: MintQuote = {
      quote: id,
      request,
      amount,
      unit,
      state: 'UNPAID',
      expiry: Math.floor(this.opts.now() / 1000) + this.opts.quoteTtlSeconds,
    };
    await this.db.run('INSERT INTO mint_quotes (id, request, amount, unit, state, expiry, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      quote.quote,
      quote.request,
      quote.amount,
      quote.unit,
      quote.state,
      quote.expiry,
      this.opts.now(),
    ]);
    return quote;
  }

  /** Deletes expired unpaid quotes and payment event ids too old to replay, at most once a minute. */
  private async sweep(): Promise<void> {
    const now = this.opts.now();
    if (now - this.sweptAt < 60_000) return;
    this.sweptAt = now;
    await this.db.run("DELETE FROM mint_quotes WHERE state = 'UNPAID' AND expiry < ?", [Math.floor(now / 1000)]);
    await this.db.run('DELETE FROM mint_payment_events WHERE received_at < ?', [now - 2 * TOLERANCE_S * 1000]);
  }

  /**
   * A payment the provider confirmed (an authentic, fresh webhook): the quote it names becomes
   * PAID if it is UNPAID, unexpired, and of exactly this amount and unit. The event id is stored
   * in the same transaction, so a replayed event changes nothing. Returns what happened.
   */
  async applyPayment(event: PaymentEvent): Promise<'paid' | 'duplicate'> {
    const now = this.opts.now();
    return this.db.tx(async (q) => {
      const [seen] = await q.all('SELECT 1 AS x FROM mint_payment_events WHERE id = ?', [event.id]);
      if (seen) return 'duplicate';
      const [row] = await q.all<{ amount: number; unit: string; state: string; expiry: number }>('SELECT amount, unit, state, expiry FROM mint_quotes WHERE id = ?', [event.quote]);
      if (!row) throw nutError(NutCode.quoteUnknown, 'quote is not known', 404);
      if (Number(row.amount) !== event.amount || row.unit !== event.unit) {
        throw nutError(NutCode.amountOutsideLimit, `payment of ${event.amount} ${event.unit} does not match the quote (${row.amount} ${row.unit})`);
      }
      if (row.state !== 'UNPAID') throw nutError(NutCode.quoteAlreadyIssued, `quote is already ${row.state}`, 409);
      if (Number(row.expiry) * 1000 <= now) throw nutError(NutCode.quoteExpired, 'quote is expired');
      await q.run('INSERT INTO mint_payment_events (id, quote, received_at) VALUES (?, ?, ?)', [event.id, event.quote, now]);
      await q.run("UPDATE mint_quotes SET state = 'PAID' WHERE id = ? AND state = 'UNPAID'", [event.quote]);
      return 'paid';
    });
  }

  /** The quote, with UNPAID refreshed from the payment backend. */
  async getMintQuote(id: string): Promise<MintQuote> {
    const rows = await this.db.all<{ id: string; request: string; amount: number; unit: string; state: MintQuote['state']; expiry: number }>(
      'SELECT id, request, amount, unit, state, expiry FROM mint_quotes WHERE id = ?',
      [id],
    );
    const row = rows[0];
    if (!row) throw nutError(NutCode.quoteUnknown, 'quote is not known');
    let state = row.state;
    if (state === 'UNPAID' && row.expiry * 1000 > this.opts.now() && (await this.backend.isPaid(row.request))) {
      await this.db.run("UPDATE mint_quotes SET state = 'PAID' WHERE id = ? AND state = 'UNPAID'", [id]);
      state = 'PAID';
    }
    return { quote: row.id, request: row.request, amount: row.amount, unit: row.unit, state, expiry: row.expiry };
  }

  /** NUT-04: signs outputs worth exactly the paid quote's amount, once. */
  async mintTokens(quoteId: string, outputs: readonly OutputIn[]): Promise<{ signatures: BlindSignatureOut[] }> {
    const quote = await this.getMintQuote(quoteId);
    if (quote.state === 'ISSUED') throw nutError(NutCode.quoteAlreadyIssued, 'quote has already been issued');
    if (quote.state === 'UNPAID') {
      if (quote.expiry * 1000 <= this.opts.now()) throw nutError(NutCode.quoteExpired, 'quote is expired');
      throw nutError(NutCode.quoteNotPaid, 'quote request is not paid');
    }
    const outTotal = outputs.reduce((s, o) => s + o.amount, 0);
    if (outTotal !== quote.amount) throw nutError(NutCode.transactionNotBalanced, `outputs (${outTotal}) != quote amount (${quote.amount})`);
    const signatures = this.signOutputs(outputs, quote.unit);
    await this.db.tx(async (q) => {
      const changed = await q.run("UPDATE mint_quotes SET state = 'ISSUED' WHERE id = ? AND state = 'PAID'", [quoteId]);
      if (changed !== 1) throw nutError(NutCode.quoteAlreadyIssued, 'quote has already been issued');
      await this.storeSignatures(q, outputs, signatures);
    });
    return { signatures };
  }
}
