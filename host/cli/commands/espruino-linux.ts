// sipster espruino-linux: Espruino's own Linux interpreter served as a board until interrupted.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkInterpreter, ESPRUINO_ENV, espruinoPath } from '../../elinux/interpreter.ts';
import { serveInterpreter } from '../../elinux/serve.ts';
import { intFlag, parseCommandArgs, UsageError } from '../args.ts';

export const summary = "run Espruino's Linux interpreter (your own build) as a board on a pseudo-terminal and a TCP console";

const HELP = `usage: sipster espruino-linux [options]

Runs Espruino's own interpreter, built for Linux from Espruino's public repository (not part of
Sipster), as a board: its working directory's espruino.flash is the board's flash, a restart is a
reboot (the boot code runs), a power cut is SIGKILL. Prints its device path (a pseudo-terminal),
its console (tcp://127.0.0.1:PORT, for espruino-tools and sipster flash) and the rig's control URL
(HTTP: GET /status, POST /power {"action":"off"|"on"|"cycle"}). It has no pins: a meter on it
meters its provisioned test load.

options:
  --espruino PATH      the interpreter (default: $${ESPRUINO_ENV})
  --dir DIR            working directory, holds espruino.flash (default: a new temp directory)
  --device PATH        device path to create (a symlink to the pty; default DIR/ttyEL0)
  --no-pty             serve the TCP console only
  --tcp-port N         console port on 127.0.0.1 (default: any free port)
  --control-port N     control port on 127.0.0.1 (default: any free port)
  --json               print the addresses as one JSON line
`;

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs('espruino-linux', argv, {
    espruino: { type: 'string' },
    dir: { type: 'string' },
    device: { type: 'string' },
    'no-pty': { type: 'boolean' },
    'tcp-port': { type: 'string' },
    'control-port': { type: 'string' },
    json: { type: 'boolean' },
  }, HELP);
  if (typeof args === 'number') return args;
  let served;
  let version;
  try {
    const binary = espruinoPath(args.espruino);
    if (!binary) throw new UsageError(`no interpreter: pass --espruino PATH or set ${ESPRUINO_ENV}`);
    version = checkInterpreter(binary);
    const dir = resolve(args.dir ?? mkdtempSync(join(tmpdir(), 'sipster-espruino-')));
    served = await serveInterpreter({
      binary,
      dir,
      devicePath: args.device === undefined ? undefined : resolve(args.device),
      pty: !args['no-pty'],
      tcpPort: intFlag(args['tcp-port'], 'tcp-port', 0, 0, 65535),
      controlPort: intFlag(args['control-port'], 'control-port', 0, 0, 65535),
    });
  } catch (e) {
    process.stderr.write(`sipster espruino-linux: ${(e as Error).message}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
  const info = { device: served.pty?.path ?? null, console: served.tcp.address, control: served.control.url, dir: served.board.options.dir, version };
  if (args.json) process.stdout.write(JSON.stringify(info) + '\n');
  else process.stdout.write(`espruino ${version}\ndevice:  ${info.device ?? '(none)'}\nconsole: ${info.console}\ncontrol: ${info.control}\nflash:   ${join(info.dir, 'espruino.flash')}\n`);
  served.board.on('exit', (e: { code: number | null; signal: string | null; tail: string }) => {
    process.stderr.write(`sipster espruino-linux: the interpreter exited by itself (code ${e.code}, signal ${e.signal}); last output:\n${e.tail.slice(-600)}\n`);
  });
  await new Promise<void>((resolveStop) => {
    process.once('SIGINT', () => resolveStop());
    process.once('SIGTERM', () => resolveStop());
  });
  await served.close();
  return 0;
}
