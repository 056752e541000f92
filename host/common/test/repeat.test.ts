import { describe, expect, it } from 'vitest';
import { createLogger } from '../log.ts';
import { RepeatedWarning } from '../repeat.ts';

describe('RepeatedWarning', () => {
  it('says a persisting warning at once, then at doubling intervals with its count, and its end once', () => {
    const lines: string[] = [];
    let t = 0;
    const w = new RepeatedWarning(createLogger('t', 'info', (l) => lines.push(l.replace(/^\S+ /, ''))), { firstRepeatMs: 1000, maxRepeatMs: 4000, now: () => t });
    for (t = 0; t <= 20_000; t += 100) w.warn('port gone');
    // said at 0, then after 1 s, 2 s, 4 s, 4 s, 4 s ... (t = 1000, 3000, 7000, 11000, 15000, 19000)
    expect(lines.filter((l) => l.includes('port gone'))).toHaveLength(7);
    expect(lines[1]).toBe('WARN  t: port gone still="11 times since 1970-01-01T00:00:00.000Z"');
    w.warn('another problem');
    expect(lines.at(-1)).toBe('WARN  t: another problem');
    w.clear('port back');
    w.clear('port back');
    expect(lines.filter((l) => l.includes('port back'))).toEqual(['INFO  t: port back']);
    expect(w.active).toBeUndefined();
  });
});
