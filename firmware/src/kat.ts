// Boot known-answer test of the meter's own crypto: every primitive the meter relies on is run on
// fixed inputs and compared with answers computed by @noble/curves (checked again by
// firmware/test/app/kat.test.ts). If any differs, the meter issues nothing and says so.
import { ascii, equal, fromHex } from './bytes.ts';
import { ecdsaKeyFromSeed, ecdsaSign, ecdsaVerify, pointEncode, sha256 } from './crypto/index.ts';
import { billPoint, billScalar, periodSeed, tokenPoint, tokenRho } from './derive.ts';

export const KAT = {
  kappa: 0x11, rnd: 0x22, keySeed: 0x07, meterId: 'KAT-METER', c: 3, tokenC: 1, tokenI: 2, msg: 'sipster/v1/kat',
  sha256Abc: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  vk: '031e18532fd4754c02f3041d9c75ceb33b83ffd81ac7ce4fe882ccb1c98bc5896e',
  seed: 'eecbb91ef56dd4543a18c8f208869b47cee238b31111ad9c3c1e45fc31f94e9f',
  rho: '2aae7f0d26382930ae22a01151f2a5e1d13ea8521c2500505476af96cb6a7746',
  T: '035ad75e5fc73dbd3803f28e0de82151db27b9583363e8049fe90c29e42e7714ee',
  r: '37a888d4a78bb92d45c2f6449eb4a667492416c5685dfa1eeffcb78dadc990ff',
  R: '03811ff9998ae1fc73491b8d0b2688618c6c857593d872cc86bddf7c6dbc1d1e6e',
  sig: '6197ca3a0cfb73b776aaed6337483e8c60735621b17b91799ae47c57383155b33249662b63bd2e5cc52ddcfd395af03b171dd0f50d38c69a0b72ad1a745dd5ae',
};

function filled(v: number): Uint8Array {
  return new Uint8Array(32).fill(v);
}

export function runKat(): boolean {
  try {
    if (!equal(sha256(ascii('abc')), fromHex(KAT.sha256Abc))) return false;
    const key = ecdsaKeyFromSeed(filled(KAT.keySeed));
    const vk = fromHex(KAT.vk);
    if (!equal(key.pk, vk)) return false;
    const seed = periodSeed(filled(KAT.kappa), filled(KAT.rnd), KAT.meterId, vk, KAT.c);
    if (!equal(seed, fromHex(KAT.seed))) return false;
    const rho = tokenRho(seed, KAT.tokenC, KAT.tokenI);
    if (!equal(rho, fromHex(KAT.rho))) return false;
    const T = tokenPoint(rho);
    if (!equal(pointEncode(T), fromHex(KAT.T))) return false;
    const r = billScalar(seed);
    if (!equal(r, fromHex(KAT.r)) || !equal(billPoint(T, r), fromHex(KAT.R))) return false;
    const msg = ascii(KAT.msg);
    const known = fromHex(KAT.sig);
    if (!ecdsaVerify(vk, msg, known)) return false;
    known[63] ^= 1;
    if (ecdsaVerify(vk, msg, known)) return false;
    return ecdsaVerify(vk, msg, ecdsaSign(key.sk, msg, filled(0x33)));
  } catch (err) {
    return false;
  }
}
