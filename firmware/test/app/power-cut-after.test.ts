// Power cut at every flash write (just after the write completed, before any output):
// after a restart both periods still bill consistently with every token emitted, no (c, i) ever
// got two different tokens and no counter two different bills.
import { describe, expect, it } from 'vitest';
import { checkRecords, cutAt, writesWithoutCut } from './power-cut.ts';

describe('power cut (after)', () => {
  it('at every state write', async () => {
    const writes = await writesWithoutCut();
    expect(writes).toBeGreaterThan(25);
    for (let k = 1; k <= writes; k++) checkRecords(await cutAt(k, 'after'));
  });

  it('at every state write, without the troubleshooting signal: the boot re-sends the token or bill the cut held back', async () => {
    const writes = await writesWithoutCut();
    for (let k = 1; k <= writes; k++) checkRecords(await cutAt(k, 'after', false));
  });
});
