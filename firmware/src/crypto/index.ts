// Meter crypto for suite P256-SHA256, BigInt-free, for the Espruino 2v29 interpreter.
// Final API (bytes are Uint8Array everywhere; scalars 32-byte big-endian):
//   sha256(data) -> 32 B                     hmacSha256(key, data) -> 32 B
//   hmacKey(key) -> HmacKey, hmacWith(HmacKey, data) -> 32 B (one key, many MACs)
//   hkdfSha256(salt, ikm, info, length)      expandMessageXmd(msg, dst, len)
//   hashToScalar(msg, dst) -> 32 B           (hash_to_field mod n, count 1, L 48)
//   type Point (opaque)  pointZero()  pointAdd(a, b)  pointNeg(a)  pointEqual(a, b)
//   pointEncode(p) -> 33 B (throws on infinity)   pointDecode(33 B) -> Point (throws if invalid)
//   hashToCurve(msg, dst) -> Point           (P256_XMD:SHA-256_SSWU_RO_ with the given DST)
//   mulBase(k32) -> Point                    mulPoint(p, k32) -> Point   (k32 < n, else throws)
//   ecdsaKeyFromSeed(rand32) -> { sk, pk }   (throws if rand32 is 0 or >= n: draw again)
//   ecdsaSign(sk, msg, extraEntropy32 | null) -> 64 B r ‖ s, low-s
//   ecdsaVerify(pk33, msg, sig64) -> boolean
//   ecdsaSignMany(sk, msgs[], extras[]) / ecdsaVerifyMany(pk33, msgs[], sigs[]): the same
//     signatures / verdict, with the inversions shared
//   ecdsaSignManyVerified(sk, pk33, msgs[], extras[]) -> sigs | null: signed, then each verified
//     under pk33 = sk·B (null if one fails), one inversion mod n for the whole batch (bill + dispute)
//   Table (flash): baseTableBytes() / setBaseTable(u8) for B (BASE_TABLE_BYTES = 89,760 B); the
//     flashed bundle has no other (Node builds one comb in RAM without it).
//   opCounts = { mul, sqr, add, inv, sqrt (mod p), mulN, sqrN, addN, invN, sqrtN (mod n) }, resetOpCounts()
//   Derivations and signed messages of DESIGN.md: ../derive.ts

import { opCounts } from './p256.ts';
import { Point, pointAddTo, pointNegTo } from './point.ts';

export { sha256, hmacSha256, hmacKey, hmacWith, hkdfSha256, type HmacKey } from './hash.ts';
export { expandMessageXmd, hashToCurve, hashToScalar } from './h2c.ts';
export { Point, pointZero, pointEncode, pointDecode, pointEqual } from './point.ts';
export { COMB_TABLE_BYTES } from './scalar.ts';
export {
  mulBase,
  mulPoint,
  ecdsaKeyFromSeed,
  ecdsaSign,
  ecdsaVerify,
  ecdsaSignMany,
  ecdsaSignManyVerified,
  ecdsaVerifyMany,
  BASE_TABLE_BYTES,
  baseTableBytes,
  setBaseTable,
} from './ecdsa.ts';

export function pointAdd(a: Point, b: Point): Point {
  const r = new Point();
  pointAddTo(r, a, b);
  return r;
}

export function pointNeg(a: Point): Point {
  const r = new Point();
  pointNegTo(r, a);
  return r;
}

export { opCounts };

export function resetOpCounts(): void {
  for (const k in opCounts) opCounts[k] = 0;
}
