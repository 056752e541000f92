/**
 * `sipster conformance [file]`: checks a script (default: a fresh in-memory build of the firmware,
 * both the readable and the minified bundle) for syntax, globals and members that the Espruino
 * 2v29 runtime lacks (firmware/conformance). Exit 0 if it conforms, 1 with one line per finding.
 */
import { readFileSync } from 'node:fs';
import { buildFirmware } from '../../../firmware/conformance/bundle.ts';
import { checkConformance, formatViolation } from '../../../firmware/conformance/check.ts';

export const summary = 'check a bundle (default: the firmware build) against the Espruino 2v29 runtime';

const usage = `usage: sipster conformance [file]

Parses the script with acorn and reports every feature the Espruino 2v29 interpreter lacks (BigInt,
**, spread, rest, destructuring, default parameters, optional chaining, computed keys, generators,
async, labels, class fields, for-let closures) and every global or static member not in the
measured runtime surface (Map, Set, Symbol, Math.imul, Array.from, TextEncoder, ...).
Without a file, builds the firmware in memory (rollup.config.mjs) and checks both bundles.
`;

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(usage);
    return 0;
  }
  if (argv.length > 1 || argv.some((a) => a.startsWith('-'))) {
    process.stderr.write(usage);
    return 2;
  }
  let targets: [string, string][];
  if (argv[0] !== undefined) {
    try {
      targets = [[argv[0], readFileSync(argv[0], 'latin1')]];
    } catch (err) {
      process.stderr.write(`sipster conformance: cannot read ${argv[0]}: ${(err as Error).message}\n`);
      return 2;
    }
  } else {
    const b = await buildFirmware();
    targets = [['dist/meter.js', b.readable], ['dist/meter.min.js', b.minified]];
  }
  let findings = 0;
  for (const [name, code] of targets) {
    const violations = checkConformance(code);
    findings += violations.length;
    for (const v of violations) process.stdout.write(formatViolation(name, v) + '\n');
    process.stdout.write(`${name}: ${violations.length === 0 ? 'conforms to Espruino 2v29' : `${violations.length} finding(s)`} (${code.length} bytes)\n`);
  }
  return findings === 0 ? 0 : 1;
}
