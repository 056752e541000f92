/**
 * `sipster provision`: hands one meter what it is provisioned with, from the UC's store: the
 * schedule of the UC's parameters log, the UC's log key, and the tariff signed with that key
 * (published in the log). Writes meter.json for `sipster flash`; the meter then generates κ and
 * its identity key itself, and `sipster uc register-meter` registers the vkM its boot record shows.
 */
import { writeFileSync } from 'node:fs';
import { createLogger, type LogLevel } from '../../common/log.ts';
import { describeOptions, parseCommandOptions, type OptionSpec } from '../../common/options.ts';
import { CliError, UsageError } from '../args.ts';
import { openExisting } from '../store.ts';

export const summary = "write a meter's provisioning (meter.json: UC schedule and log key, signed tariff) for `sipster flash`";

const PIN = /^([A-Za-z0-9_]{1,16})?$/;
const options: OptionSpec[] = [
  { name: 'db', env: 'SIPSTER_UC_DB', kind: 'string', default: 'sipster-uc.sqlite', help: 'the UC store (created by `sipster uc serve`): SQLite path or postgres:// URL' },
  { name: 'meter-id', kind: 'string', pattern: /^[\x21-\x7e]{1,64}$/, format: '1–64 printable ASCII characters', help: 'the meter identifier (required)' },
  { name: 'out', kind: 'string', help: 'where to write meter.json (default <meter-id>.json)' },
  { name: 'tariff-version', kind: 'int', default: 1, min: 0, max: 0xffffffff, help: 'tariff version (a published version must keep its rate)' },
  // One unit (token, payment, receipt) per 50 Wh by default: a Pico-class board folds a token in
  // ~12 s (the interpreter's fold x70, bench/results/device-espruino-linux.json), and a 10 kW
  // household draws 50 Wh in 18 s, so the meter keeps up with margin; at one unit per Wh it would
  // fall behind at 300 W. Coarser units mean a coarser bill and fewer payments.
  { name: 'rate', kind: 'int', default: 20_000, min: 0, max: 0xffffffff, help: 'micro-units owed per metered Wh (20000: one unit per 50 Wh; 1000000: one per Wh)' },
  { name: 'pulse-pin', kind: 'string', default: 'D5', pattern: PIN, format: 'a pin name such as D5 (letters, digits, _; at most 16)', help: 'metering pulse input (one pulse = 1 Wh)' },
  { name: 'replay-pin', kind: 'string', default: 'D6', pattern: PIN, format: 'a pin name such as D6, or empty', help: 'troubleshooting signal input (empty: none)' },
  { name: 'final-bill-pin', kind: 'string', default: 'D7', pattern: PIN, format: 'a pin name such as D7, or empty', help: 'final-bill trigger input (empty: none)' },
  { name: 'test-load-ms', kind: 'int', default: 0, min: 0, max: 0xffffffff, help: 'built-in test load: one pulse every N ms (0: off)' },
  { name: 'timing', kind: 'boolean', default: false, help: 'the meter emits timing records' },
  { name: 'production', kind: 'boolean', default: false, help: 'lock the console after boot (nothing typed gets a reply)' },
  { name: 'json', kind: 'boolean', default: false, help: 'print what was written as one JSON object' },
  { name: 'log-level', env: 'SIPSTER_LOG_LEVEL', kind: 'string', default: 'info', choices: ['debug', 'info', 'warn', 'error'], help: 'log detail' },
];

const usage = `usage: sipster provision --meter-id ID [options]

Reads the UC's parameters log and log key from its store, signs the tariff (one rate for the
whole day) with that key and publishes it in the log, and writes meter.json for
\`sipster flash --port P --provision meter.json\`.

options:
${describeOptions(options)}`;

export async function run(argv: string[]): Promise<number> {
  const v = parseCommandOptions(options, argv, 'provision', usage);
  if (typeof v === 'number') return v;
  const meterId = v['meter-id'] as string | undefined;
  if (!meterId) throw new UsageError('--meter-id is required');
  const log = createLogger('provision', v['log-level'] as LogLevel);
  const [{ Mint }, { TestPaymentBackend }, { UcService }, { encodeProvisioning }, { toHex }] = await Promise.all([
    import('../../mint/mint.ts'),
    import('../../mint/backend.ts'),
    import('../../uc/service.ts'),
    import('../../records/provisioning.ts'),
    import('../../protocol/bytes.ts'),
  ]);
  const location = v.db as string;
  const db = await openExisting(location, 'uc', `sipster uc serve --db ${location}`);
  try {
    const uc = await UcService.open(db, await Mint.open(db, new TestPaymentBackend(true)), { log });
    const params = uc.params;
    if (params.suite.id !== 'P256-SHA256') throw new Error(`the meter firmware implements P256-SHA256; this UC runs ${params.suite.id}`);
    const tariff = await uc.publishTariff({ version: v['tariff-version'] as number, bands: [{ startMinute: 0, microUnitsPerWh: v.rate as number }] });
    const record = encodeProvisioning({
      suiteId: 'P256-SHA256',
      meterId,
      production: v.production as boolean,
      epochLength: params.epochLength,
      periodSeconds: params.periodSeconds,
      periodOrigin: params.originUnix,
      pulsePin: v['pulse-pin'] as string,
      replayPin: v['replay-pin'] as string,
      finalBillPin: v['final-bill-pin'] as string,
      testLoadMs: v['test-load-ms'] as number,
      timing: v.timing as boolean,
      ucKey: uc.logVk,
      tariff,
    });
    const out = (v.out as string | undefined) ?? `${meterId}.json`;
    writeFileSync(out, JSON.stringify({ meterId, provisioning: toHex(record) }, null, 2) + '\n');
    const written = { meterId, file: out, logVk: toHex(uc.logVk), tariffVersion: v['tariff-version'] as number, rate: v.rate as number };
    process.stdout.write(
      v.json
        ? `${JSON.stringify(written)}\n`
        : `wrote ${out}: meter ${meterId}, tariff v${written.tariffVersion} at ${written.rate} micro-units/Wh signed with the UC's log key ${written.logVk}\n` +
            `next: sipster flash --port PORT --provision ${out}\n`,
    );
    return 0;
  } catch (err) {
    throw new CliError(`cannot provision meter ${meterId}: ${(err as Error).message}`);
  } finally {
    await db.close();
  }
}
