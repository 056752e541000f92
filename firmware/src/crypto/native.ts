// Espruino natives, detected once at startup. Node (and any engine without them) gets
// undefined and the callers use their pure-JS fallbacks. Keep to the Espruino 2v29 subset.

declare const E: any;
declare const require: any;

/** E.convolve(a, b, off) = sum_i a[i] * b[(i + off) % b.length], native multiply-accumulate. */
export const nativeConvolve: ((a: ArrayLike<number>, b: ArrayLike<number>, off: number) => number) | undefined =
  typeof E !== 'undefined' && typeof E.convolve === 'function' ? E.convolve : undefined;

function findSha256(): ((data: Uint8Array) => ArrayBuffer) | undefined {
  if (typeof E === 'undefined' || typeof require !== 'function') return undefined;
  try {
    const c = require('crypto');
    if (c && typeof c.SHA256 === 'function') return c.SHA256;
  } catch (err) {
    return undefined;
  }
  return undefined;
}

/** require("crypto").SHA256(data) -> ArrayBuffer on Espruino. */
export const nativeSha256: ((data: Uint8Array) => ArrayBuffer) | undefined = findSha256();
