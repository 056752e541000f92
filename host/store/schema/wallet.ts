// Tables of the household's wallet daemon: what the meter sent, the e-cash it holds, what it
// paid and got back, and where each billing period stands.
import type { Schema } from '../db.ts';

export const walletSchema: Schema = {
  name: 'wallet',
  version: 1,
  statements: [
    // Every record received from the meter, raw, once per (bootSeq, recordSeq).
    `CREATE TABLE w_records (
       boot_seq BIGINT NOT NULL,
       record_seq BIGINT NOT NULL,
       kind TEXT NOT NULL,
       payload BLOB NOT NULL,
       received_at BIGINT NOT NULL,
       PRIMARY KEY (boot_seq, record_seq))`,
    // The UC's parameters log as last fetched and verified under the pinned log key.
    `CREATE TABLE w_params (
       id INTEGER PRIMARY KEY,
       log_vk BLOB NOT NULL,
       entries TEXT NOT NULL,
       fetched_at BIGINT NOT NULL)`,
    // One-unit coins: available → reserved (bound to one token's pay request, so a retry resends
    // the identical request) → spent. proof = the Cashu proof as JSON.
    `CREATE TABLE w_coins (
       secret TEXT PRIMARY KEY,
       proof TEXT NOT NULL,
       state TEXT NOT NULL,
       reserved_c BIGINT,
       reserved_i BIGINT,
       added_at BIGINT NOT NULL)`,
    // Wallet secrets and counters: the seed of the deterministic coin secrets (NUT-13), and the
    // next unused counter.
    `CREATE TABLE w_meta (
       key TEXT PRIMARY KEY,
       value TEXT NOT NULL)`,
    // Mint quotes being withdrawn (fixed amounts on a schedule), with the keyset and the counter
    // range of their deterministic outputs, written before the mint is asked: after a crash the
    // same outputs are re-sent, or their signatures restored (NUT-09).
    `CREATE TABLE w_withdrawals (
       quote TEXT PRIMARY KEY,
       amount BIGINT NOT NULL,
       keyset_id TEXT NOT NULL,
       counter_start BIGINT NOT NULL,
       state TEXT NOT NULL,
       created_at BIGINT NOT NULL)`,
    // Tokens (c, i, e, ρ) and their payment: the time chosen inside the payment window, the coin
    // bound to it, the verified receipt.
    `CREATE TABLE w_tokens (
       c BIGINT NOT NULL,
       i BIGINT NOT NULL,
       e BIGINT NOT NULL,
       period_label BIGINT NOT NULL,
       rho BLOB NOT NULL,
       state TEXT NOT NULL,
       pay_at BIGINT NOT NULL,
       coin TEXT,
       attempts BIGINT NOT NULL,
       receipt BLOB,
       PRIMARY KEY (c, i))`,
    // Billing periods: the bill record as received, the self-check, the settlement outcome.
    `CREATE TABLE w_periods (
       c BIGINT PRIMARY KEY,
       period_label BIGINT NOT NULL,
       e BIGINT NOT NULL,
       n BIGINT NOT NULL,
       bill_message BLOB NOT NULL,
       beta BLOB NOT NULL,
       r BLOB NOT NULL,
       dispute_message BLOB NOT NULL,
       dispute_signature BLOB NOT NULL,
       state TEXT NOT NULL,
       detail TEXT,
       next_attempt BIGINT NOT NULL,
       updated_at BIGINT NOT NULL)`,
    // Handover records to pass on to the UC.
    `CREATE TABLE w_handovers (
       message BLOB PRIMARY KEY,
       signature BLOB NOT NULL,
       state TEXT NOT NULL)`,
  ],
};

// Records the serial line could have forged, kept until the wallet can judge them (a separate
// schema, so a store made before it gains these tables without a migration of the first).
export const walletCandidatesSchema: Schema = {
  name: 'wallet-candidates',
  version: 1,
  statements: [
    // Bill records as received, by SHA-256 of the payload: a bill becomes a period (w_periods)
    // only once its signatures verify under the meter's key in the pinned parameters log.
    `CREATE TABLE w_bill_candidates (
       digest BLOB PRIMARY KEY,
       c BIGINT NOT NULL,
       payload BLOB NOT NULL,
       received_at BIGINT NOT NULL)`,
    // A second, different token for a (c, i) already held: one of the two is not the meter's.
    // The period's signed bill decides which (its self-check opens only with the right ones).
    `CREATE TABLE w_token_alternates (
       c BIGINT NOT NULL,
       i BIGINT NOT NULL,
       e BIGINT NOT NULL,
       period_label BIGINT NOT NULL,
       rho BLOB NOT NULL,
       PRIMARY KEY (c, i, rho))`,
  ],
};
