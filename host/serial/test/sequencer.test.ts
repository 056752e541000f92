import { describe, expect, it } from 'vitest';
import { Sequencer } from '../sequencer.ts';

const p = (x: number): Uint8Array => Uint8Array.of(x, x >> 8);

describe('Sequencer', () => {
  it('drops exact repeats, reports gaps with their range', () => {
    const s = new Sequencer();
    expect(s.accept(1, 10, p(10))).toEqual({ kind: 'new' });
    expect(s.accept(1, 11, p(11))).toEqual({ kind: 'new' });
    expect(s.accept(1, 11, p(11))).toEqual({ kind: 'duplicate' });
    expect(s.accept(1, 15, p(15))).toEqual({ kind: 'new', gap: { from: 12, to: 14 } });
    expect(s.stats).toMatchObject({ accepted: 3, duplicates: 1, gaps: 1, missing: 3 });
  });

  it('keeps a reused recordSeq with a different payload after a reboot (rewind), not as a duplicate', () => {
    const s = new Sequencer();
    s.accept(1, 5, p(5));
    s.accept(1, 6, p(6));
    expect(s.accept(2, 6, p(60))).toEqual({ kind: 'new', rewind: true });
    expect(s.accept(2, 7, p(7))).toEqual({ kind: 'new' });
    expect(s.stats.rewinds).toBe(1);
  });
});

describe('Sequencer memory', () => {
  it('remembers at most WINDOW records; a repeat older than that comes back as a rewind, not a crash or a loss', async () => {
    const { WINDOW } = await import('../sequencer.ts');
    const s = new Sequencer();
    for (let k = 0; k < 3 * WINDOW; k++) s.accept(1, k, p(k));
    expect(s.remembered).toBe(WINDOW);
    expect(s.accept(1, 3 * WINDOW - 1, p(3 * WINDOW - 1))).toEqual({ kind: 'duplicate' });
    expect(s.accept(1, 0, p(0))).toEqual({ kind: 'new', rewind: true });
  });
});
