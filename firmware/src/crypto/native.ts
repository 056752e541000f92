// Espruino natives, detected once at startup. Node (and any engine without them) gets
// undefined and the callers use their pure-JS fallbacks. Keep to the Espruino 2v29 subset.

declare const E: any;
declare const require: any;

/**
 * True only in the flashed bundle: rollup.config.mjs defines SIPSTER_ESPRUINO for it. It runs where
 * E.convolve and require("crypto").SHA256 exist (the virtual board, the Node harness, and every board
 * that can run it at all: the boot's firmware hash already needs the native SHA-256), so the plain-JS
 * column products and the JS SHA-256 are left out of it; a runtime without them fails the boot KAT
 * (fail closed). Node runs the sources, where this is false and both paths are tested.
 */
declare const SIPSTER_ESPRUINO: boolean | undefined;
export const nativesOnly: boolean = typeof SIPSTER_ESPRUINO !== 'undefined' && SIPSTER_ESPRUINO === true;

/** E.convolve(a, b, off) = sum_i a[i] * b[(i + off) % b.length], native multiply-accumulate. */
export const nativeConvolve: ((a: ArrayLike<number>, b: ArrayLike<number>, off: number) => number) | undefined = nativesOnly
  ? E.convolve // the flashed bundle runs on Espruino, where E exists (without convolve: undefined, the KAT fails)
  : typeof E !== 'undefined' && typeof E.convolve === 'function' ? E.convolve : undefined;

function findSha256(): ((data: Uint8Array) => ArrayBuffer) | undefined {
  // The flashed bundle skips the probes: Espruino always has E and require.
  if (!nativesOnly && (typeof E === 'undefined' || typeof require !== 'function')) return undefined;
  try {
    return require('crypto').SHA256; // undefined where the module lacks it
  } catch (err) {
    // no crypto module
  }
  return undefined;
}

/** require("crypto").SHA256(data) -> ArrayBuffer on Espruino. */
export const nativeSha256: ((data: Uint8Array) => ArrayBuffer) | undefined = findSha256();

/**
 * The flashed bundle's concatenation: E.toUint8Array flattens arrays and typed arrays natively
 * (Espruino's jsvIterateCallback: "array/arraybuffer -> call itself on each element").
 */
export const nativeConcat = (parts: ArrayLike<number>[]): Uint8Array => E.toUint8Array(parts);
