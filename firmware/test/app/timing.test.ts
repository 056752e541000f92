// Timing records carry the crypto's op counters by name: the minified bundle must report them
// under the names the source gives them (its property mangling keeps them), with real counts.
import { describe, expect, it } from 'vitest';
import { opCounts } from '../../src/crypto/index.ts';
import type { TimingRecord } from '../../../host/records/decode.ts';
import { PERIOD_SECONDS, provisionedBoard, records } from './fixture.ts';

describe('timing records of the flashed bundle', () => {
  it('name every op counter as the source does; the bill counts its inversion mod n and the fold its square roots', async () => {
    const { board, code } = await provisionedBoard();
    board.boot(code);
    for (let k = 0; k < 4; k++) { board.edge('D5'); board.settle(); }
    board.advance(PERIOD_SECONDS * 1000);
    const timings = records(board.output).filter((r): r is TimingRecord => r.kind === 'timing');
    const names = Object.keys(opCounts).sort();
    expect(names).toEqual(['add', 'addN', 'inv', 'invN', 'mul', 'mulN', 'sqr', 'sqrN', 'sqrt', 'sqrtN']);
    expect(timings.length).toBeGreaterThan(3);
    for (const t of timings) expect(Object.keys(t.counts).sort()).toEqual(names);
    const sign = timings.find((t) => t.op === 'sign');
    expect(sign!.counts.invN).toBeGreaterThan(0);
    const fold = timings.find((t) => t.op === 'fold');
    expect(fold!.counts.sqrt).toBe(2);
  });
});
