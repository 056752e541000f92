/**
 * Replacement or reprovisioning: the old meter issues its final bill, then signs a handover
 * record naming its key, its last counter and that bill's hash, and the new device's vkM.
 * The UC retires the old key and registers the new one from lastC + 1 in the parameters log.
 * A key that never signed a bill says so with lastC = 0xffffffff and an all-zero hash; the new
 * key then takes over the old key's first counter.
 */
import { bytesEqual, toHex } from './bytes.ts';
import { fail } from './errors.ts';
import { decodeHandoverMessage, ZERO_HASH } from './messages.ts';

/** lastC of a handover from a key that never signed a bill (firmware/src/derive.ts uses the same). */
export const NEVER_BILLED = 0xffffffff;
import { type ParamsBody, type PinnedParams } from './params-log.ts';
import type { LedgerView } from './settle.ts';
import { decodeVerifyingKey, verifySignature } from './signature.ts';

export function checkHandover(params: PinnedParams, view: LedgerView, message: Uint8Array, signature: Uint8Array): ParamsBody[] {
  const { suite, handover } = decodeHandoverMessage(message);
  if (suite !== params.suite) fail('period-mismatch', 'handover for another ciphersuite');
  const keys = params.meters.get(handover.meterId);
  if (!keys) fail('unknown-meter', `meter ${handover.meterId} is not registered`);
  const active = keys[keys.length - 1]!;
  if (active.lastC !== undefined || !bytesEqual(active.vkM, handover.oldVkM)) fail('retired-meter', 'handover is not signed by the active key');
  verifySignature(handover.oldVkM, message, signature);
  decodeVerifyingKey(handover.newVkM);
  let lastC: number;
  if (handover.lastC === NEVER_BILLED) {
    if (!bytesEqual(handover.lastBillHash, ZERO_HASH)) fail('broken-chain', 'a key that never billed names no bill hash');
    lastC = active.firstC - 1;
  } else {
    lastC = handover.lastC;
    if (lastC < active.firstC) fail('broken-chain', `counter ${lastC} precedes the handing-over key`);
    const finalBill = view.recordedBill(handover.meterId, lastC);
    if (!finalBill) fail('missing-previous-bill', `final bill ${lastC} is not recorded`);
    if (!bytesEqual(finalBill.billHash, handover.lastBillHash)) fail('broken-chain', 'handover names another final bill');
  }
  if (view.recordedBill(handover.meterId, lastC + 1)) fail('broken-chain', 'a bill after the final one exists');
  return [
    { kind: 'retire', meterId: handover.meterId, vkM: toHex(handover.oldVkM), lastC },
    { kind: 'meter', meterId: handover.meterId, vkM: toHex(handover.newVkM), firstC: lastC + 1 },
  ];
}
