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

/** ComputeComposites for m = 1: M = d0·C, Z = d0·D (the verifier's form; identical output to the fast form). */
function composites(suite: Suite, context: Uint8Array, B: Point, C: Point, D: Point): { M: Point; Z: Point } {
  const seed = sha256(concat(lp(suite.encodePoint(B)), lp(concat(utf8('Seed-'), context))));
  const transcript = concat(
    lp(seed),
    new Uint8Array([0, 0]), // I2OSP(i = 0, 2)
    lp(suite.encodePoint(C)),
    lp(suite.encodePoint(D)),
    utf8('Composite'),
  );
  const d0 = hashToScalar(suite, context, transcript);
  return { M: suite.mul(C, d0), Z: suite.mul(D, d0) };
}

function challenge(suite: Suite, context: Uint8Array, B: Point, M: Point, Z: Point, t2: Point, t3: Point): bigint {
  const e = (P: Point) => lp(suite.encodePoint(P));
  return hashToScalar(suite, context, concat(e(B), e(M), e(Z), e(t2), e(t3), utf8('Challenge')));
}

/** GenerateProof(k, A, B, C, D) with proof randomness r (the caller draws it; tests pin it). */
export function generateProof(suite: Suite, context: Uint8Array, k: bigint, B: Point, C: Point, D: Point, r: bigint): DleqProof {
  const A = suite.B;
  const { M, Z } = composites(suite, context, B, C, D);
  const t2 = suite.mul(A, r);
  const t3 = suite.mul(M, r);
  const c = challenge(suite, context, B, M, Z, t2, t3);
  return { c, s: mod(r - c * k, suite.order) };
}

export function verifyProof(suite: Suite, context: Uint8Array, B: Point, C: Point, D: Point, proof: DleqProof): boolean {
  const A = suite.B;
  const { M, Z } = composites(suite, context, B, C, D);
  const t2 = suite.mul(A, proof.s).add(suite.mul(B, proof.c));
  const t3 = suite.mul(M, proof.s).add(suite.mul(Z, proof.c));
  if (t2.is0() || t3.is0()) return false;
  return challenge(suite, context, B, M, Z, t2, t3) === proof.c;
}

export function encodeProof(suite: Suite, proof: DleqProof): Uint8Array {
  return concat(suite.encodeScalar(proof.c), suite.encodeScalar(proof.s));
}

export function decodeProof(suite: Suite, bytes: Uint8Array): DleqProof {
  if (bytes.length !== 64) decodeFail('wrong-length', `DLEQ proof must be 64 bytes, got ${bytes.length}`);
  return { c: suite.decodeScalar(bytes.subarray(0, 32)), s: suite.decodeScalar(bytes.subarray(32)) };
}
