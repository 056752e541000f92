/**
 * Settle (UC side, O(1) in n): a bill (billMessage, β) and a combined receipt C. Checks, each
 * with its own error: β under the meter's key for c, no other bill for (meterId, c), prev
 * chains to the recorded bill c−1, periodLabel increases, e = epochOf(periodLabel), and
 * C = a_e·R (or e(C, B2) = e(R, A2_e)). A bill without C is recorded as debt; the same bill
 * with a valid C later settles that debt. Unsettled periods never block later ones.
 */
import { bytesEqual } from './bytes.ts';
import { fail } from './errors.ts';
import { epochOf, type EpochSecret } from './epoch.ts';
import { billHash, decodeBillMessage, ZERO_HASH, type BillFields } from './messages.ts';
import { meterKeyFor, type PinnedParams } from './params-log.ts';
import { verifySignature } from './signature.ts';
import type { Point } from './suite.ts';

export type BillStatus = 'settled' | 'debt' | 'disputed';

export interface RecordedBill {
  readonly meterId: string;
  readonly c: number;
  readonly periodLabel: number;
  readonly e: number;
  readonly billHash: Uint8Array;
  readonly billMessage: Uint8Array;
  readonly signature: Uint8Array;
  readonly status: BillStatus;
}

/** What Settle reads from the UC's store: the recorded bill of (meterId, c), if any. */
export interface LedgerView {
  recordedBill(meterId: string, c: number): RecordedBill | undefined;
}

export interface VerifiedBill {
  readonly bill: BillFields;
  readonly hash: Uint8Array;
  /** The record already held for the same bill (a debt being settled), if any. */
  readonly existing: RecordedBill | undefined;
}

/** Signature, counter uniqueness, chain, label and epoch: everything but the combined receipt. */
export function verifyBill(params: PinnedParams, view: LedgerView, billMessage: Uint8Array, signature: Uint8Array): VerifiedBill {
  const { suite, bill } = decodeBillMessage(billMessage);
  if (suite !== params.suite) fail('period-mismatch', `bill is for suite ${suite.id}, this UC runs ${params.suite.id}`);
  const key = meterKeyFor(params, bill.meterId, bill.c);
  if (!key) {
    if (params.meters.has(bill.meterId)) fail('retired-meter', `no active key of ${bill.meterId} covers counter ${bill.c}`);
    fail('unknown-meter', `meter ${bill.meterId} is not registered`);
  }
  verifySignature(key.vkM, billMessage, signature);
  const hash = billHash(billMessage);
  const existing = view.recordedBill(bill.meterId, bill.c);
  if (existing && !bytesEqual(existing.billHash, hash)) fail('duplicate-bill', `another bill for ${bill.meterId} counter ${bill.c} is recorded`);
  if (bill.c === 0) {
    if (!bytesEqual(bill.prev, ZERO_HASH)) fail('broken-chain', 'the first bill must have an all-zero prev');
  } else {
    const previous = view.recordedBill(bill.meterId, bill.c - 1);
    if (!previous) fail('missing-previous-bill', `bill ${bill.c - 1} of ${bill.meterId} is not recorded (record it as debt first)`);
    if (!bytesEqual(previous.billHash, bill.prev)) fail('broken-chain', `prev does not match the recorded bill ${bill.c - 1}`);
    if (bill.periodLabel <= previous.periodLabel) fail('label-not-increasing', `periodLabel ${bill.periodLabel} ≤ ${previous.periodLabel}`);
  }
  if (bill.e !== epochOf(bill.periodLabel, params.epochLength)) fail('wrong-epoch', `epoch ${bill.e} is not epochOf(${bill.periodLabel})`);
  if (!params.epochKeys.has(bill.e)) fail('unknown-epoch', `no published key for epoch ${bill.e}`);
  return { bill, hash, existing };
}

/**
 * Full settlement check. `epochSecret` is needed in the DLEQ suite (the UC's a_e); in the
 * pairing suite the check is public. Returns the record to store, in one transaction, under a
 * unique (meterId, c) constraint.
 */
export function checkSettlement(
  params: PinnedParams,
  view: LedgerView,
  epochSecret: (e: number) => EpochSecret | undefined,
  billMessage: Uint8Array,
  signature: Uint8Array,
  C: Point | undefined,
): RecordedBill {
  const { bill, hash, existing } = verifyBill(params, view, billMessage, signature);
  if (existing && existing.status !== 'debt') fail('already-settled', `bill ${bill.c} of ${bill.meterId} is already ${existing.status}`);
  if (existing && !C) fail('already-settled', `bill ${bill.c} of ${bill.meterId} is already recorded as debt`);
  const base = { meterId: bill.meterId, c: bill.c, periodLabel: bill.periodLabel, e: bill.e, billHash: hash, billMessage, signature };
  if (!C) return { ...base, status: 'debt' };
  const suite = params.suite;
  if (suite.pairing) {
    const key = params.epochKeys.get(bill.e)!;
    if (!suite.pairing.equal(C, suite.pairing.B2, bill.R, key.A2!)) fail('combined-receipt-mismatch', 'e(C, B2) ≠ e(R, A2_e)');
  } else {
    const secret = epochSecret(bill.e);
    if (!secret) fail('unknown-epoch', `UC holds no secret for epoch ${bill.e}`);
    if (!suite.mul(bill.R, secret.a).equals(C)) fail('combined-receipt-mismatch', 'C ≠ a_e·R');
  }
  return { ...base, status: 'settled' };
}
