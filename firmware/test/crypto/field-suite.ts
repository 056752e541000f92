// Field arithmetic checks against BigInt, shared by the plain-JS run (field.test.ts) and the
// E.convolve run (field-convolve.test.ts), which loads the modules with a board-like E in scope.
import { expect, it } from 'vitest';
import { edgeValues, fromBytes, N, P, randBelow, randBytes, toBytes32 } from './helpers.ts';

type P256Module = typeof import('../../src/crypto/p256.ts');
type FieldModule = typeof import('../../src/crypto/field.ts');

export function fieldSuite(load: () => Promise<{ p256: P256Module; field: FieldModule }>, randomCases: number): void {
  for (const which of ['p', 'n'] as const) {
    const M = which === 'p' ? P : N;

    it(`mod ${which}: mul, sqr, add, sub, neg, mulSmall match BigInt on edge and ${randomCases} random pairs`, async () => {
      const { p256, field } = await load();
      const F = which === 'p' ? p256.Fp : p256.makeFn();
      const enc = (x: bigint) => {
        const r = field.fe();
        expect(F.fromBytes(r, toBytes32(x), 0)).toBe(true);
        return r;
      };
      const dec = (a: Float64Array) => {
        const out = new Uint8Array(32);
        F.toBytes(a, out, 0);
        return fromBytes(out);
      };
      const edges = edgeValues(M);
      const pairs: [bigint, bigint][] = [];
      for (const a of edges) for (const b of edges) pairs.push([a, b]);
      for (let i = 0; i < randomCases; i++) pairs.push([randBelow('fa' + which, i, M), randBelow('fb' + which, i, M)]);
      const r = field.fe();
      for (const [a, b] of pairs) {
        const A = enc(a);
        const B = enc(b);
        F.mul(r, A, B);
        expect(dec(r)).toBe((a * b) % M);
        F.sqr(r, A);
        expect(dec(r)).toBe((a * a) % M);
        F.add(r, A, B);
        expect(dec(r)).toBe((a + b) % M);
        F.sub(r, A, B);
        expect(dec(r)).toBe((((a - b) % M) + M) % M);
        F.neg(r, A);
        expect(dec(r)).toBe((M - a) % M);
        const k = 2 + (Number(a & 7n) % 7);
        F.mulSmall(r, A, k);
        expect(dec(r)).toBe((BigInt(k) * a) % M);
        expect(F.eq(A, B)).toBe(a === b);
        expect(F.isZero(A)).toBe(a === 0n);
      }
    });

    it(`mod ${which}: long chains of lazily reduced values keep the limb invariant and stay exact`, async () => {
      const { p256, field } = await load();
      const F = which === 'p' ? p256.Fp : p256.makeFn();
      const x = field.fe();
      const y = field.fe();
      let bx = 7n;
      let by = M - 3n;
      F.fromBytes(x, toBytes32(bx), 0);
      F.fromBytes(y, toBytes32(by), 0);
      let broken = 0;
      for (let i = 0; i < 3000; i++) {
        const op = randBytes('chain' + which, i, 1)[0] % 4;
        if (op === 0) { F.add(x, x, y); bx = (bx + by) % M; }
        else if (op === 1) { F.sub(y, y, x); by = (((by - bx) % M) + M) % M; }
        else if (op === 2) { F.mul(x, x, y); bx = (bx * by) % M; }
        else { F.mulSmall(y, y, 8); F.add(y, y, y); by = (16n * by) % M; }
        for (const v of [x, y]) {
          for (let j = 0; j < 10; j++) if (!(v[j] >= 0 && v[j] < 2 ** 24 && Number.isInteger(v[j]))) broken++;
          if (!(v[10] >= 0 && v[10] < 2 ** 18 && Number.isInteger(v[10]))) broken++;
        }
      }
      expect(broken).toBe(0);
      const out = new Uint8Array(32);
      F.toBytes(x, out, 0);
      expect(fromBytes(out)).toBe(bx);
      F.toBytes(y, out, 0);
      expect(fromBytes(out)).toBe(by);
    });

    it(`mod ${which}: non-canonical representatives up to 2^258 (x + kN) are handled by every operation`, async () => {
      const { p256, field } = await load();
      const F = which === 'p' ? p256.Fp : p256.makeFn();
      const R = 1n << 264n;
      const Rinv = (() => { let a = R % M, b = M, x0 = 1n, x1 = 0n; while (b) { const q = a / b; [a, b] = [b, a - q * b]; [x0, x1] = [x1, x0 - q * x1]; } return ((x0 % M) + M) % M; })();
      // a representative holding the Montgomery value (x*R mod M) + k*M, as raw limbs
      const rep = (x: bigint, k: bigint) => {
        let v = ((x * R) % M) + k * M;
        const r = field.fe();
        for (let i = 0; i < 11; i++) { r[i] = Number(v & 0xffffffn); v >>= 24n; }
        return r;
      };
      const val = (a: Float64Array) => { let v = 0n; for (let i = 10; i >= 0; i--) v = (v << 24n) + BigInt(a[i]); return ((v * Rinv) % M); };
      const top = (1n << 258n) - 1n;
      const xs = [0n, 1n, M - 1n, randBelow('nc' + which, 0, M), randBelow('nc' + which, 1, M)];
      const r = field.fe();
      let checked = 0;
      for (const x of xs) for (const y of xs) {
        for (let kx = 0n; ((x * R) % M) + kx * M <= top; kx++) for (let ky = 0n; ((y * R) % M) + ky * M <= top; ky++) {
          const A = rep(x, kx);
          const B = rep(y, ky);
          F.add(r, A, B);
          expect(r[10] < 2 ** 18 && r[10] >= 0).toBe(true);
          expect(val(r)).toBe((x + y) % M);
          F.sub(r, A, B);
          expect(r[10] < 2 ** 18 && r[10] >= 0).toBe(true);
          expect(val(r)).toBe((((x - y) % M) + M) % M);
          F.mul(r, A, B);
          expect(r[10] < 2 ** 18 && r[10] >= 0).toBe(true);
          expect(val(r)).toBe((x * y) % M);
          for (const k of [2, 3, 4, 8]) {
            F.mulSmall(r, A, k);
            expect(r[10] < 2 ** 18 && r[10] >= 0).toBe(true);
            expect(val(r)).toBe((BigInt(k) * x) % M);
          }
          expect(F.eq(A, B)).toBe(x === y);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(100);
    });

    it(`mod ${which}: strict decode rejects values >= ${which}; wide reductions match BigInt`, async () => {
      const { p256, field } = await load();
      const F = which === 'p' ? p256.Fp : p256.makeFn();
      const r = field.fe();
      for (const bad of [M, M + 1n, (1n << 256n) - 1n, M + (1n << 200n)]) {
        expect(F.fromBytes(r, toBytes32(bad), 0)).toBe(false);
      }
      const out = new Uint8Array(32);
      for (let i = 0; i < 300; i++) {
        const b48 = randBytes('w48' + which, i, 48);
        if (i === 0) b48.fill(255);
        if (i === 1) b48.fill(0);
        F.fromBytes48(r, b48, 0);
        F.toBytes(r, out, 0);
        expect(fromBytes(out)).toBe(fromBytes(b48) % M);
        const b32 = i === 0 ? new Uint8Array(32).fill(255) : randBytes('w32' + which, i, 32);
        F.fromBytesMod(r, b32, 0);
        F.toBytes(r, out, 0);
        expect(fromBytes(out)).toBe(fromBytes(b32) % M);
      }
    });
  }

  it('powBytes mod n matches BigInt for exponents with zero and nonzero leading digits', async () => {
    const { p256, field } = await load();
    const F = p256.makeFn();
    const pow = (b: bigint, e: bigint): bigint => { let r = 1n; let x = b % N; for (let k = e; k > 0n; k >>= 1n) { if (k & 1n) r = (r * x) % N; x = (x * x) % N; } return r; };
    const a = field.fe();
    const r = field.fe();
    const out = new Uint8Array(32);
    const exps: Uint8Array[] = [Uint8Array.of(1), Uint8Array.of(0x0f), Uint8Array.of(0x10), Uint8Array.of(0, 0, 7), toBytes32(N - 2n), toBytes32(N - 1n)];
    for (let i = 0; i < 20; i++) exps.push(randBytes('powe', i, 1 + (i % 32)));
    for (let i = 0; i < exps.length; i++) {
      const e = exps[i];
      if (fromBytes(e) === 0n) continue;
      const b = randBelow('powb', i, N);
      F.fromBytes(a, toBytes32(b), 0);
      F.powBytes(r, a, e);
      F.toBytes(r, out, 0);
      expect(fromBytes(out)).toBe(pow(b, fromBytes(e)));
    }
  });

  it('inversions mod p and mod n and square roots mod p match BigInt', async () => {
    const { p256, field } = await load();
    const Fn = p256.makeFn();
    const r = field.fe();
    const a = field.fe();
    const out = new Uint8Array(32);
    const cases = [...edgeValues(P).filter((v) => v !== 0n)];
    for (let i = 0; i < 200; i++) cases.push(randBelow('inv', i, P - 1n) + 1n);
    for (const v of cases) {
      p256.Fp.fromBytes(a, toBytes32(v), 0);
      p256.fpInv(r, a);
      p256.Fp.toBytes(r, out, 0);
      expect((fromBytes(out) * v) % P).toBe(1n);
      p256.Fp.sqr(a, a);
      p256.fpSqrtCandidate(r, a);
      p256.Fp.toBytes(r, out, 0);
      const s = fromBytes(out);
      expect(s === v || s === P - v).toBe(true);
      const vn = v % N === 0n ? 1n : v % N;
      Fn.fromBytes(a, toBytes32(vn), 0);
      Fn.inv(r, a);
      Fn.toBytes(r, out, 0);
      expect((fromBytes(out) * vn) % N).toBe(1n);
    }
    // 0 has no inverse: the chains map it to 0, and sqrt of a non-residue is not a root
    p256.Fp.fromBytes(a, toBytes32(0n), 0);
    p256.fpInv(r, a);
    expect(p256.Fp.isZero(r)).toBe(true);
    p256.Fp.fromBytes(a, toBytes32(P - 1n), 0); // -1 is a non-residue for p = 3 mod 4
    p256.fpSqrtCandidate(r, a);
    p256.Fp.sqr(r, r);
    expect(p256.Fp.eq(r, a)).toBe(false);
  });
}
