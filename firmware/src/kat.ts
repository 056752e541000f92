// Boot known-answer test of the meter's own crypto: every primitive the meter relies on is run on
// fixed inputs, and the SHA-256 of all their outputs is compared with the digest of the answers
// @noble/curves and the protocol core compute (firmware/test/app/kat.test.ts recomputes it), so
// the answers take 32 bytes of the bundle instead of each being stored. A signature that matches
// is noble's own for that key, message and extra entropy, so verifying it (and rejecting it with
// one bit flipped) also checks verification against an independent signer. If anything differs,
// the meter issues nothing and says so.
import { ascii, concat, equal, fromHex } from './bytes.ts';
import { ecdsaKeyFromSeed, ecdsaSign, ecdsaVerify, pointEncode, sha256 } from './crypto/index.ts';
import { billPoint, billScalar, periodSeed, tokenPoint, tokenRho } from './derive.ts';

export const KAT = {
  kappa: 0x11, rnd: 0x22, keySeed: 0x07, extra: 0x33, meterId: 'KAT-METER', c: 3, tokenC: 1, tokenI: 2, msg: 'sipster/v1/kat',
  /** SHA-256 of SHA-256("abc") ‖ vk ‖ seed ‖ ρ ‖ T ‖ r ‖ R ‖ signature, as kat.test.ts computes them with noble. */
  digest: '486e0c350c769e1b6e467c4c8d6686d0073c64d5913b37c5084b6f4260323cc7',
};

function filled(v: number): Uint8Array {
  return new Uint8Array(32).fill(v);
}

/** The outputs the KAT digest covers, in its order. */
export function katOutputs(): Uint8Array[] {
  const key = ecdsaKeyFromSeed(filled(KAT.keySeed));
  const seed = periodSeed(filled(KAT.kappa), filled(KAT.rnd), KAT.meterId, key.pk, KAT.c);
  const rho = tokenRho(seed, KAT.tokenC, KAT.tokenI);
  const T = tokenPoint(rho);
  const r = billScalar(seed);
  const msg = ascii(KAT.msg);
  return [sha256(ascii('abc')), key.pk, seed, rho, pointEncode(T), r, billPoint(T, r), ecdsaSign(key.sk, msg, filled(KAT.extra))];
}

export function runKat(): boolean {
  try {
    const out = katOutputs();
    if (!equal(sha256(concat(out)), fromHex(KAT.digest))) return false;
    const vk = out[1]!;
    const sig = out[7]!;
    const msg = ascii(KAT.msg);
    if (!ecdsaVerify(vk, msg, sig)) return false;
    sig[63] ^= 1;
    return !ecdsaVerify(vk, msg, sig);
  } catch (err) {
    return false;
  }
}
