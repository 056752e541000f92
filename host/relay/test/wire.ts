// A TCP man in the middle for the tests: forwards every connection to `target` and keeps every
// byte both ways, as a relay (or anyone on its path) that records everything would.
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface Wire {
  readonly url: string;
  readonly port: number;
  /** Bytes the clients sent, and the answers they got, over all connections so far. */
  sent(): Buffer;
  received(): Buffer;
  readonly connections: number;
  stop(): Promise<void>;
}

export async function recordingWire(target: { host: string; port: number }, localAddress?: string): Promise<Wire> {
  const sent: Buffer[] = [];
  const received: Buffer[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((client) => {
    connections++;
    const upstream = connect({ host: target.host, port: target.port, localAddress });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.on('data', (d: Buffer) => sent.push(Buffer.from(d)));
    upstream.on('data', (d: Buffer) => received.push(Buffer.from(d)));
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    sent: () => Buffer.concat(sent),
    received: () => Buffer.concat(received),
    get connections() {
      return connections;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
