/**
 * UC receipt keys, one per epoch: a_e secret, A_e = a_e·B public (and A2_e = a_e·B2 in the
 * pairing suite). e = epochOf(periodLabel) = floor(periodLabel / epochLength), fixed at provisioning.
 */
import { concat, u32 } from './bytes.ts';
import { decodeFail, fail } from './errors.ts';
import { randomScalar, type G2Point, type Point, type Suite } from './suite.ts';

export interface EpochKey {
  readonly e: number;
  readonly A: Point;
  readonly A2: G2Point | undefined;
}

export interface EpochSecret extends EpochKey {
  readonly a: bigint;
}

export function epochOf(periodLabel: number, epochLength: number): number {
  if (!Number.isInteger(epochLength) || epochLength < 1) throw new RangeError('epochLength must be a positive integer');
  return Math.floor(periodLabel / epochLength);
}

export function generateEpochKey(suite: Suite, e: number, rand: (n: number) => Uint8Array): EpochSecret {
  return epochKeyFromSecret(suite, e, randomScalar(suite, rand));
}

export function epochKeyFromSecret(suite: Suite, e: number, a: bigint): EpochSecret {
  if (a <= 0n || a >= suite.order) fail('zero-scalar', 'epoch secret out of range');
  return { e, a, A: suite.mul(suite.B, a), A2: suite.pairing ? suite.pairing.mulB2(a) : undefined };
}

/** Public half as published in the parameters log: u32(e) ‖ A (‖ A2). */
export function encodeEpochKey(suite: Suite, key: EpochKey): Uint8Array {
  const A = suite.encodePoint(key.A);
  if (!suite.pairing) return concat(u32(key.e), A);
  if (!key.A2) throw new RangeError('pairing suite epoch key needs A2');
  return concat(u32(key.e), A, suite.pairing.encodeG2(key.A2));
}

/** Strict decoding; in the pairing suite also checks e(A, B2) = e(B, A2) so A and A2 share one secret. */
export function decodeEpochKey(suite: Suite, bytes: Uint8Array): EpochKey {
  const len = 4 + suite.pointLength + (suite.pairing ? suite.pairing.g2Length : 0);
  if (bytes.length !== len) decodeFail('wrong-length', `epoch key must be ${len} bytes, got ${bytes.length}`);
  const e = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, false);
  const A = suite.decodePoint(bytes.subarray(4, 4 + suite.pointLength));
  if (!suite.pairing) return { e, A, A2: undefined };
  const A2 = suite.pairing.decodeG2(bytes.subarray(4 + suite.pointLength));
  if (!suite.pairing.equal(A, suite.pairing.B2, suite.B, A2)) fail('bad-params-log', `epoch ${e}: A and A2 do not share one secret`);
  return { e, A, A2 };
}
