// sipster flash --port P --provision meter.json [--production]
import { bytesToHex } from '@noble/hashes/utils.js';
import type { BootRecord } from '../../records/decode.ts';
import { CliError, intFlag, parseCommandArgs, UsageError, verbosity } from '../args.ts';

export const summary = 'flash the meter firmware and its provisioning record onto a board (serial device or tcp://) and confirm its boot record';

const HELP = `usage: sipster flash --port P --provision meter.json [options]

Builds dist/meter.min.js if needed, checks that the port opens, uploads the bundle and the
provisioning record to the board's flash with espruino-tools, makes the board boot it from
flash, and confirms the boot record: firmware hash = SHA-256 of the reproducible build, meter
id, vkM, known-answer tests passed.
  -p, --port P      serial device (/dev/ttyACM0; \`sipster ports\` lists them) or console address
                    (tcp://127.0.0.1:PORT, e.g. the virtual board's)
  --provision FILE  meter.json from \`sipster provision\` (see host/flash/meter-file.ts)
  -b, --baud N      serial baud rate (default 115200)
  --production      set the production flag: the firmware locks its console after boot, so
                    nothing typed into the port gets a reply (and this board cannot be
                    reflashed through it)
  --set-time        set the board's clock from this host's while uploading (espruino-tools -t);
                    a board without a battery-backed RTC starts at 0 and the meter needs the time
  --boot-timeout S  seconds to wait for the boot record (default 180)
  -v, --verbose     also print espruino-tools' own output
  -q, --quiet       print only the result line (and errors)
  --json            print the result as one JSON object (progress goes to stderr)
`;

function bootJson(b: BootRecord): Record<string, unknown> {
  return {
    meterId: b.meterId, firmwareSha256: b.fwHash ? bytesToHex(b.fwHash) : null, vkM: b.vkM ? bytesToHex(b.vkM) : null,
    katOk: b.katOk, production: b.production, status: b.status, c: b.c, n: b.n, periodLabel: b.periodLabel,
  };
}

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs('flash', argv, {
    port: { type: 'string', short: 'p' },
    provision: { type: 'string' },
    baud: { type: 'string', short: 'b' },
    production: { type: 'boolean' },
    'set-time': { type: 'boolean' },
    'boot-timeout': { type: 'string' },
    verbose: { type: 'boolean', short: 'v' },
    quiet: { type: 'boolean', short: 'q' },
    json: { type: 'boolean' },
  }, HELP);
  if (typeof args === 'number') return args;
  if (!args.port || !args.provision) throw new UsageError('--port and --provision are required');
  const timeout = intFlag(args['boot-timeout'], 'boot-timeout', 180, 1, 3600);
  const baudRate = intFlag(args.baud, 'baud', 115200, 50, 4_000_000);
  const level = verbosity(args);
  const json = args.json === true;
  // With --json, stdout holds only the result; the steps go to stderr.
  const say = (l: string): void => {
    if (level !== 'quiet') (json ? process.stderr : process.stdout).write(`${l}\n`);
  };
  const { flashMeter } = await import('../../flash/flash.ts');
  const { UploadError } = await import('../../flash/upload.ts');
  const { MeterFileError } = await import('../../flash/meter-file.ts');
  const tty = process.stderr.isTTY && level !== 'quiet';
  let lastPct = -1;
  let r;
  try {
    r = await flashMeter({
      port: args.port,
      meterFile: args.provision,
      production: args.production === true,
      setTime: args['set-time'] === true,
      bootTimeoutMs: timeout * 1000,
      baudRate,
      log: say,
      toolOutput: level === 'verbose' ? (l) => process.stderr.write(`  espruino: ${l}\n`) : undefined,
      progress: (sent, total) => {
        const pct = Math.floor((100 * sent) / total);
        if (!tty || pct === lastPct) return;
        lastPct = pct;
        process.stderr.write(`\r  upload ${pct}% (${sent}/${total} bytes)${pct === 100 ? '\n' : ''}`);
      },
    });
  } catch (e) {
    const message = (e as Error).message.split('\n')[0]!;
    if (e instanceof MeterFileError && !message.startsWith('cannot read')) throw new CliError(`${args.provision} is not a meter file from \`sipster provision\`: ${message}`);
    const hint = e instanceof UploadError && level !== 'verbose' ? ' (--verbose shows espruino-tools\' output)' : '';
    throw new CliError(`${message}${hint}`);
  }
  const b = r.boot;
  const confirmed = r.problems.length === 0;
  if (json) {
    process.stdout.write(`${JSON.stringify({
      port: args.port, confirmed, problems: r.problems, firmwareSha256: r.firmwareSha256, bundleBytes: r.bundleBytes, fileBytes: r.fileBytes,
      bytesSent: r.bytesSent, uploadSeconds: Number(r.uploadSeconds.toFixed(2)), boot: bootJson(b),
    })}\n`);
  } else {
    say(
      `boot record: meter ${b.meterId}, firmware ${b.fwHash ? bytesToHex(b.fwHash) : '(none)'}, vkM ${b.vkM ? bytesToHex(b.vkM) : '(none)'}, ` +
        `KAT ${b.katOk ? 'passed' : 'FAILED'}, ${b.production ? 'production' : 'development'}, status ${b.status}, c=${b.c} n=${b.n}`,
    );
    if (confirmed) process.stdout.write(`flash confirmed: firmware ${r.bundleBytes} B (sha256 ${r.firmwareSha256.slice(0, 16)}…), vkM ${b.vkM ? bytesToHex(b.vkM) : '(none)'}\n`);
  }
  if (!confirmed) throw new CliError(`the boot record does not confirm the flash: ${r.problems.join('; ')}`);
  return 0;
}
