/**
 * Receipts: the UC's BLS-style signature Z = a_e·H(ρ) on a paid token, with an RFC 9497
 * DLEQ proof (P-256) or nothing (BLS12-381: anyone checks e(Z, B2) = e(T, A2)).
 */
import { bytesToBigInt, concat } from './bytes.ts';
import { tokenPoint } from './derive.ts';
import { decodeProof, encodeProof, generateProof, sipsterContext, verifyProof, type DleqProof } from './dleq.ts';
import { decodeFail, fail } from './errors.ts';
import type { EpochKey, EpochSecret } from './epoch.ts';
import { randomScalar, type Point, type Suite } from './suite.ts';

export interface Receipt {
  readonly Z: Point;
  /** Present in the DLEQ suite, absent in the pairing suite. */
  readonly proof: DleqProof | undefined;
}

export const receiptLength = (suite: Suite): number => suite.pointLength + (suite.pairing ? 0 : 64);

/** UC side: Z = a_e·H(ρ) and, in the DLEQ suite, a proof that log_B A_e = log_T Z. */
export function issueReceipt(suite: Suite, key: EpochSecret, rho: Uint8Array, rand: (n: number) => Uint8Array): Receipt {
  const T = tokenPoint(suite, rho);
  const Z = suite.mul(T, key.a);
  if (suite.pairing) return { Z, proof: undefined };
  const proof = generateProof(suite, sipsterContext(suite), key.a, key.A, T, Z, randomScalar(suite, rand));
  return { Z, proof };
}

/**
 * Wallet side: the receipt must match the pinned epoch key, or it is refused (`bad-receipt`).
 * Returns T = H(ρ), which the wallet keeps for its self-check.
 */
export function verifyReceipt(suite: Suite, key: EpochKey, rho: Uint8Array, receipt: Receipt): Point {
  const T = tokenPoint(suite, rho);
  if (suite.pairing) {
    if (!suite.pairing.equal(receipt.Z, suite.pairing.B2, T, pairingKey(key))) fail('bad-receipt', 'e(Z, B2) ≠ e(H(ρ), A2_e)');
    return T;
  }
  if (!receipt.proof) fail('bad-receipt', 'DLEQ proof missing');
  if (!verifyProof(suite, sipsterContext(suite), key.A, T, receipt.Z, receipt.proof)) {
    fail('bad-receipt', 'DLEQ proof does not verify under the pinned epoch key');
  }
  return T;
}

function pairingKey(key: EpochKey) {
  return key.A2 ?? fail('receipt-key-mismatch', 'pinned epoch key has no G2 half');
}

/**
 * Many receipts of one epoch at once. Pairing suite: one small-exponent batch check
 * e(Σ δ_i Z_i, B2) = e(Σ δ_i T_i, A2_e) with random 128-bit δ_i (a bad receipt passes with
 * probability ≤ 2^-128), and receipt by receipt only if the batch fails, to name the bad one.
 * DLEQ suite: each proof in turn. Returns the T_i.
 */
export function verifyReceipts(suite: Suite, key: EpochKey, items: readonly { rho: Uint8Array; receipt: Receipt }[], rand: (n: number) => Uint8Array): Point[] {
  if (!suite.pairing || items.length < 2) return items.map((x) => verifyReceipt(suite, key, x.rho, x.receipt));
  const T = items.map((x) => tokenPoint(suite, x.rho));
  const delta = items.map(() => bytesToBigInt(rand(16)) | 1n);
  const Zsum = suite.msm(items.map((x) => x.receipt.Z), delta);
  const Tsum = suite.msm(T, delta);
  if (suite.pairing.equal(Zsum, suite.pairing.B2, Tsum, pairingKey(key))) return T;
  items.forEach((x) => verifyReceipt(suite, key, x.rho, x.receipt));
  return fail('bad-receipt', 'batch check failed');
}

export function encodeReceipt(suite: Suite, receipt: Receipt): Uint8Array {
  const Z = suite.encodePoint(receipt.Z);
  if (suite.pairing) return Z;
  if (!receipt.proof) throw new RangeError('DLEQ suite receipt needs its proof');
  return concat(Z, encodeProof(suite, receipt.proof));
}

export function decodeReceipt(suite: Suite, bytes: Uint8Array): Receipt {
  if (bytes.length !== receiptLength(suite)) decodeFail('wrong-length', `receipt must be ${receiptLength(suite)} bytes, got ${bytes.length}`);
  const Z = suite.decodePoint(bytes.subarray(0, suite.pointLength));
  return { Z, proof: suite.pairing ? undefined : decodeProof(suite, bytes.subarray(suite.pointLength)) };
}
