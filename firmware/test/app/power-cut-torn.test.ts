// Power cut at every flash write (the write torn half-way):
// after a restart both periods still bill consistently with every token emitted, no (c, i) ever
// got two different tokens and no counter two different bills.
import { describe, expect, it } from 'vitest';
import { checkRecords, cutAt, writesWithoutCut } from './power-cut.ts';

describe('power cut (torn)', () => {
  it('at every state write', async () => {
    const writes = await writesWithoutCut();
    expect(writes).toBeGreaterThan(25);
    for (let k = 1; k <= writes; k++) checkRecords(await cutAt(k, 'torn'));
  });
});
