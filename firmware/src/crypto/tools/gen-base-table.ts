// Build-time generator of the comb table of the P-256 base point for the board's flash
// (a Storage file the firmware passes to setBaseTable). Node only; not part of the bundle.
// Usage: node --import tsx firmware/src/crypto/tools/gen-base-table.ts <out-file>
import { writeFileSync } from 'node:fs';
import { baseTableBytes, setBaseTable } from '../index.ts';

const out = process.argv[2];
if (out === undefined || out.startsWith('-')) {
  process.stderr.write('usage: gen-base-table.ts <out-file>\n');
  process.exit(2);
}
const table = baseTableBytes();
setBaseTable(table); // throws unless it matches BASE_TABLE_SHA256
writeFileSync(out, table);
process.stdout.write(`wrote ${out} (${table.length} bytes)\n`);
