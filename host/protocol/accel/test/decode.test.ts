import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SipsterError } from '../../errors.ts';
import { getReferenceSuite, getSuite } from '../../suite.ts';

const outcome = (f: () => { toHex(c?: boolean): string }): string => {
  try {
    return f().toHex(true);
  } catch (err) {
    return err instanceof SipsterError ? err.code : 'untyped';
  }
};

describe('P-256 point decoding with the accelerated square root', () => {
  it('agrees with noble on 2,000 random 33-byte strings (about half on the curve) and on real points', () => {
    const fast = getSuite('P256-SHA256');
    const ref = getReferenceSuite('P256-SHA256');
    let onCurve = 0;
    for (let k = 0; k < 2000; k++) {
      const b = randomBytes(33);
      b[0] = 2 + (b[0]! & 1);
      const got = outcome(() => fast.decodePoint(b));
      expect(got).toBe(outcome(() => ref.decodePoint(b)));
      if (got.length === 66) onCurve++;
      const P = ref.hashToGroup(b, 'decode-test');
      expect(fast.decodePoint(ref.encodePoint(P)).equals(P)).toBe(true);
    }
    expect(onCurve).toBeGreaterThan(800);
    expect(onCurve).toBeLessThan(1200);
  });
});
