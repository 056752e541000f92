// The board's console on a loopback TCP port, as Espruino's Linux build serves it with --telnet:
// raw bytes both ways, so `espruino -p tcp://127.0.0.1:PORT` talks to it like to a board.
import { createServer, type Server, type Socket } from 'node:net';
import type { Link } from './link.ts';

export interface TcpConsole {
  readonly port: number;
  readonly address: string;
  close(): Promise<void>;
}

export async function serveTcpConsole(link: Link, port = 0, host = '127.0.0.1'): Promise<TcpConsole> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((sock) => {
    sockets.add(sock);
    sock.setNoDelay(true);
    const detach = link.attach({ write: (d) => sock.write(d) });
    sock.on('data', (d) => link.receive(d));
    sock.on('error', () => sock.destroy());
    sock.on('close', () => {
      detach();
      sockets.delete(sock);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('TCP console has no port');
  return {
    port: addr.port,
    address: `tcp://${host}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
