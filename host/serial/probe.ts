// Checks a port before anything talks to it, so that a wrong --port is one clear line at once
// instead of a tool's retries or its own output.
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { SerialPort } from 'serialport';
import { explainSerialError, explainTcpError } from './explain.ts';
import { parseTcpAddress, PortError } from './port.ts';

/** Resolves if `path` opens now (and closes it again); else rejects with a one-line PortError. */
export async function probePort(path: string, o: { baudRate?: number; timeoutMs?: number } = {}): Promise<void> {
  const tcp = parseTcpAddress(path);
  if (tcp) {
    await new Promise<void>((resolve, reject) => {
      const sock = connect({ host: tcp.host, port: tcp.port, timeout: o.timeoutMs ?? 5_000 });
      sock.once('connect', () => {
        sock.destroy();
        resolve();
      });
      sock.once('timeout', () => {
        sock.destroy();
        reject(new PortError(`no answer from tcp://${tcp.host}:${tcp.port} within ${Math.round((o.timeoutMs ?? 5_000) / 1000)} s`));
      });
      sock.once('error', (err) => reject(new PortError(explainTcpError(tcp.host, tcp.port, err))));
    });
    return;
  }
  if (path === '') throw new PortError('empty port path');
  if (!existsSync(path)) throw new PortError(explainSerialError(path, 'ENOENT'));
  await new Promise<void>((resolve, reject) => {
    const sp = new SerialPort({ path, baudRate: o.baudRate ?? 115200, autoOpen: false });
    sp.open((err) => {
      if (err) return reject(new PortError(explainSerialError(path, err.message)));
      sp.close(() => resolve());
    });
  });
}
