// The meter's derivations and signed-message encoders, byte for byte as DESIGN.md
// ("Exact derivations and encodings"), suite P256-SHA256. host/protocol mirrors these.
//
// Notation: lp(x) = u16 big-endian length ‖ x; u32(x) = 4 bytes big-endian; ‖ concatenation.
// meterId and fault detail are ASCII strings (bytes 0x00..0x7f), encoded one byte per char.
// Points are SEC1 compressed (33 B); scalars 32 B big-endian.
//
//   seed      = HKDF-SHA256(salt = "sipster/v1/seed", IKM = κ(32) ‖ rnd32(32),
//                 info = lp(suiteId) ‖ lp(meterId) ‖ SHA-256(vkM(33)) ‖ u32(c), L = 32)
//   ρ_i       = HMAC-SHA256(key = seed, "sipster/v1/token" ‖ u32(c) ‖ u32(i))
//   H(ρ)      = hash_to_curve(ρ, DST = "Sipster-v1-token-P256_XMD:SHA-256_SSWU_RO_")
//   r         = hash_to_field(seed, DST = "Sipster-v1-bill-P256-SHA256", count 1, L 48) mod n;
//               r = 0 is rejected (an error: the period fails closed)
//   R         = S − r·B
//
// Signed messages: lp(tag) ‖ lp(suiteId) ‖ fields
//   tag "sipster/v1/bill":     lp(meterId) ‖ u32(c) ‖ u32(periodLabel) ‖ u32(e) ‖ R(33)
//                              ‖ u32(tariffVersion) ‖ prev(32; SHA-256 of the previous
//                              billMessage, all zero for c = 0)
//   tag "sipster/v1/dispute":  lp(meterId) ‖ u32(c) ‖ u32(n) ‖ r(32) ‖ SHA-256(billMessage)(32)
//   tag "sipster/v1/fault":    lp(meterId) ‖ u32(code) ‖ u32(c) ‖ lp(detail)
//                              (c = the period counter current when the fault was detected)
//   tag "sipster/v1/handover": lp(meterId) ‖ oldVkM(33) ‖ u32(lastC) ‖ lastBillHash(32)
//                              ‖ newVkM(33)   (signed by the old key; lastBillHash = SHA-256
//                              of the old meter's last billMessage; if the old key never
//                              billed: lastC = 0xffffffff and lastBillHash all zero)
// Each is signed with ECDSA-P256-SHA256 over the raw message bytes, r ‖ s, low-s.

import { ascii, concat, equal, lp, u32 } from './bytes.ts';
import {
  hashToCurve,
  hashToScalar,
  hkdfSha256,
  hmacKey,
  hmacWith,
  mulBase,
  pointAdd,
  pointEncode,
  pointNeg,
  sha256,
  type HmacKey,
  type Point,
} from './crypto/index.ts';

export const SUITE_ID = 'P256-SHA256';

/** u32 that refuses anything but an integer in [0, 2^32): a wrapped counter must not be signed. */
function cu32(x: number): Uint8Array {
  // x >>> 0 is x only for the integers 0 .. 2^32 - 1 (not for NaN, fractions, negatives or non-numbers).
  if (x !== x >>> 0) throw new Error('derive: not a u32');
  return u32(x);
}

function lpc(x: Uint8Array): Uint8Array {
  if (x.length > 65535) throw new Error('derive: too long for lp');
  return lp(x);
}

/** x itself if it has exactly len bytes (the field's name is in the stack trace; the type is TypeScript's to check). */
function fixed(x: Uint8Array, len: number): Uint8Array {
  if (x.length !== len) throw new Error('derive: wrong field length');
  return x;
}

/** The protocol's tag prefix, version 1. */
export const V1 = 'sipster/v1/';
const SEED_SALT = ascii(V1 + 'seed');
const TOKEN_LABEL = ascii(V1 + 'token');
const TOKEN_DST = ascii('Sipster-v1-token-P256_XMD:SHA-256_SSWU_RO_');
const BILL_DST = ascii('Sipster-v1-bill-' + SUITE_ID);
const TAG_BILL = V1 + 'bill';
const TAG_DISPUTE = V1 + 'dispute';
const TAG_FAULT = V1 + 'fault';
const TAG_HANDOVER = V1 + 'handover';

/** Period seed from κ, 32 fresh RNG bytes and the meter identity. */
export function periodSeed(kappa: Uint8Array, rnd32: Uint8Array, meterId: string, vkM: Uint8Array, c: number): Uint8Array {
  const ikm = concat([fixed(kappa, 32), fixed(rnd32, 32)]);
  const info = concat([lpc(ascii(SUITE_ID)), lpc(ascii(meterId)), sha256(fixed(vkM, 33)), cu32(c)]);
  return hkdfSha256(SEED_SALT, ikm, info, 32);
}

/**
 * The HMAC key of the seed tokenRho saw last: a period's tokens share it, which saves the key's
 * padding loop on every token. By identity: a seed is never changed in place (periods get theirs
 * new from periodSeed or as a decoded copy).
 */
let rhoSeed: Uint8Array | null = null;
let rhoKey: HmacKey | null = null;

/** ρ_i, the token of unit i of period c. */
export function tokenRho(seed: Uint8Array, c: number, i: number): Uint8Array {
  'ram';
  if (seed !== rhoSeed) {
    rhoKey = hmacKey(fixed(seed, 32));
    rhoSeed = seed;
  }
  return hmacWith(rhoKey!, concat([TOKEN_LABEL, cu32(c), cu32(i)]));
}

/** H(ρ_i), the point folded into the running sum S. */
export function tokenPoint(rho: Uint8Array): Point {
  return hashToCurve(fixed(rho, 32), TOKEN_DST);
}

/** The bill blinding scalar r of a period (32 B); throws in the (negligible) case r = 0. */
export function billScalar(seed: Uint8Array): Uint8Array {
  const r = hashToScalar(fixed(seed, 32), BILL_DST);
  if (equal(r, new Uint8Array(32))) throw new Error('derive: r = 0');
  return r;
}

/** −r·B: the meter starts each period's fold here, so that S is R itself when the period ends. */
export function billOffset(r: Uint8Array): Point {
  return pointNeg(mulBase(fixed(r, 32)));
}

/** R = S − r·B, encoded (33 B). */
export function billPoint(S: Point, r: Uint8Array): Uint8Array {
  return pointEncode(pointAdd(S, billOffset(r)));
}

/** lp(tag) ‖ lp(suiteId) ‖ lp(meterId) ‖ fields: every signed message starts with the meterId. */
function signedMessage(tag: string, meterId: string, fields: Uint8Array[]): Uint8Array {
  return concat([lpc(ascii(tag)), lpc(ascii(SUITE_ID)), lpc(ascii(meterId))].concat(fields));
}

export function billMessage(
  meterId: string, c: number, periodLabel: number, e: number, R: Uint8Array, tariffVersion: number, prev: Uint8Array,
): Uint8Array {
  return signedMessage(TAG_BILL, meterId, [cu32(c), cu32(periodLabel), cu32(e), fixed(R, 33), cu32(tariffVersion), fixed(prev, 32)]);
}

export function disputeMessage(meterId: string, c: number, n: number, r: Uint8Array, billMessage: Uint8Array): Uint8Array {
  return signedMessage(TAG_DISPUTE, meterId, [cu32(c), cu32(n), fixed(r, 32), sha256(billMessage)]);
}

export function faultMessage(meterId: string, code: number, c: number, detail: string): Uint8Array {
  return signedMessage(TAG_FAULT, meterId, [cu32(code), cu32(c), lpc(ascii(detail))]);
}

export function handoverMessage(meterId: string, oldVkM: Uint8Array, lastC: number, lastBillHash: Uint8Array, newVkM: Uint8Array): Uint8Array {
  return signedMessage(TAG_HANDOVER, meterId, [fixed(oldVkM, 33), cu32(lastC), fixed(lastBillHash, 32), fixed(newVkM, 33)]);
}
