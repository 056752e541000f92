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

export class HealthTestedRng {
  failed: boolean;
  private last: number;
  private run: number;
  private aptFirst: number;
  private aptCount: number;
  private aptSeen: number;
  constructor() {
    this.failed = false; this.last = -1; this.run = 0; this.aptFirst = -1; this.aptCount = 0; this.aptSeen = 0;
  }

  private sample(x: number): void {
    if (x === this.last) { if (++this.run >= RCT_CUTOFF) this.failed = true; } else { this.last = x; this.run = 1; }
    if (this.aptSeen === 0) { this.aptFirst = x; this.aptCount = 0; }
    if (x === this.aptFirst && ++this.aptCount >= APT_CUTOFF) this.failed = true;
    if (++this.aptSeen === APT_WINDOW) this.aptSeen = 0;
  }

  /** n health-tested random bytes, or null if the source failed (now or before). */
  bytes(n: number): Uint8Array | null {
    const out = new Uint8Array(n);
    for (let k = 0; k < n; k += 4) {
      const w = hwRand();
      for (let s = 0; s < 4 && k + s < n; s++) { out[k + s] = (w >>> (8 * s)) & 255; this.sample(out[k + s]!); }
    }
    return this.failed ? null : out;
  }

  /** Start-up test: two full adaptive-proportion windows. */
  startup(): boolean {
    return this.bytes(2 * APT_WINDOW) !== null;
  }
}
