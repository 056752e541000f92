// The mint's proof check, C = k·Y with Y = hash_to_curve(secret) (NUT-00), computed on
// secp256k1 by mcl-wasm instead of noble's BigInt arithmetic, which cost milliseconds per proof
// and capped the UC's pay rate: k·Y by constant-time mulCT (the protocol core's accelerated group
// code, host/protocol/accel), and NUT-00's hash_to_curve (SHA-256 try-and-increment, x = the
// hash, even y) with its square root in mcl's field. Both are cross-checked in the tests against
// cashu-ts's own hashToCurve and verifyUnblindedSignature.
import { createRequire } from 'node:module';
import { webcrypto } from 'node:crypto';
import type { hashToCurve } from '@cashu/cashu-ts';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { mclGroup } from '../protocol/accel/group.ts';
import { FP_BYTES, MclCurve, type MclExports } from '../protocol/accel/mcl.ts';

/** mcl curve id of secp256k1 (mcl/curve_type.h) and the compile-time check value of the build. */
const MCL_SECP256K1 = 102;
const MCLBN_COMPILED_TIME_VAR = 46;

const require = createRequire(import.meta.url);
const createModule = require('mcl-wasm/dist/mcl_c.js') as (opts: object) => Promise<MclExports>;
const wasm = await createModule({ cryptoGetRandomValues: (a: Uint8Array) => webcrypto.getRandomValues(a) });
if (wasm._mclBn_init(MCL_SECP256K1, MCLBN_COMPILED_TIME_VAR) !== 0) throw new Error('mcl: secp256k1 init failed');
const curve = new MclCurve(wasm, 32);
const group = mclGroup(curve, secp256k1.Point);
const Point = secp256k1.Point;
const P = Point.Fp.ORDER;
const fx = wasm._malloc(FP_BYTES);
const fy = wasm._malloc(FP_BYTES);
const seven = wasm._malloc(FP_BYTES);
wasm._mclBnFp_setInt32(seven, 7);

type CashuPoint = ReturnType<typeof hashToCurve>;

const DOMAIN = new TextEncoder().encode('Secp256k1_HashToCurve_Cashu_');

/** The curve point with abscissa x and an ordinate of the given parity, if x is one (y² = x³ + 7). */
function lift(x: bigint, odd: boolean): { x: bigint; y: bigint } | undefined {
  if (x >= P) return undefined;
  curve.setFp(fx, x);
  wasm._mclBnFp_sqr(fy, fx);
  wasm._mclBnFp_mul(fy, fy, fx);
  wasm._mclBnFp_add(fy, fy, seven);
  if (wasm._mclBnFp_squareRoot(fy, fy) !== 0) return undefined;
  if (wasm._mclBnFp_isOdd(fy) !== (odd ? 1 : 0)) wasm._mclBnFp_neg(fy, fy);
  return { x, y: curve.getFp(fy) };
}

const hexToBigInt = (b: Uint8Array): bigint => BigInt('0x' + Buffer.from(b).toString('hex'));

/**
 * Strict SEC1 compressed decoding (02/03 ‖ x, x < p, a point with that x), the square root in
 * mcl: noble's BigInt square root cost a quarter of a millisecond per proof. Undefined if invalid;
 * the identity has no compressed encoding (and secp256k1 has no point with y = 0).
 */
export function decodeCompressed(b: Uint8Array): CashuPoint | undefined {
  if (b.length !== 33 || (b[0] !== 2 && b[0] !== 3)) return undefined;
  const a = lift(hexToBigInt(b.subarray(1)), b[0] === 3);
  return a ? Point.fromAffine(a) : undefined;
}

/** NUT-00 hash_to_curve: SHA-256(DOMAIN ‖ secret), then SHA-256(that ‖ u32le(counter)) until a point. */
export function hashToCurveCashu(secret: Uint8Array): { point: ReturnType<typeof Point.fromAffine>; compressed: Uint8Array } {
  const msgHash = sha256(new Uint8Array([...DOMAIN, ...secret]));
  const input = new Uint8Array(36);
  input.set(msgHash);
  const view = new DataView(input.buffer);
  for (let counter = 0; counter < 2 ** 16; counter++) {
    view.setUint32(32, counter, true);
    const h = sha256(input);
    const affine = lift(hexToBigInt(h), false);
    if (affine) {
      const compressed = new Uint8Array(33);
      compressed[0] = 2;
      compressed.set(h, 1);
      return { point: Point.fromAffine(affine), compressed };
    }
  }
  throw new Error('hash_to_curve: no point found');
}

/**
 * Y = hash_to_curve(secret) and whether C = k·Y, for the mint key k (32 bytes, big-endian).
 * `C` has been decoded and validated by the caller.
 */
export function checkProof(secret: Uint8Array, C: CashuPoint, k: Uint8Array): { Y: Uint8Array; valid: boolean } {
  const Y = hashToCurveCashu(secret);
  const kY = group.mul(Y.point, hexToBigInt(k));
  const expected = C.toAffine();
  const got = kY.toAffine();
  return { Y: Y.compressed, valid: got.x === expected.x && got.y === expected.y };
}
