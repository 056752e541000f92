/**
 * Wallet side of a closed period: the self-check Σ H(ρ_i) − r·B = R (it holds every token),
 * and Combine C = Σ Z_i − r·A_e (= a_e·R), checked before it is ever sent.
 */
import { tokenPoint } from './derive.ts';
import { fail } from './errors.ts';
import type { EpochKey } from './epoch.ts';
import type { Receipt } from './receipt.ts';
import type { Point, Suite } from './suite.ts';

/** Σ H(ρ_i) − r·B must equal the bill's R; `self-check-failed` means tokens are missing or foreign. */
export function selfCheck(suite: Suite, rhos: readonly Uint8Array[], r: bigint, R: Point): void {
  selfCheckPoints(suite, rhos.map((rho) => tokenPoint(suite, rho)), r, R);
}

/** The self-check from token points T_i = H(ρ_i) the wallet already computed (receipt verification returns them). */
export function selfCheckPoints(suite: Suite, tokenPoints: readonly Point[], r: bigint, R: Point): void {
  if (!suite.sum(tokenPoints).subtract(suite.mul(suite.B, r)).equals(R)) {
    fail('self-check-failed', `the ${tokenPoints.length} tokens held do not open the bill's R`);
  }
}

/**
 * C = Σ Z_i − r·A_e from receipts the wallet verified one by one under the pinned key, after
 * the self-check passed: then C = a_e·(S − r·B) = a_e·R by construction. In the pairing suite
 * it is also checked directly, e(C, B2) = e(R, A2_e), before it leaves.
 */
export function combine(suite: Suite, key: EpochKey, receipts: readonly Receipt[], r: bigint, R: Point): Point {
  const C = suite.sum(receipts.map((x) => x.Z)).subtract(suite.mul(key.A, r));
  if (suite.pairing) {
    if (!key.A2 || !suite.pairing.equal(C, suite.pairing.B2, R, key.A2)) fail('combined-receipt-mismatch', 'e(C, B2) ≠ e(R, A2_e)');
  }
  return C;
}
