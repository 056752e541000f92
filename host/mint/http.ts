// Minimal JSON-over-HTTP plumbing for the Sipster services (mint, UC): routing, a hard body
// size limit, JSON parsing, and errors in the Cashu format {detail, code}. Anything that is not
// an ApiError becomes a generic 500: stack traces and internal messages stay in the log.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from './log.ts';

/** Codes of the transport layer, outside the NUT error table (which uses 1xxxx–4xxxx). */
export const HttpCode = {
  malformed: 90001,
  tooLarge: 90002,
  notFound: 90003,
  methodNotAllowed: 90004,
  unsupportedMedia: 90005,
  rateLimited: 90006,
  internal: 90000,
} as const;

/** An error meant for the client: HTTP status, numeric code, and a short detail. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'ApiError';
  }
}

export interface Request {
  readonly method: string;
  readonly path: string;
  /** Captures of the route pattern. */
  readonly params: readonly string[];
  readonly query: URLSearchParams;
  /** Parsed JSON body (undefined for GET). */
  readonly body: unknown;
  /** The body's bytes as received (a signed webhook's signature covers these). */
  readonly rawBody?: Buffer;
  readonly headers: IncomingMessage['headers'];
  /** The client's address (for per-client limits). */
  readonly remote: string;
}

export interface Route {
  readonly method: 'GET' | 'POST';
  readonly pattern: RegExp;
  readonly handler: (req: Request) => Promise<unknown>;
  /** Overrides the server's body limit for this route. */
  readonly maxBodyBytes?: number;
}

export interface JsonServerOptions {
  readonly name: string;
  readonly routes: readonly Route[];
  /** Largest accepted request body in bytes. */
  readonly maxBodyBytes: number;
  readonly log: Logger;
}

/**
 * The client went away before its request body was complete (it closed or reset the connection):
 * the client's doing, not a fault of the service, so it is neither answered nor logged as an error.
 */
class ClientAborted extends Error {
  constructor() {
    super('client aborted the request');
    this.name = 'ClientAborted';
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > limit) {
      reject(new ApiError(413, HttpCode.tooLarge, `request body larger than ${limit} bytes`));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(new ApiError(413, HttpCode.tooLarge, `request body larger than ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    // A body cut short by the client surfaces as 'aborted' and an 'error' (ECONNRESET "aborted").
    const abort = (): void => {
      if (!failed) {
        failed = true;
        reject(new ClientAborted());
      }
    };
    req.on('aborted', abort);
    req.on('error', (err) => {
      if (req.destroyed || (err as NodeJS.ErrnoException).code === 'ECONNRESET') return abort();
      if (!failed) {
        failed = true;
        reject(err);
      }
    });
  });
}

function send(res: ServerResponse, status: number, body: unknown, close = false): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(text);
}

export function createJsonServer(opts: JsonServerOptions): Server {
  const { routes, maxBodyBytes, log } = opts;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    let status = 200;
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      send(res, 400, { detail: 'malformed URL', code: HttpCode.malformed });
      return;
    }
    try {
      const matching = routes.filter((r) => r.pattern.test(url.pathname));
      if (matching.length === 0) throw new ApiError(404, HttpCode.notFound, 'no such endpoint');
      const route = matching.find((r) => r.method === req.method);
      if (!route) throw new ApiError(405, HttpCode.methodNotAllowed, 'method not allowed');
      let body: unknown;
      let raw: Buffer | undefined;
      if (route.method === 'POST') {
        const type = String(req.headers['content-type'] ?? 'application/json');
        if (!/^application\/json\b/i.test(type)) throw new ApiError(415, HttpCode.unsupportedMedia, 'body must be application/json');
        raw = await readBody(req, route.maxBodyBytes ?? maxBodyBytes);
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          throw new ApiError(400, HttpCode.malformed, 'body is not valid JSON');
        }
      }
      const params = route.pattern.exec(url.pathname)!.slice(1);
      const result = await route.handler({ method: route.method, path: url.pathname, params, query: url.searchParams, body, rawBody: raw, headers: req.headers, remote: req.socket.remoteAddress ?? '' });
      send(res, 200, result);
    } catch (err) {
      if (err instanceof ClientAborted) {
        status = 499; // nginx's "client closed request": nothing to answer, the socket is gone
      } else if (err instanceof ApiError) {
        status = err.status;
        // After a too-large body the rest of the stream is unread: close rather than keep-alive.
        send(res, err.status, { detail: err.detail, code: err.code }, err.status === 413);
        log.debug('request refused', { method: req.method, path: url.pathname, status, code: err.code, detail: err.detail });
      } else {
        status = 500;
        log.error('internal error', { method: req.method, path: url.pathname, error: (err as Error)?.stack ?? String(err) });
        if (!res.headersSent) send(res, 500, { detail: 'internal error', code: HttpCode.internal });
      }
    } finally {
      log.debug('request', { method: req.method, path: url.pathname, status, ms: (performance.now() - started).toFixed(1) });
    }
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((err) => log.error('response failed', { error: String(err) }));
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  return server;
}

/** Listens on host:port (port 0 = any free port) and resolves to the bound port. */
export function listen(server: Server, port: number, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.removeListener('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stops accepting connections and closes idle keep-alive ones. */
export function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
