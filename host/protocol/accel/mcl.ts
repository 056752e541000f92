/**
 * One mcl-wasm (herumi/mcl compiled to WebAssembly) instance per curve, driven through the raw
 * C API (`mclBn*`), not through mcl-wasm's JS wrapper: that wrapper is a process-wide
 * singleton bound to one curve, while Sipster needs P-256 and BLS12-381 at once. The factory
 * `mcl_c.js` instantiates an independent module (its own linear memory) per call.
 *
 * Layout facts of the build (MCLBN_FP_UNIT_SIZE = 6, MCLBN_FR_UNIT_SIZE = 4): an Fp is 48
 * bytes whatever the curve, an Fr 32, a G1 point (x, y, z) 144, a G2 point 288, a GT 576.
 * Points and field elements are set and read only through mcl's own little-endian setters and
 * getters, so the internal (Montgomery, Jacobian) representation never leaks into this code.
 */
import { createRequire } from 'node:module';
import { webcrypto } from 'node:crypto';

/** The subset of mcl's C exports used here (pointers and sizes are wasm32 numbers). */
export interface MclExports {
  wasmMemory: { readonly buffer: ArrayBuffer };
  _malloc(size: number): number;
  _free(ptr: number): void;
  _mclBn_init(curve: number, compiledTimeVar: number): number;
  _mclBn_setMapToMode(mode: number): number;
  _mclBnFr_setLittleEndianMod(fr: number, buf: number, size: number): number;
  _mclBnFp_setLittleEndianMod(fp: number, buf: number, size: number): number;
  _mclBnFp_getLittleEndian(buf: number, maxSize: number, fp: number): number;
  _mclBnFp_setInt32(fp: number, v: number): void;
  _mclBnFp_clear(fp: number): void;
  _mclBnFp_isZero(fp: number): number;
  _mclBnFp_isOdd(fp: number): number;
  _mclBnFp_add(z: number, x: number, y: number): void;
  _mclBnFp_sub(z: number, x: number, y: number): void;
  _mclBnFp_mul(z: number, x: number, y: number): void;
  _mclBnFp_sqr(y: number, x: number): void;
  _mclBnFp_neg(y: number, x: number): void;
  _mclBnFp_inv(y: number, x: number): void;
  _mclBnFp_squareRoot(y: number, x: number): number;
  _mclBnG1_clear(P: number): void;
  _mclBnG1_isZero(P: number): number;
  _mclBnG1_isValid(P: number): number;
  _mclBnG1_add(R: number, P: number, Q: number): void;
  _mclBnG1_neg(R: number, P: number): void;
  _mclBnG1_mulCT(R: number, P: number, k: number): void;
  _mclBnG1_normalizeVec(ys: number, xs: number, n: number): void;
  _mclBnG1_mulVec(R: number, Ps: number, ks: number, n: number): void;
  _mclBnG1_normalize(R: number, P: number): void;
  _mclBnG1_hashAndMapToWithDst(P: number, msg: number, msgSize: number, dst: number, dstSize: number): number;
  _mclBnG2_isValid(Q: number): number;
  _mclBn_getUint64NumToPrecompute(): number;
  _mclBn_precomputeG2(coeffs: number, Q: number): void;
  _mclBn_precomputedMillerLoop2(f: number, P1: number, Q1coeffs: number, P2: number, Q2coeffs: number): void;
  _mclBn_finalExp(y: number, x: number): void;
  _mclBnGT_isOne(f: number): number;
}

export const FP_BYTES = 48;
export const FR_BYTES = 32;
export const G1_BYTES = 3 * FP_BYTES;
export const G2_BYTES = 6 * FP_BYTES;
export const GT_BYTES = 12 * FP_BYTES;

/** mcl curve ids (mcl/curve_type.h) and the compile-time check value of this build. */
export const MCL_BLS12_381 = 5;
export const MCL_NIST_P256 = 107;
const MCLBN_COMPILED_TIME_VAR = 4 * 10 + 6;
/** MCL_MAP_TO_MODE_HASH_TO_CURVE: RFC 9380 SSWU hash_to_curve (the BLS12381G1_XMD:SHA-256_SSWU_RO_ suite for G1). */
const MCL_MAP_TO_MODE_HASH_TO_CURVE = 5;

const require = createRequire(import.meta.url);
const createModule = require('mcl-wasm/dist/mcl_c.js') as (opts: object) => Promise<MclExports>;

/** One curve's wasm instance with a scratch area and BigInt <-> little-endian helpers. */
export class MclCurve {
  private view: DataView;
  private bytes: Uint8Array;
  /** Scratch: little-endian staging buffer (64 B) and an Fr slot. */
  readonly buf: number;
  readonly fr: number;

  constructor(readonly m: MclExports, readonly fieldBytes: number) {
    this.view = new DataView(m.wasmMemory.buffer);
    this.bytes = new Uint8Array(m.wasmMemory.buffer);
    this.buf = m._malloc(64);
    this.fr = m._malloc(FR_BYTES);
  }

  /** Views are recreated after memory.grow() detached the old buffer. */
  private refresh(): void {
    if (this.bytes.byteLength === 0) {
      this.view = new DataView(this.m.wasmMemory.buffer);
      this.bytes = new Uint8Array(this.m.wasmMemory.buffer);
    }
  }

  heap(): Uint8Array {
    this.refresh();
    return this.bytes;
  }

  /** Writes 0 ≤ x < 2^(8·len) little-endian at ptr (len a multiple of 8). */
  writeLE(ptr: number, x: bigint, len: number): void {
    this.refresh();
    for (let off = 0; off < len; off += 8) {
      this.view.setBigUint64(ptr + off, BigInt.asUintN(64, x), true);
      x >>= 64n;
    }
  }

  private readLE(ptr: number, len: number): bigint {
    this.refresh();
    let x = 0n;
    for (let off = len - 8; off >= 0; off -= 8) x = (x << 64n) | this.view.getBigUint64(ptr + off, true);
    return x;
  }

  /** fp := x, for 0 ≤ x < p (the caller guarantees the range, so the setter's reduction mod p never changes the value). */
  setFp(fp: number, x: bigint): void {
    this.writeLE(this.buf, x, this.fieldBytes);
    if (this.m._mclBnFp_setLittleEndianMod(fp, this.buf, this.fieldBytes) !== 0) throw new Error('mcl: Fp set failed');
  }

  getFp(fp: number): bigint {
    new Uint8Array(this.heap().buffer, this.buf, 64).fill(0);
    if (this.m._mclBnFp_getLittleEndian(this.buf, 64, fp) === 0) throw new Error('mcl: Fp get failed');
    return this.readLE(this.buf, this.fieldBytes);
  }

  /** fr := k, for 0 ≤ k < q. */
  setFr(fr: number, k: bigint): void {
    this.writeLE(this.buf, k, FR_BYTES);
    if (this.m._mclBnFr_setLittleEndianMod(fr, this.buf, FR_BYTES) !== 0) throw new Error('mcl: Fr set failed');
  }

  /** G1 point from affine coordinates, or the identity for `undefined`. */
  setG1(P: number, affine: { x: bigint; y: bigint } | undefined): void {
    if (!affine) return this.m._mclBnG1_clear(P);
    this.setFp(P, affine.x);
    this.setFp(P + FP_BYTES, affine.y);
    this.m._mclBnFp_setInt32(P + 2 * FP_BYTES, 1);
  }

  /** Affine coordinates of a G1 point, or `undefined` for the identity. Normalizes P in place. */
  getG1(P: number): { x: bigint; y: bigint } | undefined {
    if (this.m._mclBnG1_isZero(P)) return undefined;
    this.m._mclBnG1_normalize(P, P);
    return { x: this.getFp(P), y: this.getFp(P + FP_BYTES) };
  }

  /** Copies bytes into wasm memory at ptr. */
  put(ptr: number, b: Uint8Array): void {
    this.heap().set(b, ptr);
  }
}

async function instantiate(curve: number, fieldBytes: number): Promise<MclCurve> {
  const m = await createModule({ cryptoGetRandomValues: (a: Uint8Array) => webcrypto.getRandomValues(a) });
  const r = m._mclBn_init(curve, MCLBN_COMPILED_TIME_VAR);
  if (r !== 0) throw new Error(`mcl: mclBn_init(${curve}) failed with ${r}`);
  return new MclCurve(m, fieldBytes);
}

/** Both instances, created once at module load (top-level await: every importer sees them ready). */
export const mclP256 = await instantiate(MCL_NIST_P256, 32);
export const mclBls = await instantiate(MCL_BLS12_381, 48);
if (mclBls.m._mclBn_setMapToMode(MCL_MAP_TO_MODE_HASH_TO_CURVE) !== 0) throw new Error('mcl: setMapToMode failed');
