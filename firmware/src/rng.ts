// Hardware RNG with the NIST SP 800-90B §4.4 health tests in simplified form, on byte samples
// with an assumed min-entropy of H = 4 bits per byte (conservative for a hardware TRNG):
// - repetition count test: fail on C = 1 + ceil(20 / H) = 6 identical consecutive bytes;
// - adaptive proportion test: in each window of W = 512 bytes, fail if the window's first byte
//   occurs C = 1 + CRITBINOM(512, 2^-4, 1 - 2^-20) = 62 times or more.
// Both run continuously on every byte drawn; the start-up test draws 1024 bytes (two windows).
// After any failure the RNG stays failed: the meter issues no key and no seed.
import { hwRand } from './board.ts';

const RCT_CUTOFF = 6;
const APT_WINDOW = 512;
const APT_CUTOFF = 62;

/** rng(n): n health-tested random bytes, or null if the source failed (now or before). */
export type Rng = (n: number) => Uint8Array | null;

/** A fresh health-tested source; its test state lives in the closure. */
export function healthTestedRng(): Rng {
  let failed = false;
  let last = -1;
  let run = 0;
  let aptFirst = -1;
  let aptCount = 0;
  let aptSeen = 0;
  return (n) => {
    const out = new Uint8Array(n);
    for (let k = 0; k < n; k += 4) {
      const w = hwRand();
      for (let s = 0; s < 4 && k + s < n; s++) {
        const x = (w >>> (8 * s)) & 255;
        out[k + s] = x;
        if (x === last) { if (++run >= RCT_CUTOFF) failed = true; } else { last = x; run = 1; }
        if (aptSeen === 0) { aptFirst = x; aptCount = 0; }
        if (x === aptFirst && ++aptCount >= APT_CUTOFF) failed = true;
        if (++aptSeen === APT_WINDOW) aptSeen = 0;
      }
    }
    return failed ? null : out;
  };
}

/** Start-up test: two full adaptive-proportion windows. */
export const rngStartup = (rng: Rng): boolean => rng(2 * APT_WINDOW) !== null;
