/** `npm run vectors`: (re)writes host/vectors/<suite>.json from build.ts. */
import { writeFileSync } from 'node:fs';
import { getSuite, SUITE_IDS } from '../protocol/suite.ts';
import { buildVectors, vectorPath } from './build.ts';

for (const id of SUITE_IDS) {
  writeFileSync(vectorPath(id), JSON.stringify(buildVectors(getSuite(id)), null, 2) + '\n');
  console.log(`wrote ${vectorPath(id)}`);
}
