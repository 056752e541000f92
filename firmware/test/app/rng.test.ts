// The RNG health tests (NIST SP 800-90B §4.4, simplified) on the board's E.hwRand, installed the way
// the harness supplies it: a healthy source passes, a stuck one trips the repetition count test, a
// biased one without repeats trips the adaptive proportion test, and a failure is permanent.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { healthTestedRng, rngStartup, type Rng } from '../../src/rng.ts';

const g = globalThis as unknown as { E?: { hwRand: () => number } };
afterEach(() => { delete g.E; });

function source(words: () => number): Rng {
  g.E = { hwRand: words };
  return healthTestedRng();
}

describe('RNG health tests', () => {
  it('a healthy source passes the start-up test and keeps delivering', () => {
    for (let k = 0; k < 20; k++) {
      const rng = source(() => randomBytes(4).readUInt32LE(0));
      expect(rngStartup(rng)).toBe(true);
      expect(rng(32)).toHaveLength(32);
    }
  });

  it('six identical bytes in a row fail (repetition count), and the failure sticks', () => {
    let n = 0;
    const rng = source(() => (n++ === 50 || n === 52 ? 0x41414141 : randomBytes(4).readUInt32LE(0)));
    expect(rng(180)).not.toBeNull();
    expect(rng(40)).toBeNull(); // words 50 and 51: eight 0x41 bytes in a row
    expect(rng(4)).toBeNull();
    expect(rngStartup(rng)).toBe(false);
  });

  it('a biased source with no repeats fails the adaptive proportion test', () => {
    // Every fourth byte is 0x02 (128 per 512-byte window, cutoff 62), never twice in a row.
    const rng = source(() => (0x00010002 | ((randomBytes(1)[0]! | 1) << 8) | ((randomBytes(1)[0]! | 1) << 24)) >>> 0);
    expect(rngStartup(rng)).toBe(false);
  });
});
