// Espruino's Linux interpreter served as a board, beside the virtual board: its console on a
// pseudo-terminal (serialport opens it like any tty) and on a loopback TCP console (espruino-tools
// reaches it as tcp://127.0.0.1:PORT), both through our own relay of its stdin/stdout (its own
// --telnet console listens on every interface, on one fixed port), and the rig's control channel
// for what a rig can do to it: GET /status, POST /power {action: "off"|"on"|"cycle"} (off = SIGKILL).
import { join } from 'node:path';
import { BadRequest, serveRig, type ControlServer } from '../vboard/control.ts';
import { Link } from '../vboard/link.ts';
import { PtyConsole } from '../vboard/pty.ts';
import { serveTcpConsole, type TcpConsole } from '../vboard/tcp.ts';
import { InterpreterBoard, type InterpreterOptions } from './interpreter.ts';

export interface InterpreterStatus {
  powered: boolean;
  clockMs: number;
  powerOns: number;
  /** Console input dropped because the interpreter had not taken the bytes before it (bounded buffer). */
  inputDropped: number;
  usbPlugged: boolean | null;
}

export interface ServedInterpreter {
  readonly board: InterpreterBoard;
  readonly pty: PtyConsole | undefined;
  readonly tcp: TcpConsole;
  readonly control: ControlServer;
  close(): Promise<void>;
}

export async function serveInterpreter(opts: InterpreterOptions & { readonly devicePath?: string; readonly pty?: boolean; readonly tcpPort?: number; readonly controlPort?: number }): Promise<ServedInterpreter> {
  const board = new InterpreterBoard(opts);
  const link = new Link(board);
  const pty = opts.pty === false ? undefined : await PtyConsole.open(link, opts.devicePath ?? join(opts.dir, 'ttyEL0'));
  const tcp = await serveTcpConsole(link, opts.tcpPort ?? 0);
  const status = (): InterpreterStatus => ({ powered: board.powered, clockMs: Date.now(), powerOns: board.powerOns, inputDropped: board.droppedBytes, usbPlugged: pty ? pty.isPlugged : null });
  const control = await serveRig(opts.controlPort ?? 0, status, async (url, body) => {
    if (url !== '/power') throw new BadRequest(`no POST ${url} on the Linux interpreter (no pins, no clock control: it runs on the host's clock)`);
    if (body.action === 'off') await board.powerOff();
    else if (body.action === 'on') await board.powerOn();
    else if (body.action === 'cycle') {
      await board.powerOff();
      await board.powerOn();
    } else throw new BadRequest('action must be "off", "on" or "cycle"');
    return status();
  });
  await board.powerOn();
  return {
    board,
    pty,
    tcp,
    control,
    close: async () => {
      await board.powerOff();
      await control.close();
      await tcp.close();
      await pty?.close();
    },
  };
}
