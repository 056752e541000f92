// Power cut at every flash write of a period long enough for the state's slot files to fill and be
// recreated (firmware/src/store.ts): torn or just after, a restart loses no token and gives no
// (c, i) two tokens, and every token of every bill reaches the wallet.
import { describe, expect, it } from 'vitest';
import { checkRecords, cutAt, LONG_SCENARIO, writesWithoutCut } from './power-cut.ts';

describe('power cut across the state slots being recreated', () => {
  it('at every flash write, torn and after', async () => {
    const writes = await writesWithoutCut(LONG_SCENARIO);
    // 40 tokens, their checkpoints and 2 bills: more state saves than the 32 slots
    expect(writes).toBeGreaterThan(2 * 40);
    for (let k = 1; k <= writes; k++) {
      checkRecords(await cutAt(k, 'torn', true, LONG_SCENARIO));
      checkRecords(await cutAt(k, 'after', true, LONG_SCENARIO));
    }
  }, 600_000);
});
