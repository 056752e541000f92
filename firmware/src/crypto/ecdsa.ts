// ECDSA P-256 with SHA-256 over the raw message (hashed once), signature r ‖ s (64 B), low-s.
// Nonces: RFC 6979 HMAC-DRBG, seeded with int2octets(d) ‖ bits2octets(h) ‖ extraEntropy
// (the RFC 6979 §3.6 variant, byte-compatible with @noble/curves' `extraEntropy`).
// k·B uses the comb table of B. The signer verifies its own signatures through its secret key:
// with pk = d·B, u1·B + u2·pk = (u1 + u2·d)·B, one fixed-base product; any other key costs a
// 4-bit window.
//
// RAM: the board signs, verifies and makes keys only at boot and when a period closes, so the
// operations and their scalar field are made per call by ecdsa() and dropped when it returns
// (resident, they would hold ~570 of its variables all the time; making them takes ~16 ms on the
// interpreter). What must persist stays here: the table of B and the key pair last checked.

import { batchInvert, fe, hexBytes, type Fe } from './field.ts';
import { bytesEqual, concatBytes, bytesToHex, hmacSha256, sha256 } from './hash.ts';
import { nativesOnly } from './native.ts';
import { Fp, fpInv, makeFn } from './p256.ts';
import { Point, generator, pointDecode, pointEncode, pointAddTo } from './point.ts';
import { COMB_TABLE_BYTES, combTable, combTableFromBytes, combTableToBytes, multipliers } from './scalar.ts';

/** Combs in the flash table of B (on B, 2^8·B, 2^16·B, 2^24·B): k·B takes 7 doublings instead of 31. */
const BASE_COMBS = 4;
/** Size of the flash table of B (89,760 B). */
export const BASE_TABLE_BYTES = BASE_COMBS * COMB_TABLE_BYTES;
/** SHA-256 of the serialized comb table of B (integrity check of flash copies). */
export const BASE_TABLE_SHA256 = '8d1d0e896006161370bd0bb8bb5fef4c79c0742fa9beace1ee5efe1a596e260d';

let baseTable: Uint32Array | null = null;

/** The comb table of B, serialized (what the build writes to the board's flash). */
export function baseTableBytes(): Uint8Array {
  return combTableToBytes(combTable(generator(), BASE_COMBS));
}

/** Install the comb table of B from its serialized bytes; throws if they are not the expected table. */
export function setBaseTable(u8: Uint8Array): void {
  const t = combTableFromBytes(u8, BASE_COMBS);
  if (bytesToHex(sha256(u8)) !== BASE_TABLE_SHA256) throw new Error('base table: checksum mismatch');
  baseTable = t;
}

function getBaseTable(): Uint32Array {
  if (baseTable === null) {
    // The flashed bundle leaves the table builder out (~1 KB of code): it needs the flash table,
    // and without one every product with B throws (the boot KAT fails, fail closed). Node builds
    // one comb in RAM (~255 point additions, 22 KB).
    if (nativesOnly) throw new Error('no table of B');
    baseTable = combTable(generator(), 1);
  }
  return baseTable;
}

/**
 * SHA-256(sk ‖ pk) of the key pair ecdsaKeyFromSeed made last, pk = sk·B computed then: signing
 * under that pair may verify through sk (see verifyMany) after a hash instead of a product.
 */
let checkedPair: Uint8Array | null = null;

function pairDigest(sk: Uint8Array, pk33: Uint8Array): Uint8Array {
  return sha256(concatBytes([sk, pk33]));
}

/** true iff the 32 bytes at a[off..] are above b, both big-endian */
function greaterThan(a: Uint8Array, off: number, b: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) {
    if (a[off + i] !== b[i]) return a[off + i] > b[i];
  }
  return false;
}

/** n - 1, big-endian: the largest canonical scalar (scalars are checked without making the scalar field) */
const N_MINUS_1 = hexBytes('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550');

/** (n - 1) / 2, big-endian: the largest low s (checked against n in the tests) */
export const HALF_N = hexBytes('7fffffff800000007fffffffffffffffde737d56d38bcf4279dce5617e3192a8');

/** Throws unless k is a canonical scalar: 32 bytes, value < n (0 is allowed). */
function checkScalar(k: Uint8Array): void {
  if (!(k instanceof Uint8Array) || k.length !== 32 || greaterThan(k, 0, N_MINUS_1)) throw new Error('scalar: need 32 bytes below n');
}

/** true when 1 <= s < n (canonical nonzero scalar), s the 32 bytes at off */
function scalarOk(s: Uint8Array, off: number): boolean {
  return greaterThan(s, off, new Uint8Array(32)) && !greaterThan(s, off, N_MINUS_1);
}

/** k·B for a canonical 32-byte big-endian scalar (0 gives infinity; k >= n throws). */
export function mulBase(k: Uint8Array): Point {
  checkScalar(k);
  const r = new Point();
  multipliers().combMul(r, k, getBaseTable());
  return r;
}

/** k·P for any point and a canonical scalar (4-bit window). */
export function mulPoint(p: Point, k: Uint8Array): Point {
  checkScalar(k);
  const r = new Point();
  multipliers().mulVar(r, p, k);
  return r;
}

/** Key pair from 32 random bytes used as the secret scalar; throws unless 1 <= value < n (draw again). */
export function ecdsaKeyFromSeed(rand32: Uint8Array): { sk: Uint8Array; pk: Uint8Array } {
  if (!(rand32 instanceof Uint8Array) || rand32.length !== 32) throw new Error('ecdsa: need 32 bytes');
  if (!scalarOk(rand32, 0)) throw new Error('ecdsa: seed out of range, draw again');
  const sk = new Uint8Array(rand32);
  const pk = pointEncode(mulBase(sk));
  checkedPair = pairDigest(sk, pk);
  return { sk: sk, pk: pk };
}

/** Signing and verification over one scalar field, made by ecdsa(). */
export interface Ecdsa {
  /** RFC 6979 HMAC-DRBG nonce generator; extra (may be null) is appended to the seed. */
  rfc6979Nonces(sk: Uint8Array, h: Uint8Array, extra: Uint8Array | null): () => Uint8Array;
  /** Signatures r ‖ s (low-s) of msgs under sk, inversions shared; sInv[i] gets s^-1 of each. */
  signMany(sk: Uint8Array, msgs: Uint8Array[], extras: (Uint8Array | null)[], sInv: Fe[]): Uint8Array[];
  /** true iff every sigs[i] is valid over msgs[i] under pk33 (sInv, sk: see below). */
  verifyMany(pk33: Uint8Array, msgs: Uint8Array[], sigs: Uint8Array[], sInv: Fe[] | null, sk: Uint8Array | null): boolean;
}

/**
 * The ECDSA operations with their own scalar field (makeFn) and products (multipliers), made for
 * each call of the API below and garbage once it returns (see the top of this file).
 */
export function ecdsa(): Ecdsa {
  const Fn = makeFn();
  const mul = multipliers();

  /** int2octets(bits2int(h) mod n) */
  function hashModN(h: Uint8Array): Uint8Array {
    const t = fe();
    Fn.fromBytesMod(t, h, 0);
    const out = new Uint8Array(32);
    Fn.toBytes(t, out, 0);
    return out;
  }

  function rfc6979Nonces(sk: Uint8Array, h: Uint8Array, extra: Uint8Array | null): () => Uint8Array {
    const seed = concatBytes([sk, hashModN(h), extra === null ? [] : extra]);
    let k: Uint8Array = new Uint8Array(32);
    let v: Uint8Array = new Uint8Array(32);
    v.fill(1);
    // steps d-g of RFC 6979 §3.2: K = HMAC_K(V ‖ b ‖ seed), V = HMAC_K(V) for b = 0, then 1
    for (let b = 0; b < 2; b++) {
      k = hmacSha256(k, concatBytes([v, [b], seed]));
      v = hmacSha256(k, v);
    }
    let first = true;
    return function next(): Uint8Array {
      for (;;) {
        if (!first) {
          k = hmacSha256(k, concatBytes([v, [0]]));
          v = hmacSha256(k, v);
        }
        first = false;
        v = hmacSha256(k, v);
        if (scalarOk(v, 0)) return new Uint8Array(v);
      }
    };
  }

  /**
   * ECDSA-P256-SHA256 signatures r ‖ s (low-s) of several messages under one key, with one
   * inversion mod p (x of each k·B) and one mod n for all of them. The inversion mod n is of
   * k·t (t = e + r·d), which gives both s = t/k = (k·t)^-1·t^2 and the verifier's
   * s^-1 = k/t = (k·t)^-1·k^2, written to sInv[i] (negated with s for low-s).
   * extras[i] hedges the RFC 6979 nonce of msgs[i] (null: plain RFC 6979).
   */
  function signMany(sk: Uint8Array, msgs: Uint8Array[], extras: (Uint8Array | null)[], sInv: Fe[]): Uint8Array[] {
    if (!(sk instanceof Uint8Array) || sk.length !== 32 || !scalarOk(sk, 0)) throw new Error('ecdsa: bad secret key');
    if (msgs.length === 0 || extras.length !== msgs.length) throw new Error('ecdsa: one extra entropy (or null) per message');
    const d = fe();
    Fn.fromBytes(d, sk, 0);
    const nonces: (() => Uint8Array)[] = [];
    const es: Fe[] = [];
    const ks: Uint8Array[] = [];
    const out: Uint8Array[] = [];
    for (let i = 0; i < msgs.length; i++) {
      const e = extras[i];
      if (!(msgs[i] instanceof Uint8Array)) throw new Error('ecdsa: message must be bytes');
      if (e !== null && (!(e instanceof Uint8Array) || e.length !== 32)) throw new Error('ecdsa: extra entropy must be 32 bytes');
      const h = sha256(msgs[i]);
      nonces.push(rfc6979Nonces(sk, h, e));
      ks.push(nonces[i]());
      const z = fe();
      Fn.fromBytesMod(z, h, 0);
      es.push(z);
      out.push(new Uint8Array(64));
      sInv[i] = fe();
    }
    const x = fe();
    const s = fe();
    for (;;) {
      const Rs: Point[] = [];
      const inv: Fe[] = [];
      const kf: Fe[] = [];
      for (let i = 0; i < ks.length; i++) {
        const R = new Point();
        mul.combMul(R, ks[i], getBaseTable()); // ks[i] is a canonical scalar (rfc6979Nonces)
        Rs.push(R);
        inv.push(Rs[i].z);
        kf.push(fe());
        Fn.fromBytes(kf[i], ks[i], 0);
      }
      batchInvert(Fp, fpInv, inv);
      // inv[i] (Z, then 1/Z) becomes k·t, t = e + r·d. When r = 0 or t = 0 (probability ~2^-256),
      // that message takes its next nonce and the batch is done again (RFC 6979 §3.2 h.3).
      const ts: Fe[] = [];
      let again = false;
      for (let i = 0; i < ks.length; i++) {
        const sig = out[i];
        Fp.sqr(x, inv[i]);
        Fp.mul(x, Rs[i].x, x);
        Fp.toBytes(x, sig, 0);
        const r = fe();
        Fn.fromBytesMod(r, sig, 0);
        Fn.toBytes(r, sig, 0);
        const t = fe();
        Fn.mul(t, r, d);
        Fn.add(t, t, es[i]);
        ts.push(t);
        Fn.mul(inv[i], kf[i], t);
        if (Fn.isZero(r) || Fn.isZero(t)) {
          ks[i] = nonces[i]();
          again = true;
        }
      }
      if (again) continue;
      batchInvert(Fn, Fn.inv, inv);
      for (let i = 0; i < ks.length; i++) {
        const sig = out[i];
        const w = sInv[i];
        Fn.sqr(s, ts[i]);
        Fn.mul(s, s, inv[i]);
        Fn.sqr(w, kf[i]);
        Fn.mul(w, w, inv[i]);
        Fn.toBytes(s, sig, 32);
        if (greaterThan(sig, 32, HALF_N)) {
          Fn.neg(s, s);
          Fn.toBytes(s, sig, 32);
          Fn.neg(w, w);
        }
      }
      return out;
    }
  }

  /**
   * true iff every sigs[i] (r ‖ s, low-s only) is valid over msgs[i] under the compressed key pk33;
   * false on any malformed input. sInv: s^-1 mod n of each signature from its signing, checked
   * (s·s^-1 = 1, one multiplication), or null to compute them (one inversion mod n for all).
   * sk: the secret key of pk33 (the caller checked pk33 = sk·B), or null for any other key.
   */
  function verifyMany(pk33: Uint8Array, msgs: Uint8Array[], sigs: Uint8Array[], sInv: Fe[] | null, sk: Uint8Array | null): boolean {
    if (msgs.length === 0 || sigs.length !== msgs.length) return false;
    let q: Point | null = null;
    const d = fe();
    if (sk !== null) Fn.fromBytes(d, sk, 0);
    else {
      try {
        q = pointDecode(pk33);
      } catch (err) {
        return false;
      }
    }
    const ws: Fe[] = [];
    for (let i = 0; i < sigs.length; i++) {
      const sig = sigs[i];
      if (!(sig instanceof Uint8Array) || sig.length !== 64 || !(msgs[i] instanceof Uint8Array)) return false;
      if (!scalarOk(sig, 0) || !scalarOk(sig, 32) || greaterThan(sig, 32, HALF_N)) return false;
      const w = fe();
      Fn.fromBytes(w, sig, 32);
      ws.push(w);
    }
    if (sInv === null) batchInvert(Fn, Fn.inv, ws);
    else {
      if (sInv.length !== ws.length) return false;
      for (let i = 0; i < ws.length; i++) {
        Fn.mul(ws[i], ws[i], sInv[i]);
        if (!Fn.eq(ws[i], Fn.one)) return false;
        ws[i].set(sInv[i]);
      }
    }
    const r = fe();
    const e = fe();
    const u = fe();
    const u1 = new Uint8Array(32);
    const u2 = new Uint8Array(32);
    const zz = fe();
    const rx = fe();
    const rn = new Uint8Array(32);
    for (let i = 0; i < sigs.length; i++) {
      const sig = sigs[i];
      Fn.fromBytes(r, sig, 0);
      Fn.fromBytesMod(e, sha256(msgs[i]), 0);
      const R = new Point();
      if (q === null) {
        // u1 + u2·d = (e + r·d)·w
        Fn.mul(u, r, d);
        Fn.add(u, u, e);
        Fn.mul(u, u, ws[i]);
        Fn.toBytes(u, u1, 0);
        mul.combMul(R, u1, getBaseTable());
      } else {
        Fn.mul(u, e, ws[i]);
        Fn.toBytes(u, u1, 0);
        Fn.mul(u, r, ws[i]);
        Fn.toBytes(u, u2, 0);
        mul.combMul(R, u1, getBaseTable());
        const R2 = new Point();
        mul.mulVar(R2, q, u2);
        pointAddTo(R, R, R2);
      }
      if (R.inf) return false;
      // x(R) mod n == r without an inversion: X == r' Z^2 for r' in {r, r + n} below p
      Fp.sqr(zz, R.z);
      Fp.fromBytes(rx, sig, 0);
      Fp.mul(rx, rx, zz);
      if (Fp.eq(rx, R.x)) continue;
      let c = 0;
      for (let j = 31; j >= 0; j--) {
        const v = sig[j] + Fn.nBytes[j] + c;
        rn[j] = v & 255;
        c = v >> 8;
      }
      if (c !== 0 || !Fp.fromBytes(rx, rn, 0)) return false;
      Fp.mul(rx, rx, zz);
      if (!Fp.eq(rx, R.x)) return false;
    }
    return true;
  }

  return { rfc6979Nonces, signMany, verifyMany };
}

/** ECDSA-P256-SHA256 signatures r ‖ s (low-s) of several messages under one key (as ecdsaSign gives each), inversions shared. */
export function ecdsaSignMany(sk: Uint8Array, msgs: Uint8Array[], extras: (Uint8Array | null)[]): Uint8Array[] {
  return ecdsa().signMany(sk, msgs, extras, []);
}

/**
 * ecdsaSignMany, each signature then verified under pk33 before it is returned; null if one fails
 * (fail closed). pk33 must be sk·B: checked here (a fixed-base product, or only a hash for the pair
 * ecdsaKeyFromSeed made), which also catches a secret key corrupted in RAM since. The
 * verification takes s^-1 from the signing and checks s·s^-1 = 1 instead of inverting again, and
 * computes u1·B + u2·pk as (u1 + u2·sk)·B: no inversion mod n and one fixed-base product per
 * signature.
 */
export function ecdsaSignManyVerified(sk: Uint8Array, pk33: Uint8Array, msgs: Uint8Array[], extras: (Uint8Array | null)[]): Uint8Array[] | null {
  const sInv: Fe[] = [];
  const ops = ecdsa();
  const sigs = ops.signMany(sk, msgs, extras, sInv);
  if (!(pk33 instanceof Uint8Array)) return null;
  const digest = pairDigest(sk, pk33);
  if (checkedPair === null || !bytesEqual(digest, checkedPair)) {
    if (!bytesEqual(pointEncode(mulBase(sk)), pk33)) return null;
    checkedPair = digest;
  }
  return ops.verifyMany(pk33, msgs, sigs, sInv, sk) ? sigs : null;
}

/** ECDSA-P256-SHA256 signature r ‖ s (low-s) over msg; extraEntropy32 hedges the RFC 6979 nonce (null: plain RFC 6979). */
export function ecdsaSign(sk: Uint8Array, msg: Uint8Array, extraEntropy32: Uint8Array | null): Uint8Array {
  return ecdsa().signMany(sk, [msg], [extraEntropy32], [])[0];
}

/**
 * ecdsa().verifyMany (see there). Also a function of its own for the bundle: the minifier inlines a
 * function called once, and ecdsaVerify's `ecdsa().verifyMany(...)` would then need temporaries for
 * the caller's arguments (declared after their use: Espruino does not hoist `var`), while a call of
 * this one takes them as they are.
 */
export function verifyMany(pk33: Uint8Array, msgs: Uint8Array[], sigs: Uint8Array[], sInv: Fe[] | null, sk: Uint8Array | null): boolean {
  return ecdsa().verifyMany(pk33, msgs, sigs, sInv, sk);
}

/** true iff every sigs[i] (r ‖ s, low-s only) is valid over msgs[i] under pk33, one inversion mod n for all; false on any malformed input. */
export function ecdsaVerifyMany(pk33: Uint8Array, msgs: Uint8Array[], sigs: Uint8Array[]): boolean {
  return verifyMany(pk33, msgs, sigs, null, null);
}

/** Verify r ‖ s (low-s only) over msg under the compressed key pk33; false on any malformed input. */
export function ecdsaVerify(pk33: Uint8Array, msg: Uint8Array, sig64: Uint8Array): boolean {
  return verifyMany(pk33, [msg], [sig64], null, null);
}
