// Tables of the Cashu mint. Points and scalars are stored as bytes; amounts are BIGINT.
import type { Schema } from '../db.ts';

export const mintSchema: Schema = {
  name: 'mint',
  version: 1,
  statements: [
    // One row per keyset; `keys` is JSON {amount: {priv, pub}} (hex). The private keys never
    // leave this table except into the signing code.
    `CREATE TABLE mint_keysets (
       id TEXT PRIMARY KEY,
       unit TEXT NOT NULL,
       active INTEGER NOT NULL,
       input_fee_ppk BIGINT NOT NULL,
       keys TEXT NOT NULL,
       created_at BIGINT NOT NULL)`,
    // NUT-07 states: a proof is spent iff its Y = hash_to_curve(secret) is here.
    `CREATE TABLE mint_spent (
       y BLOB PRIMARY KEY,
       keyset_id TEXT NOT NULL,
       amount BIGINT NOT NULL,
       spent_at BIGINT NOT NULL)`,
    // Every blinded message signed, so none is signed twice (and outputs can be restored).
    `CREATE TABLE mint_promises (
       b BLOB PRIMARY KEY,
       c BLOB NOT NULL,
       keyset_id TEXT NOT NULL,
       amount BIGINT NOT NULL,
       dleq_e BLOB NOT NULL,
       dleq_s BLOB NOT NULL,
       created_at BIGINT NOT NULL)`,
    // NUT-04 bolt11 quotes: UNPAID → PAID (by the payment backend) → ISSUED (once).
    `CREATE TABLE mint_quotes (
       id TEXT PRIMARY KEY,
       request TEXT NOT NULL,
       amount BIGINT NOT NULL,
       unit TEXT NOT NULL,
       state TEXT NOT NULL,
       expiry BIGINT NOT NULL,
       created_at BIGINT NOT NULL)`,
  ],
};

// Payments confirmed by the provider's webhooks (a separate schema: a store made before it gains
// the table without a migration of the first).
export const mintPaymentsSchema: Schema = {
  name: 'mint-payments',
  version: 1,
  statements: [
    // Every webhook event applied, by the provider's event id: a replayed event changes nothing.
    `CREATE TABLE mint_payment_events (
       id TEXT PRIMARY KEY,
       quote TEXT NOT NULL,
       received_at BIGINT NOT NULL)`,
    // Expired unpaid quotes are swept by expiry.
    'CREATE INDEX mint_quotes_state_expiry ON mint_quotes (state, expiry)',
  ],
};
