// A byte port that survives unplug/replug: a serial device path (a real board's /dev/ttyACM0 or the
// virtual board's pseudo-terminal, both through serialport) or a tcp://host:port console. When the
// device vanishes or the connection drops, it reopens with exponential backoff until closed.
// (serialport's list() is not used: it needs udevadm, which many machines lack.)
import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import { SerialPort } from 'serialport';
import { explainSerialError, explainTcpError } from './explain.ts';

export interface PortOptions {
  readonly path: string;
  readonly baudRate?: number;
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

export class PortError extends Error {
  override readonly name = 'PortError';
}

interface Conn {
  write(data: Buffer): Promise<void>;
  close(): void;
}

/** Parses tcp://host:port; undefined for a device path. */
export function parseTcpAddress(path: string): { host: string; port: number } | undefined {
  if (!path.startsWith('tcp://')) return undefined;
  const m = /^tcp:\/\/([^:/]*)(?::(\d{1,5}))?\/?$/.exec(path);
  const port = m?.[2] === undefined ? 23 : Number(m[2]);
  if (!m || port < 1 || port > 65535) throw new PortError(`bad console address ${JSON.stringify(path)} (want tcp://host:port)`);
  return { host: m[1] || '127.0.0.1', port };
}

/** Events: 'data' (Buffer), 'open', 'close' (reason string), 'retry' (attempt, delayMs, reason). */
export class ResilientPort extends EventEmitter {
  private conn: Conn | undefined;
  private closed = false;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  opens = 0;
  /** Why the last attempt to open failed or the port was lost, in words (undefined while open). */
  lastFailure: string | undefined;

  constructor(readonly options: PortOptions) {
    super();
    parseTcpAddress(options.path);
    if (!options.path.startsWith('tcp://') && options.path.length === 0) throw new PortError('empty port path');
  }

  get isOpen(): boolean {
    return this.conn !== undefined;
  }

  start(): void {
    this.tryOpen();
  }

  /** Resolves once the port is open (now or after a reopen). */
  async waitOpen(timeoutMs = 10_000): Promise<void> {
    if (this.conn) return;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => {
        this.off('open', onOpen);
        reject(new PortError(`port ${this.options.path} did not open within ${timeoutMs / 1000} s${this.lastFailure ? `: ${this.lastFailure}` : ''}`));
      }, timeoutMs);
      const onOpen = (): void => {
        clearTimeout(t);
        resolve();
      };
      this.once('open', onOpen);
    });
  }

  async write(data: Buffer | string): Promise<void> {
    if (!this.conn) throw new PortError(`port ${this.options.path} is not open`);
    await this.conn.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const c = this.conn;
    this.conn = undefined;
    c?.close();
  }

  private tryOpen(): void {
    if (this.closed) return;
    const tcp = parseTcpAddress(this.options.path);
    const onOpen = (conn: Conn): void => {
      if (this.closed) return conn.close();
      this.conn = conn;
      this.attempt = 0;
      this.lastFailure = undefined;
      this.opens++;
      this.emit('open');
    };
    const onLost = (reason: string): void => {
      const was = this.conn !== undefined;
      this.conn = undefined;
      this.lastFailure = reason;
      if (was) this.emit('close', reason);
      this.scheduleRetry(reason);
    };
    if (tcp) openTcp(tcp.host, tcp.port, (d) => this.emit('data', d), onOpen, onLost);
    else openSerial(this.options.path, this.options.baudRate ?? 115200, (d) => this.emit('data', d), onOpen, onLost);
  }

  private scheduleRetry(reason: string): void {
    if (this.closed || this.retryTimer) return;
    const min = this.options.minBackoffMs ?? 50;
    const max = this.options.maxBackoffMs ?? 2000;
    const delay = Math.min(max, min * 2 ** Math.min(this.attempt, 16));
    this.attempt++;
    this.emit('retry', this.attempt, delay, reason);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.tryOpen();
    }, delay);
  }
}

function openSerial(path: string, baudRate: number, onData: (d: Buffer) => void, onOpen: (c: Conn) => void, onLost: (reason: string) => void): void {
  let lost = false;
  const lose = (reason: string): void => {
    if (lost) return;
    lost = true;
    onLost(reason);
  };
  const sp = new SerialPort({ path, baudRate, autoOpen: false });
  sp.on('data', onData);
  sp.on('error', (e: Error) => lose(explainSerialError(path, e.message)));
  sp.on('close', () => lose('closed'));
  sp.open((err) => {
    if (err) return lose(explainSerialError(path, err.message));
    onOpen({
      write: (data) =>
        new Promise<void>((resolve, reject) => {
          sp.write(data, (e) => (e ? reject(new PortError(e.message)) : sp.drain((e2) => (e2 ? reject(new PortError(e2.message)) : resolve()))));
        }),
      close: () => {
        lost = true;
        if (sp.isOpen) sp.close(() => undefined);
      },
    });
  });
}

function openTcp(host: string, port: number, onData: (d: Buffer) => void, onOpen: (c: Conn) => void, onLost: (reason: string) => void): void {
  let lost = false;
  const sock: Socket = connect({ host, port });
  const lose = (reason: string): void => {
    if (lost) return;
    lost = true;
    sock.destroy();
    onLost(reason);
  };
  sock.setNoDelay(true);
  sock.on('data', onData);
  sock.on('error', (e) => lose(explainTcpError(host, port, e)));
  sock.on('close', () => lose('closed'));
  sock.on('connect', () =>
    onOpen({
      write: (data) => new Promise<void>((resolve, reject) => sock.write(data, (e) => (e ? reject(new PortError(e.message)) : resolve()))),
      close: () => {
        lost = true;
        sock.destroy();
      },
    }),
  );
}
