// Boot known-answer test of the meter's own crypto: every primitive the meter relies on is run once
// on fixed inputs, and the SHA-256 of all their outputs is compared with the digest of the answers
// @noble/curves and the protocol core compute (firmware/test/app/kat.test.ts recomputes it), so
// the answers take 32 bytes of the bundle instead of each being stored. A signature that matches
// is noble's own for that key, message and extra entropy; it is then verified as the meter checks
// its own signatures (through sk and the s^-1 of the signing, one fixed-base product) and rejected
// with one bit of r flipped. The variable-base product (the tariff's verification) is run on a
// 16-bit scalar: the same window code, a tenth of the doublings. If anything differs, the meter
// issues nothing and says so.
import { ascii, concat, equal, fromHex } from './bytes.ts';
import { ecdsaKeyFromSeed, mulPoint, pointEncode, sha256 } from './crypto/index.ts';
import { ecdsa, verifyMany } from './crypto/ecdsa.ts';
import type { Fe } from './crypto/field.ts';
import { billPoint, billScalar, periodSeed, tokenPoint, tokenRho } from './derive.ts';

/**
 * The KAT's inputs and the digest of its answers. A function, not a constant, like everything here:
 * the meter runs the KAT only at boot, and module-level data would take its RAM for good.
 */
export function katVectors() {
  return {
    kappa: 0x11, rnd: 0x22, keySeed: 0x07, extra: 0x33, meterId: 'KAT-METER', c: 3, tokenC: 1, tokenI: 2, msg: 'sipster/v1/kat',
    /** The variable-base product's scalar (16 bits, big-endian in 32 bytes). */
    small: 0xc3a5,
    /** SHA-256 of SHA-256("abc") ‖ vk ‖ seed ‖ ρ ‖ T ‖ r ‖ R ‖ signature ‖ small·T, as kat.test.ts computes them with noble. */
    digest: '902ab9dc6e2e24ff4fd4ba02017eb4b68374fb2342ebeb0f0756b61677cb2c06',
  };
}

export type KatVectors = ReturnType<typeof katVectors>;

function filled(v: number): Uint8Array {
  return new Uint8Array(32).fill(v);
}

/** The outputs the KAT digest covers, in its order; sInv gets the signature's s^-1 (for its verification). */
export function katOutputs(kat: KatVectors, sInv: Fe[]): Uint8Array[] {
  const key = ecdsaKeyFromSeed(filled(kat.keySeed));
  const seed = periodSeed(filled(kat.kappa), filled(kat.rnd), kat.meterId, key.pk, kat.c);
  const rho = tokenRho(seed, kat.tokenC, kat.tokenI);
  const T = tokenPoint(rho);
  const r = billScalar(seed);
  const msg = ascii(kat.msg);
  const small = new Uint8Array(32);
  small[30] = kat.small >> 8;
  small[31] = kat.small & 255;
  return [
    sha256(ascii('abc')), key.pk, seed, rho, pointEncode(T), r, billPoint(T, r), ecdsa().signMany(key.sk, [msg], [filled(kat.extra)], sInv)[0]!,
    pointEncode(mulPoint(T, small)),
  ];
}

/** true iff every answer matches (kat: other vectors, for the tests; the meter's own by default). */
export function runKat(kat?: KatVectors): boolean {
  try {
    const k = kat || katVectors();
    const sInv: Fe[] = [];
    const out = katOutputs(k, sInv);
    if (!equal(sha256(concat(out)), fromHex(k.digest))) return false;
    const sk = filled(k.keySeed);
    const vk = out[1]!;
    const sig = out[7]!;
    const msg = ascii(k.msg);
    if (!verifyMany(vk, [msg], [sig], sInv, sk)) return false;
    sig[31] ^= 1;
    return !verifyMany(vk, [msg], [sig], sInv, sk);
  } catch (err) {
    return false;
  }
}
