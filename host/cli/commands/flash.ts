// sipster flash --port P --provision meter.json [--production]
import { bytesToHex } from '@noble/hashes/utils.js';
import { flashMeter } from '../../flash/flash.ts';
import { parseCommandArgs } from '../args.ts';

export const summary = 'flash the meter firmware and its provisioning record onto a board (serial device or tcp://) and confirm its boot record';

const HELP = `usage: sipster flash --port P --provision meter.json [--production] [--set-time] [--boot-timeout S]

Builds dist/meter.min.js if needed, uploads it and the provisioning record to the board's flash
with espruino-tools, makes the board boot it from flash, and confirms the boot record: firmware
hash = SHA-256 of the reproducible build, meter id, vkM, known-answer tests passed.
  --port P          serial device (/dev/ttyACM0) or console address (tcp://127.0.0.1:PORT,
                    e.g. the virtual board's; espruino-tools opens only USB devices and tcp://)
  --provision FILE  meter.json from \`sipster provision\` (see host/flash/meter-file.ts)
  --production      set the production flag: the firmware locks its console after boot, so
                    nothing typed into the port gets a reply (and this board cannot be
                    reflashed through it)
  --set-time        set the board's clock from this host's while uploading (espruino-tools -t);
                    a board without a battery-backed RTC starts at 0 and the meter needs the time
  --boot-timeout S  seconds to wait for the boot record (default 180)
`;

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs('flash', argv, {
    port: { type: 'string', short: 'p' },
    provision: { type: 'string' },
    production: { type: 'boolean' },
    'set-time': { type: 'boolean' },
    'boot-timeout': { type: 'string' },
  }, HELP);
  if (typeof args === 'number') return args;
  if (!args.port || !args.provision) {
    process.stderr.write(`sipster flash: --port and --provision are required\n${HELP}`);
    return 2;
  }
  const timeout = args['boot-timeout'] === undefined ? 180 : Number(args['boot-timeout']);
  if (!(timeout > 0 && timeout <= 3600)) {
    process.stderr.write('sipster flash: --boot-timeout must be in (0, 3600] seconds\n');
    return 2;
  }
  const tty = process.stderr.isTTY;
  let lastPct = -1;
  try {
    const r = await flashMeter({
      port: args.port,
      meterFile: args.provision,
      production: args.production === true,
      setTime: args['set-time'] === true,
      bootTimeoutMs: timeout * 1000,
      log: (l) => process.stdout.write(`${l}\n`),
      progress: (sent, total) => {
        const pct = Math.floor((100 * sent) / total);
        if (pct === lastPct) return;
        lastPct = pct;
        if (tty) process.stderr.write(`\r  upload ${pct}% (${sent}/${total} bytes)${pct === 100 ? '\n' : ''}`);
        else if (pct % 10 === 0) process.stderr.write(`  upload ${pct}% (${sent}/${total} bytes)\n`);
      },
    });
    const b = r.boot;
    process.stdout.write(
      `boot record: meter ${b.meterId}, firmware ${b.fwHash ? bytesToHex(b.fwHash) : '(none)'}, vkM ${b.vkM ? bytesToHex(b.vkM) : '(none)'}, ` +
        `KAT ${b.katOk ? 'passed' : 'FAILED'}, ${b.production ? 'production' : 'development'}, status ${b.status}, c=${b.c} n=${b.n}\n`,
    );
    if (r.problems.length > 0) {
      for (const p of r.problems) process.stderr.write(`sipster flash: ${p}\n`);
      return 1;
    }
    process.stdout.write('flash confirmed\n');
    return 0;
  } catch (e) {
    process.stderr.write(`sipster flash: ${(e as Error).message}\n`);
    return 1;
  }
}
