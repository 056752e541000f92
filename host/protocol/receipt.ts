/**
 * Receipts: the UC's BLS-style signature Z = a_e·H(ρ) on a paid token, with an RFC 9497
 * DLEQ proof (P-256) or nothing (BLS12-381: anyone checks e(Z, B2) = e(T, A2)).
 */
import { randomBytes } from 'node:crypto';
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

/**
 * UC side: Z = a_e·H(ρ) and, in the DLEQ suite, a proof that log_B A_e = log_T Z. `lap`, if
 * given, hears the end of each stage (the benchmark's per-stage timers).
 */
export function issueReceipt(suite: Suite, key: EpochSecret, rho: Uint8Array, rand: (n: number) => Uint8Array, lap?: (stage: 'hash_to_curve' | 'evaluation' | 'proof') => void): Receipt {
  const T = tokenPoint(suite, rho);
  lap?.('hash_to_curve');
  const Z = suite.mul(T, key.a);
  lap?.('evaluation');
  if (suite.pairing) return { Z, proof: undefined };
  const proof = generateProof(suite, sipsterContext(suite), key.a, key.A, T, Z, randomScalar(suite, rand));
  lap?.('proof');
  return { Z, proof };
}

/**
 * Wallet side: the receipt must match the pinned epoch key, or it is refused (`bad-receipt`).
 * Returns T = H(ρ), which the wallet keeps for its self-check.
 */
export function verifyReceipt(suite: Suite, key: EpochKey, rho: Uint8Array, receipt: Receipt): Point {
  const T = tokenPoint(suite, rho);
  if (!receiptHolds(suite, key, T, receipt)) {
    fail('bad-receipt', suite.pairing ? 'e(Z, B2) ≠ e(H(ρ), A2_e)' : 'DLEQ proof missing or not verifying under the pinned epoch key');
  }
  return T;
}

/** The check of one receipt for T = H(ρ): the pairing equation, or the DLEQ proof. */
function receiptHolds(suite: Suite, key: EpochKey, T: Point, receipt: Receipt): boolean {
  if (suite.pairing) return !receipt.Z.is0() && suite.pairing.equal(receipt.Z, suite.pairing.B2, T, pairingKey(key));
  return receipt.proof !== undefined && verifyProof(suite, sipsterContext(suite), key.A, T, receipt.Z, receipt.proof);
}

function pairingKey(key: EpochKey) {
  return key.A2 ?? fail('receipt-key-mismatch', 'pinned epoch key has no G2 half');
}

/** Bits of each small-exponent batch weight: a batch holding a bad receipt passes with probability ≤ 2^-(BITS-1). */
const WEIGHT_BYTES = 16;

/**
 * Batch weights δ_i: 128-bit, odd (so never zero), from the CSPRNG unless a test pins them.
 * They must be unpredictable to whoever made the receipts: knowing δ, a UC could offset two
 * receipts by δ_2·X and −δ_1·X and pass the batch with both wrong.
 */
export function batchWeights(n: number, rand: (n: number) => Uint8Array = randomBytes): bigint[] {
  return Array.from({ length: n }, () => bytesToBigInt(rand(WEIGHT_BYTES)) | 1n);
}

/** Many receipts checked at once: T_i = H(ρ_i) for each, and the indices of those that do not verify (ascending). */
export interface ReceiptsChecked {
  readonly T: Point[];
  readonly bad: number[];
}

/**
 * Many receipts of one epoch at once. Pairing suite: one small-exponent batch check
 * e(Σ δ_i Z_i, B2) = e(Σ δ_i T_i, A2_e) with the random weights of `batchWeights`, and receipt
 * by receipt only if it fails, to name the bad ones. DLEQ suite: each proof in turn (a Fiat-
 * Shamir proof (c, s) is checked by recomputing its own challenge: proofs do not combine).
 */
export function checkReceipts(suite: Suite, key: EpochKey, items: readonly { rho: Uint8Array; receipt: Receipt }[], rand?: (n: number) => Uint8Array): ReceiptsChecked {
  const T = items.map((x) => tokenPoint(suite, x.rho));
  const each = (): ReceiptsChecked => ({ T, bad: items.flatMap((x, i) => (receiptHolds(suite, key, T[i]!, x.receipt) ? [] : [i])) });
  if (!suite.pairing || items.length < 2) return each();
  const delta = batchWeights(items.length, rand);
  const Zsum = suite.msm(items.map((x) => x.receipt.Z), delta);
  const Tsum = suite.msm(T, delta);
  // an identity sum cannot enter the pairing; it is as good as a failed batch
  if (!Zsum.is0() && !Tsum.is0() && suite.pairing.equal(Zsum, suite.pairing.B2, Tsum, pairingKey(key))) return { T, bad: [] };
  return each();
}

/** `checkReceipts`, refusing the whole lot (`bad-receipt`, naming the first bad one) unless every receipt verifies. Returns the T_i. */
export function verifyReceipts(suite: Suite, key: EpochKey, items: readonly { rho: Uint8Array; receipt: Receipt }[], rand?: (n: number) => Uint8Array): Point[] {
  const { T, bad } = checkReceipts(suite, key, items, rand);
  if (bad.length) fail('bad-receipt', `${bad.length} of ${items.length} receipts do not verify, the first at index ${bad[0]}`);
  return T;
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
