// sipster vboard: run the virtual board until interrupted.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DEFAULT_RAM_BYTES } from '../../vboard/board.ts';
import { serveBoard } from '../../vboard/serve.ts';
import { parseCommandArgs } from '../args.ts';

export const summary = 'run the virtual board (Espruino surface on QuickJS) on a pseudo-terminal and a TCP console';

const HELP = `usage: sipster vboard [options]

Runs the firmware from the board's flash file like a board powering up, and keeps running.
Prints its device path (a pseudo-terminal serialport opens like any tty), its console
address (tcp://..., for espruino-tools: espruino --no-ble -p tcp://...) and the rig's
control URL (HTTP: /status, /pin, /pulse, /clock, /power, /cut, /usb).

options:
  --flash FILE         flash contents (default .sipster/vboard-flash.json)
  --device PATH        device path to create (a symlink to the pty, its directory made if
                       needed; default in a temp dir)
  --no-pty             serve the TCP console only
  --tcp-port N         console port on 127.0.0.1 (default: any free port)
  --control-port N     control port on 127.0.0.1 (default: any free port)
  --ram BYTES          guest heap cap (default ${DEFAULT_RAM_BYTES})
  --speed X            clock speed, virtual seconds per real second (default 1)
  --serial S           process.env.SERIAL of this board
  --json               print the addresses as one JSON line
`;

function intArg(v: string | undefined, name: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer in ${min}..${max}`);
  return n;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs('vboard', argv, {
    flash: { type: 'string' },
    device: { type: 'string' },
    'no-pty': { type: 'boolean' },
    'tcp-port': { type: 'string' },
    'control-port': { type: 'string' },
    ram: { type: 'string' },
    speed: { type: 'string' },
    serial: { type: 'string' },
    json: { type: 'boolean' },
  }, HELP);
  if (typeof args === 'number') return args;
  let opts;
  try {
    const speed = args.speed === undefined ? 1 : Number(args.speed);
    if (!(speed > 0 && speed <= 1e7)) throw new Error('--speed must be a number in (0, 1e7]');
    opts = {
      flashPath: resolve(args.flash ?? '.sipster/vboard-flash.json'),
      devicePath: args.device === undefined ? undefined : resolve(args.device),
      pty: !args['no-pty'],
      tcpPort: intArg(args['tcp-port'], '--tcp-port', 0, 65535),
      controlPort: intArg(args['control-port'], '--control-port', 0, 65535),
      ramBytes: intArg(args.ram, '--ram', 256 * 1024, 1024 ** 3),
      clockSpeed: speed,
      serial: args.serial,
    };
  } catch (e) {
    process.stderr.write(`sipster vboard: ${(e as Error).message}\n`);
    return 2;
  }
  let served;
  try {
    mkdirSync(dirname(opts.flashPath), { recursive: true });
    if (opts.devicePath) mkdirSync(dirname(opts.devicePath), { recursive: true });
    served = await serveBoard(opts);
  } catch (e) {
    process.stderr.write(`sipster vboard: ${(e as Error).message}\n`);
    return 1;
  }
  const info = { device: served.pty?.path ?? null, console: served.tcp.address, control: served.control.url, flash: served.board.options.flashPath };
  if (args.json) process.stdout.write(JSON.stringify(info) + '\n');
  else {
    process.stdout.write(`device:  ${info.device ?? '(none)'}\nconsole: ${info.console}\ncontrol: ${info.control}\nflash:   ${info.flash}\n`);
  }
  served.board.on('uncaught', (t: string) => process.stderr.write(`${t}\n`));
  await new Promise<void>((resolveStop) => {
    const stop = (): void => resolveStop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await served.close();
  return 0;
}
