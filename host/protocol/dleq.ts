/**
 * RFC 9497 §2.2 discrete-log-equality proof, batch size m = 1:
 * proves log_A(B) = log_C(D) for (A, B, C, D) = (generator, A_e, T_i, Z_i).
 * The context string is a parameter so the code can be checked against RFC 9497's own
 * VOPRF suite (context "OPRFV1-\x01-P256-SHA256") as well as used with Sipster's.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { concat, lp, utf8 } from './bytes.ts';
import { decodeFail } from './errors.ts';
import { type Point, type Suite } from './suite.ts';

export interface DleqProof {
  readonly c: bigint;
  readonly s: bigint;
}

export const sipsterContext = (suite: Suite): Uint8Array => utf8(`Sipster-v1-${suite.id}`);

const mod = (a: bigint, n: bigint): bigint => ((a % n) + n) % n;

function hashToScalar(suite: Suite, context: Uint8Array, msg: Uint8Array): bigint {
  return suite.hashToScalar(msg, concat(utf8('HashToScalar-'), context));
}

/** The composite weight d0 of RFC 9497 ComputeComposites for m = 1 (M = d0·C, Z = d0·D). */
function compositeWeight(suite: Suite, context: Uint8Array, B: Point, C: Point, D: Point): bigint {
  const seed = sha256(concat(lp(suite.encodePoint(B)), lp(concat(utf8('Seed-'), context))));
  const transcript = concat(
    lp(seed),
    new Uint8Array([0, 0]), // I2OSP(i = 0, 2)
    lp(suite.encodePoint(C)),
    lp(suite.encodePoint(D)),
    utf8('Composite'),
  );
  return hashToScalar(suite, context, transcript);
}

function challenge(suite: Suite, context: Uint8Array, B: Point, M: Point, Z: Point, t2: Point, t3: Point): bigint {
  const e = (P: Point) => lp(suite.encodePoint(P));
  return hashToScalar(suite, context, concat(e(B), e(M), e(Z), e(t2), e(t3), utf8('Challenge')));
}

/** GenerateProof(k, A, B, C, D) with proof randomness r (the caller draws it; tests pin it). */
export function generateProof(suite: Suite, context: Uint8Array, k: bigint, B: Point, C: Point, D: Point, r: bigint): DleqProof {
  const q = suite.order;
  const d0 = compositeWeight(suite, context, B, C, D);
  // M = d0·C, Z = d0·D = k·M, t3 = r·M: all multiples of C (ComputeCompositesFast)
  const M = suite.mul(C, d0);
  const Z = suite.mul(C, mod(k * d0, q));
  const t2 = suite.mul(suite.B, r);
  const t3 = suite.mul(C, mod(r * d0, q));
  const c = challenge(suite, context, B, M, Z, t2, t3);
  return { c, s: mod(r - c * k, q) };
}

export function verifyProof(suite: Suite, context: Uint8Array, B: Point, C: Point, D: Point, proof: DleqProof): boolean {
  const q = suite.order;
  const d0 = compositeWeight(suite, context, B, C, D);
  const M = suite.mul(C, d0);
  const Z = suite.mul(D, d0);
  const t2 = suite.msm([suite.B, B], [proof.s, proof.c]);
  // t3 = s·M + c·Z = (s·d0)·C + (c·d0)·D
  const t3 = suite.msm([C, D], [mod(proof.s * d0, q), mod(proof.c * d0, q)]);
  if (t2.is0() || t3.is0() || M.is0() || Z.is0()) return false;
  return challenge(suite, context, B, M, Z, t2, t3) === proof.c;
}

export function encodeProof(suite: Suite, proof: DleqProof): Uint8Array {
  return concat(suite.encodeScalar(proof.c), suite.encodeScalar(proof.s));
}

export function decodeProof(suite: Suite, bytes: Uint8Array): DleqProof {
  if (bytes.length !== 64) decodeFail('wrong-length', `DLEQ proof must be 64 bytes, got ${bytes.length}`);
  return { c: suite.decodeScalar(bytes.subarray(0, 32)), s: suite.decodeScalar(bytes.subarray(32)) };
}
