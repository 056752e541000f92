// Entry of the profile bundle: the meter's crypto primitives, built with the flashed bundle's
// rollup and terser settings, put on the global `P` under quoted (unmangled) names.
import { Fp, fpInv, fpPowC1, makeFn } from '../../firmware/src/crypto/p256.ts';
import { montP256 } from '../../firmware/src/crypto/p256-mont.ts';
import { fe, type Fe } from '../../firmware/src/crypto/field.ts';
import { hashToCurve, hashToScalar, expandMessageXmd, mapToCurve } from '../../firmware/src/crypto/h2c.ts';
import { Point, pointDouble, pointAddTo, generator } from '../../firmware/src/crypto/point.ts';
import { sha256, hmacSha256 } from '../../firmware/src/crypto/hash.ts';
import { mulPoint, ecdsaSign, ecdsaVerify, ecdsaKeyFromSeed, ecdsaSignManyVerified, setBaseTable, mulBase } from '../../firmware/src/crypto/ecdsa.ts';
import { tokenRho, tokenPoint } from '../../firmware/src/derive.ts';
import { runKat } from '../../firmware/src/kat.ts';
import { encodeState, newPeriod, newState, type MeterState } from '../../firmware/src/state.ts';
import { abStore, save } from '../../firmware/src/store.ts';
import { tokenBody } from '../../firmware/src/records.ts';
import { frame } from '../../firmware/src/frame.ts';
import { emit } from '../../firmware/src/output.ts';

declare const global: any;
const Fn = makeFn();
// Field methods are mangled in the bundle: each gets a one-call wrapper (its cost is the 'call' row).
const fp = {
  'mul': (r: Fe, a: Fe, b: Fe) => Fp.mul(r, a, b), 'sqr': (r: Fe, a: Fe) => Fp.sqr(r, a), 'add': (r: Fe, a: Fe, b: Fe) => Fp.add(r, a, b),
  'sub': (r: Fe, a: Fe, b: Fe) => Fp.sub(r, a, b), 'setInt': (r: Fe, v: number) => Fp.setInt(r, v), 'sqrN': (r: Fe, a: Fe, k: number) => Fp.sqrN(r, a, k),
  'mulN': (r: Fe, a: Fe, b: Fe) => Fn.mul(r, a, b),
};
global['P'] = {
  'fp': fp, 'call': (r: Fe) => r, 'fpInv': fpInv, 'fpPowC1': fpPowC1, 'fnInv': Fn.inv, 'montP256': montP256, 'fe': fe,
  'hashToCurve': hashToCurve, 'hashToScalar': hashToScalar, 'expandMessageXmd': expandMessageXmd, 'mapToCurve': mapToCurve,
  'Point': Point, 'pointDouble': pointDouble, 'pointAddTo': pointAddTo, 'generator': generator,
  'sha256': sha256, 'hmacSha256': hmacSha256, 'mulPoint': mulPoint, 'ecdsaSign': ecdsaSign, 'ecdsaVerify': ecdsaVerify,
  'ecdsaKeyFromSeed': ecdsaKeyFromSeed, 'ecdsaSignManyVerified': ecdsaSignManyVerified, 'setBaseTable': setBaseTable, 'mulBase': mulBase, 'tokenRho': tokenRho,
  'tokenPoint': tokenPoint, 'runKat': runKat,
  // The per-token path (meter.ts issue): the state image, its slotted A/B save, the token record.
  'newState': (seed: Uint8Array) => newState(newPeriod(0, 0, 0, 1, seed)), 'setCount': (s: MeterState, n: number) => { s.cur.n = n; }, 'encodeState': encodeState, 'abStore': abStore, 'save': save,
  'tokenBody': tokenBody, 'frame': frame, 'emit': emit,
};
