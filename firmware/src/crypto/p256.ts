// P-256 fields and the fixed exponentiations mod p (addition chains: the exponents
// p-2, (p+1)/4 and (p-3)/4 are runs of ones and single bits, so ~253 squarings and
// 7..13 multiplications each, versus ~60 for a generic window). Fp is resident (every token
// uses it); the scalar field is made on demand (makeFn).

import { addCounters, makeField, fe, type Fe, type Field, type OpCounters } from './field.ts';
import { montP256 } from './p256-mont.ts';

/**
 * Counted field operations, flat: mul, sqr, add, inv, sqrt (mod p) and mulN, sqrN, addN, invN,
 * sqrtN (mod n). mul/sqr count every multiplication, also those inside inv/sqrt; add counts
 * additions, subtractions and negations.
 */
export const opCounts: OpCounters = {};

/** base field, p = 2^256 - 2^224 + 2^192 + 2^96 - 1 */
export const Fp = makeField('ffffffff00000001000000000000000000000000ffffffffffffffffffffffff', opCounts, '', montP256);
// The counters of Fn (mulN ... sqrtN) exist from the start, after Fp's: timing records list them in this order.
addCounters(opCounts, 'N');

/** The scalar field with exponentiation (mod p has addition chains instead, below) and inversion. */
export interface ScalarField extends Field {
  /** r = a^e, e big-endian bytes (e > 0) */
  powBytes(r: Fe, a: Fe, e: Uint8Array): void;
  /** r = a^(n-2) = a^-1 mod n (0 maps to 0) */
  inv(r: Fe, a: Fe): void;
}

/**
 * The scalar field, n = group order, made on each use and dropped after it: only keys, signatures,
 * verifications and the bill scalar need it (at boot, and when a period opens and closes), and on
 * the board a field holds ~440 variables while it exists (its closures, their "ram" copies, its
 * constants), a sixth of a 2,500-variable board. Making one takes ~14 ms on the interpreter.
 */
export function makeFn(): ScalarField {
  const F = makeField('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', opCounts, 'N', null) as ScalarField;
  // Fixed 4-bit windows over a table a^0..a^15: 14 + 252 + one per nonzero digit multiplications
  // (321 for n - 2, 309 with the sliding window this replaced, whose bit-by-bit scan cost more
  // interpreted steps), in a fifth of the code.
  F.powBytes = (r: Fe, a: Fe, e: Uint8Array): void => {
    'ram';
    const pw: Fe[] = [F.one, a];
    for (let i = 2; i < 16; i++) {
      const x = fe();
      F.mul(x, pw[i - 1], a);
      pw.push(x);
    }
    const acc = fe();
    acc.set(pw[e[0] >> 4]);
    for (let i = 1; i < 2 * e.length; i++) {
      for (let j = 0; j < 4; j++) F.sqr(acc, acc);
      const w = (e[i >> 1] >> (i & 1 ? 0 : 4)) & 15;
      if (w !== 0) F.mul(acc, acc, pw[w]);
    }
    r.set(acc);
  };
  const nMinus2 = new Uint8Array(F.nBytes);
  nMinus2[31] -= 2;
  F.inv = (r: Fe, a: Fe): void => {
    opCounts.invN++;
    F.powBytes(r, a, nMinus2);
  };
  return F;
}

/** xs[j] = a^(2^k - 1) for k = 2 << j (2, 4, 8, 16, 32), set by ones() */
const xs = [fe(), fe(), fe(), fe(), fe()];
const acc = fe();

/** The table xs: 31 squarings, 5 multiplications (x_2k = x_k^(2^k) * x_k) */
function ones(a: Fe): void {
  'ram';
  Fp.sqr(xs[0], a);
  Fp.mul(xs[0], xs[0], a);
  for (let j = 1; j < 5; j++) {
    Fp.sqrN(xs[j], xs[j - 1], 1 << j);
    Fp.mul(xs[j], xs[j], xs[j - 1]);
  }
}

/** acc = acc^(2^94) * a^(2^94 - 1), using the table of ones(): 94 = 32 + 32 + 16 + 8 + 4 + 2 */
function append94Ones(): void {
  'ram';
  for (const j of [4, 4, 3, 2, 1, 0]) {
    Fp.sqrN(acc, acc, 2 << j);
    Fp.mul(acc, acc, xs[j]);
  }
}

/** acc = a^((2^32 - 1) * 2^32 + 1), the common top of all three exponents */
function top(a: Fe): void {
  ones(a);
  Fp.sqrN(acc, xs[4], 32);
  Fp.mul(acc, acc, a);
}

/** r = a^(p-2) = a^-1 (0 maps to 0). p-2 = (2^32-1)<<224 | 1<<192 | (2^94-1)<<2 | 1 */
export function fpInv(r: Fe, a: Fe): void {
  opCounts.inv++;
  top(a);
  Fp.sqrN(acc, acc, 96);
  append94Ones();
  Fp.sqrN(acc, acc, 2);
  Fp.mul(r, acc, a);
}

/** r = a^((p+1)/4), a square root of a when one exists. (p+1)/4 = (2^32-1)<<222 | 1<<190 | 1<<94 */
export function fpSqrtCandidate(r: Fe, a: Fe): void {
  opCounts.sqrt++;
  top(a);
  Fp.sqrN(acc, acc, 96);
  Fp.mul(acc, acc, a);
  Fp.sqrN(r, acc, 94);
}

/** r = a^((p-3)/4) (RFC 9380 sqrt_ratio for q = 3 mod 4). (p-3)/4 = (2^32-1)<<222 | 1<<190 | (2^94-1) */
export function fpPowC1(r: Fe, a: Fe): void {
  opCounts.sqrt++;
  top(a);
  Fp.sqrN(acc, acc, 96);
  append94Ones();
  r.set(acc);
}
