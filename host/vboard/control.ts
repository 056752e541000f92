// The rig's control channel: loopback HTTP with small JSON bodies, which the HIL suite (or curl)
// uses to do to the virtual board what a test rig does to a real one.
//   GET  /status                                   -> state
//   POST /pin    {pin, level}                      -> set an input pin
//   POST /pulse  {pin, count, periodMs, widthMs?}  -> metering pulses (virtual time)
//   POST /clock  {speed?, advanceMs?, setMs?}      -> clock speed, jump forward, set
//   POST /power  {action: "off"|"on"|"cycle"}      -> power cut / power on
//   POST /cut    {afterFlashWrites, tornBytes?} | {afterRecords}  -> arm a precise power cut
//   POST /usb    {action: "unplug"|"plug"}         -> the pty device vanishes / returns
//   POST /noise  {writes}                          -> line noise on the next board-to-host writes
// Bad input gets a 400 with {error}; nothing reaches the board unless the whole request is valid.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { CutPlan, VirtualBoard } from './board.ts';
import type { Link } from './link.ts';
import type { PtyConsole } from './pty.ts';

export class BadRequest extends Error {}

const MAX_BODY = 4096;

export function num(body: Record<string, unknown>, key: string, opts: { min?: number; max?: number; optional?: boolean; integer?: boolean } = {}): number | undefined {
  const v = body[key];
  if (v === undefined && opts.optional) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new BadRequest(`${key} must be a finite number`);
  if (opts.integer && !Number.isInteger(v)) throw new BadRequest(`${key} must be an integer`);
  if (opts.min !== undefined && v < opts.min) throw new BadRequest(`${key} must be >= ${opts.min}`);
  if (opts.max !== undefined && v > opts.max) throw new BadRequest(`${key} must be <= ${opts.max}`);
  return v;
}

function pinName(body: Record<string, unknown>): string {
  const p = body.pin;
  if (typeof p !== 'string' || !/^[A-Z][A-Z0-9_]{0,15}$/.test(p)) throw new BadRequest('pin must be a pin name like "D5"');
  return p;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY) throw new BadRequest('body too large');
    chunks.push(c);
  }
  if (size === 0) return {};
  let v: unknown;
  try {
    v = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new BadRequest('body is not JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new BadRequest('body must be a JSON object');
  return v as Record<string, unknown>;
}

export interface ControlServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The rig's HTTP server: GET /status, and POST routes whose JSON body `post` validates and acts on
 * (a BadRequest is a 400, anything else a 500), answered with the status after the action.
 */
export async function serveRig(port: number, status: () => unknown, post: (url: string, body: Record<string, unknown>) => Promise<unknown>): Promise<ControlServer> {
  const handle = async (req: IncomingMessage): Promise<unknown> => {
    const url = req.url ?? '/';
    if (req.method === 'GET' && url === '/status') return status();
    if (req.method !== 'POST') throw new BadRequest(`no ${req.method} ${url}`);
    return post(url, await readJson(req));
  };
  const server: Server = createServer((req, res: ServerResponse) => {
    handle(req).then(
      (out) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(out));
      },
      (e: unknown) => {
        const bad = e instanceof BadRequest;
        res.writeHead(bad ? 400 : 500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: (e as Error).message }));
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('control server has no port');
  return {
    url: `http://127.0.0.1:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function serveControl(board: VirtualBoard, link: Link, pty: PtyConsole | undefined, port = 0): Promise<ControlServer> {
  return serveRig(port, () => status(board, pty), async (url, body) => {
    switch (url) {
      case '/pin':
        if (typeof body.level !== 'boolean') throw new BadRequest('level must be true or false');
        board.setPin(pinName(body), body.level);
        return status(board, pty);
      case '/pulse': {
        const pin = pinName(body);
        const count = num(body, 'count', { min: 1, max: 100000, integer: true })!;
        const periodMs = num(body, 'periodMs', { min: 0.01, max: 86400000 })!;
        const widthMs = num(body, 'widthMs', { min: 0.001, max: periodMs, optional: true });
        board.pulse(pin, count, periodMs, widthMs);
        return status(board, pty);
      }
      case '/clock': {
        const speed = num(body, 'speed', { min: 1e-3, max: 1e7, optional: true });
        const advanceMs = num(body, 'advanceMs', { min: 0, max: 1e12, optional: true });
        const setMs = num(body, 'setMs', { min: 0, max: 1e13, optional: true });
        if (speed !== undefined) board.setSpeed(speed);
        if (setMs !== undefined) board.clock.set(setMs);
        if (advanceMs !== undefined) await board.advance(advanceMs);
        return status(board, pty);
      }
      case '/power':
        if (body.action === 'off') board.powerOff();
        else if (body.action === 'on') await board.powerOn();
        else if (body.action === 'cycle') {
          board.powerOff();
          await board.powerOn();
        } else throw new BadRequest('action must be "off", "on" or "cycle"');
        return status(board, pty);
      case '/cut': {
        let plan: CutPlan;
        if (body.afterRecords !== undefined) plan = { afterRecords: num(body, 'afterRecords', { min: 1, max: 1e6, integer: true })! };
        else {
          const afterFlashWrites = num(body, 'afterFlashWrites', { min: 1, max: 1e6, integer: true })!;
          const tornBytes = num(body, 'tornBytes', { min: 0, max: 1e6, integer: true, optional: true });
          plan = tornBytes === undefined ? { afterFlashWrites } : { afterFlashWrites, tornBytes };
        }
        board.armCut(plan);
        return status(board, pty);
      }
      case '/usb':
        if (!pty) throw new BadRequest('this board has no pseudo-terminal');
        if (body.action === 'unplug') await pty.unplug();
        else if (body.action === 'plug') await pty.plug();
        else throw new BadRequest('action must be "unplug" or "plug"');
        return status(board, pty);
      case '/noise':
        link.addNoise(num(body, 'writes', { min: 1, max: 10000, integer: true })!);
        return status(board, pty);
      default:
        throw new BadRequest(`no POST ${url}`);
    }
  });
}

export interface BoardStatus {
  powered: boolean;
  clockMs: number;
  speed: number;
  recordsSent: number;
  flashWrites: number;
  ramUsedBytes: number | null;
  usbPlugged: boolean | null;
}

function status(board: VirtualBoard, pty: PtyConsole | undefined): BoardStatus {
  return {
    powered: board.powered,
    clockMs: board.clock.now(),
    speed: board.clock.speed,
    recordsSent: board.recordsSent,
    flashWrites: board.flash.writes,
    ramUsedBytes: board.memoryUsed() ?? null,
    usbPlugged: pty ? pty.isPlugged : null,
  };
}
