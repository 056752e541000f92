// A running virtual board with everything attached: the USB link served on a pseudo-terminal and
// on a loopback TCP console, plus the rig's control channel. `sipster vboard` and the HIL suite
// both start boards through here.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualBoard, type BoardOptions } from './board.ts';
import { serveControl, type ControlServer } from './control.ts';
import { Link } from './link.ts';
import { PtyConsole } from './pty.ts';
import { serveTcpConsole, type TcpConsole } from './tcp.ts';

export interface ServeOptions extends BoardOptions {
  /** Stable device path (a symlink to the current pty); default: a fresh temp directory. */
  readonly devicePath?: string;
  readonly pty?: boolean;
  readonly tcpPort?: number;
  readonly controlPort?: number;
}

export interface ServedBoard {
  readonly board: VirtualBoard;
  readonly link: Link;
  readonly pty: PtyConsole | undefined;
  readonly tcp: TcpConsole;
  readonly control: ControlServer;
  close(): Promise<void>;
}

export async function serveBoard(opts: ServeOptions): Promise<ServedBoard> {
  const board = new VirtualBoard(opts);
  const link = new Link(board);
  const pty = opts.pty === false ? undefined : await PtyConsole.open(link, opts.devicePath ?? join(mkdtempSync(join(tmpdir(), 'sipster-vboard-')), 'ttyVB0'));
  const tcp = await serveTcpConsole(link, opts.tcpPort ?? 0);
  const control = await serveControl(board, link, pty, opts.controlPort ?? 0);
  await board.powerOn();
  return {
    board,
    link,
    pty,
    tcp,
    control,
    close: async () => {
      board.powerOff();
      await control.close();
      await tcp.close();
      await pty?.close();
    },
  };
}
