/**
 * `sipster demo` (npm start): one billing period end to end. By default on the virtual board:
 * flashed with espruino-tools, metered, paid with e-cash and settled through the UC
 * (host/demo/virtual.ts). `--reference` runs the in-process reference meter instead (fast,
 * either ciphersuite; host/demo/reference.ts).
 */
import { SUITE_IDS } from '../../protocol/suite.ts';
import { checkInterpreter, ESPRUINO_ENV, espruinoPath, InterpreterError } from '../../elinux/interpreter.ts';
import { intFlag, parseCommandArgs, UsageError } from '../args.ts';

export const summary = 'run one billing period end to end on the virtual board (or --reference in process) and print a summary';

const usage = `usage: sipster demo [--units N]                       the meter firmware on the virtual board
       sipster demo --board espruino-linux [--espruino PATH] [--period-seconds S] [--test-load-ms MS]
                                                    the firmware on your build of Espruino's Linux interpreter
       sipster demo --reference [--units N] [--suite S]  the reference meter in process (fast)

  --units N    units owed in the period (default 300; 1–2000 on the board, 1–100000 in process)
  --reference  in-process reference meter and in-memory UC, no board, no mint
  --suite S    ciphersuite for --reference: ${SUITE_IDS.join(' | ')} (default P256-SHA256)
  --board B    virtual (default) | espruino-linux: Espruino's own interpreter built for Linux from
               Espruino's repository (--espruino PATH or $SIPSTER_ESPRUINO); it has no pins and runs
               on the host's clock, so the meter meters its test load and the period ends as time passes
  --period-seconds S   espruino-linux: billing period length (default 90, 60–3600)
  --test-load-ms MS    espruino-linux: one unit every MS ms (default 1500)
  --no-relay   pay the UC directly instead of through the Oblivious HTTP relay (PRIVACY OFF)
  --json       print the summary as one JSON object on stdout (the steps go to stderr)

The default run starts \`sipster uc serve\` (UC + Cashu mint, SQLite in a temp dir) and
\`sipster vboard\` and \`sipster relay serve\` (the Oblivious HTTP relay: privacy ON), flashes
the firmware with espruino-tools, registers the meter, runs the wallet daemon on the board's
pseudo-terminal, drives the pulses and the board's clock through
the rig, and waits until the wallet has paid every token and the UC settled the bill
(about a minute or two). Everything started is stopped on exit and on Ctrl-C.
`;

export async function run(argv: string[]): Promise<number> {
  const flags = parseCommandArgs('demo', argv, {
    units: { type: 'string' }, suite: { type: 'string' }, reference: { type: 'boolean' }, 'no-relay': { type: 'boolean' }, board: { type: 'string' },
    espruino: { type: 'string' }, 'period-seconds': { type: 'string' }, 'test-load-ms': { type: 'string' }, json: { type: 'boolean' },
  }, usage);
  if (typeof flags === 'number') return flags;
  if (flags.board !== undefined && flags.board !== 'virtual') {
    let o;
    try {
      if (flags.board !== 'espruino-linux') throw new UsageError(`--board must be virtual or espruino-linux, got ${JSON.stringify(flags.board)}`);
      if (flags.reference || flags.units !== undefined) throw new UsageError('--board espruino-linux meters its test load: no --units, no --reference');
      if (flags.json) throw new UsageError('--json is for the virtual board and --reference runs');
      const espruino = espruinoPath(flags.espruino);
      if (!espruino) throw new UsageError(`--board espruino-linux needs the interpreter: --espruino PATH or ${ESPRUINO_ENV}`);
      checkInterpreter(espruino);
      o = { espruino, periodSeconds: intFlag(flags['period-seconds'], 'period-seconds', 90, 60, 3600), testLoadMs: intFlag(flags['test-load-ms'], 'test-load-ms', 1500, 100, 60_000), relay: flags['no-relay'] !== true };
    } catch (err) {
      if (!(err instanceof UsageError) && !(err instanceof InterpreterError)) throw err;
      process.stderr.write(`sipster demo: ${err.message}\n`);
      return 2;
    }
    const { runInterpreter } = await import('../../demo/interpreter.ts');
    return runInterpreter(o);
  }
  const reference = flags.reference === true;
  let units: number;
  const suiteId = flags.suite ?? 'P256-SHA256';
  try {
    units = intFlag(flags.units, 'units', 300, 1, reference ? 100_000 : 2_000);
    if (!(SUITE_IDS as readonly string[]).includes(suiteId)) throw new UsageError(`--suite must be one of ${SUITE_IDS.join(', ')}`);
    if (!reference && suiteId !== 'P256-SHA256') throw new UsageError('the meter firmware implements P256-SHA256; use --reference for other suites');
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`sipster demo: ${err.message}\n`);
    return 2;
  }
  if (reference) {
    const [{ runReference }, { getSuite }] = await Promise.all([import('../../demo/reference.ts'), import('../../protocol/suite.ts')]);
    return runReference(getSuite(suiteId), units, flags.json === true);
  }
  const { runVirtual } = await import('../../demo/virtual.ts');
  return runVirtual({ units, relay: flags['no-relay'] !== true, json: flags.json === true });
}
