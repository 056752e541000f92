/**
 * Dispute (opt-in, not private): the household reveals the dispute record and all n token
 * preimages. The UC credits revealed payments only if exactly n distinct ρ open the bill:
 * Σ H(ρ_i) = R + r·B. Anything else is `dispute-mismatch`, and the household owes n openly.
 * Either way the counter closes. `dispute-mismatch` is raised only after the bill's and the
 * dispute record's signatures and their binding have verified, so a caller that catches it may
 * close the period with the authenticated n (host/uc/service.ts does).
 */
import { bytesEqual, toHex } from './bytes.ts';
import { tokenPoint } from './derive.ts';
import { fail } from './errors.ts';
import { decodeDisputeMessage } from './messages.ts';
import { meterKeyFor, type PinnedParams } from './params-log.ts';
import { verifyBill, type LedgerView, type RecordedBill } from './settle.ts';
import { verifySignature } from './signature.ts';

export interface DisputeOpening {
  readonly record: RecordedBill;
  readonly n: number;
  readonly rhos: readonly Uint8Array[];
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
  const { bill, hash, existing } = verifyBill(params, view, billMessage, billSignature);
  if (existing && existing.status !== 'debt') fail('already-settled', `bill ${bill.c} of ${bill.meterId} is already ${existing.status}`);
  const { suite, dispute } = decodeDisputeMessage(disputeMessage);
  if (suite !== params.suite || dispute.meterId !== bill.meterId || dispute.c !== bill.c || !bytesEqual(dispute.billHash, hash)) {
    fail('period-mismatch', 'the dispute record names another bill');
  }
  verifySignature(meterKeyFor(params, bill.meterId, bill.c)!.vkM, disputeMessage, disputeSignature);
  if (rhos.length !== dispute.n) fail('dispute-mismatch', `${rhos.length} tokens revealed for a bill of ${dispute.n}`);
  if (new Set(rhos.map(toHex)).size !== rhos.length) fail('dispute-mismatch', 'a token is revealed twice');
  const S = suite.sum(rhos.map((rho) => tokenPoint(suite, rho)));
  if (!S.equals(bill.R.add(suite.mul(suite.B, dispute.r)))) fail('dispute-mismatch', 'the revealed tokens do not open the bill');
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
  return { record, n: dispute.n, rhos };
}
