// Tables of the utility company (UC) service. The mint's tables may live in the same store, so
// that redeeming a coin, issuing its receipt and marking ρ paid commit in one transaction.
import type { Schema } from '../db.ts';

export const ucSchema: Schema = {
  name: 'uc',
  version: 1,
  statements: [
    // Long-lived secrets of this UC: the parameters-log signing key.
    `CREATE TABLE uc_secrets (
       name TEXT PRIMARY KEY,
       value BLOB NOT NULL)`,
    // The append-only, signed parameters log; entry = JSON ParamsEntry (host/protocol/params-log.ts).
    `CREATE TABLE uc_params_log (
       seq BIGINT PRIMARY KEY,
       entry TEXT NOT NULL,
       created_at BIGINT NOT NULL)`,
    // Receipt key per epoch: a_e (secret scalar) and its published half (u32(e) ‖ A_e (‖ A2_e)).
    `CREATE TABLE uc_epoch_keys (
       epoch BIGINT PRIMARY KEY,
       secret BLOB NOT NULL,
       public BLOB NOT NULL,
       created_at BIGINT NOT NULL)`,
    // Account holders: SHA-256 of the bearer token that authenticates settle/dispute/handover.
    `CREATE TABLE uc_accounts (
       meter_id TEXT PRIMARY KEY,
       token_hash BLOB NOT NULL,
       created_at BIGINT NOT NULL)`,
    // Paid tokens: the pay request u32(e) ‖ ρ → the receipt issued for it. No household, no time
    // finer than needed, nothing linking one row to another.
    `CREATE TABLE uc_paid (
       request BLOB PRIMARY KEY,
       epoch BIGINT NOT NULL,
       receipt BLOB NOT NULL)`,
    // One bill per (meterId, c): settled, debt, or disputed.
    `CREATE TABLE uc_bills (
       meter_id TEXT NOT NULL,
       c BIGINT NOT NULL,
       period_label BIGINT NOT NULL,
       epoch BIGINT NOT NULL,
       bill_hash BLOB NOT NULL,
       bill_message BLOB NOT NULL,
       signature BLOB NOT NULL,
       status TEXT NOT NULL,
       recorded_at BIGINT NOT NULL,
       PRIMARY KEY (meter_id, c))`,
    `CREATE TABLE uc_settlements (
       meter_id TEXT NOT NULL,
       c BIGINT NOT NULL,
       combined BLOB NOT NULL,
       settled_at BIGINT NOT NULL,
       PRIMARY KEY (meter_id, c))`,
    `CREATE TABLE uc_debts (
       meter_id TEXT NOT NULL,
       c BIGINT NOT NULL,
       recorded_at BIGINT NOT NULL,
       cleared_at BIGINT,
       PRIMARY KEY (meter_id, c))`,
    `CREATE TABLE uc_disputes (
       meter_id TEXT NOT NULL,
       c BIGINT NOT NULL,
       n BIGINT NOT NULL,
       dispute_message BLOB NOT NULL,
       dispute_signature BLOB NOT NULL,
       credited BIGINT NOT NULL,
       owed BIGINT NOT NULL,
       opened_at BIGINT NOT NULL,
       PRIMARY KEY (meter_id, c))`,
    `CREATE TABLE uc_handovers (
       meter_id TEXT NOT NULL,
       last_c BIGINT NOT NULL,
       message BLOB NOT NULL,
       signature BLOB NOT NULL,
       at BIGINT NOT NULL,
       PRIMARY KEY (meter_id, last_c))`,
  ],
};
