/**
 * Dispute (opt-in, not private): the household reveals the dispute record and all n token
 * preimages. The UC credits revealed payments only if exactly n distinct ρ open the bill:
 * Σ H(ρ_i) = R + r·B. Anything else is `dispute-mismatch`, and the household owes n openly.
 * Either way the counter closes: a UC that closes the period on a mismatch uses verifyDispute
 * and openingMismatch directly (host/uc/service.ts does).
 */
import { bytesEqual, toHex } from './bytes.ts';
import { tokenPoint } from './derive.ts';
import { fail } from './errors.ts';
import { decodeDisputeMessage } from './messages.ts';
import { meterKeyFor, type PinnedParams } from './params-log.ts';
import { verifyBill, type LedgerView, type RecordedBill } from './settle.ts';
import { verifySignature } from './signature.ts';
import type { Point, Suite } from './suite.ts';

export interface DisputeOpening {
  readonly record: RecordedBill;
  readonly n: number;
  readonly rhos: readonly Uint8Array[];
}

/** A dispute whose bill and dispute record are authentic and bound together; the tokens are not yet checked. */
export interface VerifiedDispute {
  readonly record: RecordedBill;
  readonly n: number;
  readonly r: bigint;
  readonly R: Point;
}

/** Both signatures, the bill's chain and status, and the dispute record's binding to the bill. */
export function verifyDispute(
  params: PinnedParams,
  view: LedgerView,
  billMessage: Uint8Array,
  billSignature: Uint8Array,
  disputeMessage: Uint8Array,
  disputeSignature: Uint8Array,
): VerifiedDispute {
  const { bill, hash, existing } = verifyBill(params, view, billMessage, billSignature);
  if (existing && existing.status !== 'debt') fail('already-settled', `bill ${bill.c} of ${bill.meterId} is already ${existing.status}`);
  const { suite, dispute } = decodeDisputeMessage(disputeMessage);
  if (suite !== params.suite || dispute.meterId !== bill.meterId || dispute.c !== bill.c || !bytesEqual(dispute.billHash, hash)) {
    fail('period-mismatch', 'the dispute record names another bill');
  }
  verifySignature(meterKeyFor(params, bill.meterId, bill.c)!.vkM, disputeMessage, disputeSignature);
  const record: RecordedBill = {
    meterId: bill.meterId,
    c: bill.c,
    periodLabel: bill.periodLabel,
    e: bill.e,
    billHash: hash,
    billMessage,
    signature: billSignature,
    status: 'disputed',
  };
  return { record, n: dispute.n, r: dispute.r, R: bill.R };
}

/** Why the revealed tokens do not open the verified bill (exactly n distinct ρ with Σ H(ρ_i) = R + r·B), or undefined. */
export function openingMismatch(suite: Suite, d: VerifiedDispute, rhos: readonly Uint8Array[]): string | undefined {
  if (rhos.length !== d.n) return `${rhos.length} tokens revealed for a bill of ${d.n}`;
  if (new Set(rhos.map(toHex)).size !== rhos.length) return 'a token is revealed twice';
  const S = suite.sum(rhos.map((rho) => tokenPoint(suite, rho)));
  if (!S.equals(d.R.add(suite.mul(suite.B, d.r)))) return 'the revealed tokens do not open the bill';
  return undefined;
}

export function checkDispute(
  params: PinnedParams,
  view: LedgerView,
  billMessage: Uint8Array,
  billSignature: Uint8Array,
  disputeMessage: Uint8Array,
  disputeSignature: Uint8Array,
  rhos: readonly Uint8Array[],
): DisputeOpening {
  const d = verifyDispute(params, view, billMessage, billSignature, disputeMessage, disputeSignature);
  const mismatch = openingMismatch(params.suite, d, rhos);
  if (mismatch) fail('dispute-mismatch', mismatch);
  return { record: d.record, n: d.n, rhos };
}
