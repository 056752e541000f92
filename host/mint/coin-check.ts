// The mint's proof check, C = k·Y with Y = hash_to_curve(secret) (NUT-00), with the product k·Y
// computed by mcl-wasm on secp256k1 (constant-time mulCT, the protocol core's accelerated group
// code, host/protocol/accel) instead of noble's BigInt arithmetic, which costs several
// milliseconds per proof and capped the UC's pay rate. Y is still cashu-ts's own hash_to_curve;
// the result is cross-checked against cashu-ts's verifyUnblindedSignature in the tests.
import { createRequire } from 'node:module';
import { webcrypto } from 'node:crypto';
import { hashToCurve } from '@cashu/cashu-ts';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { mclGroup } from '../protocol/accel/group.ts';
import { MclCurve, type MclExports } from '../protocol/accel/mcl.ts';

/** mcl curve id of secp256k1 (mcl/curve_type.h) and the compile-time check value of the build. */
const MCL_SECP256K1 = 102;
const MCLBN_COMPILED_TIME_VAR = 46;

const require = createRequire(import.meta.url);
const createModule = require('mcl-wasm/dist/mcl_c.js') as (opts: object) => Promise<MclExports>;
const wasm = await createModule({ cryptoGetRandomValues: (a: Uint8Array) => webcrypto.getRandomValues(a) });
if (wasm._mclBn_init(MCL_SECP256K1, MCLBN_COMPILED_TIME_VAR) !== 0) throw new Error('mcl: secp256k1 init failed');
const group = mclGroup(new MclCurve(wasm, 32), secp256k1.Point);
const Point = secp256k1.Point;

type CashuPoint = ReturnType<typeof hashToCurve>;

/**
 * Y = hash_to_curve(secret) and whether C = k·Y, for the mint key k (32 bytes, big-endian).
 * `C` has been decoded and validated by the caller.
 */
export function checkProof(secret: Uint8Array, C: CashuPoint, k: Uint8Array): { Y: Uint8Array; valid: boolean } {
  const Yc = hashToCurve(secret);
  const Y = Point.fromAffine(Yc.toAffine());
  const kY = group.mul(Y, BigInt('0x' + Buffer.from(k).toString('hex')));
  const expected = C.toAffine();
  const got = kY.toAffine();
  return { Y: Yc.toBytes(true), valid: got.x === expected.x && got.y === expected.y };
}
