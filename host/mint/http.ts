// Minimal JSON-over-HTTP plumbing for the Sipster services (mint, UC): routing, a hard body
// size limit, JSON parsing, and errors in the Cashu format {detail, code}. Anything that is not
// an ApiError becomes a generic 500: stack traces and internal messages stay in the log.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../common/log.ts';
import { stageEnd, stageStart } from '../common/stage-times.ts';

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
  /** Parsed JSON body (undefined for GET); the raw bytes for a route with its own `mediaType`. */
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
  /** A POST body of this media type, passed as bytes (default: application/json, parsed). */
  readonly mediaType?: string;
}

/** A handler's answer sent as bytes of its own media type instead of JSON. */
export class BinaryBody {
  constructor(
    readonly mediaType: string,
    readonly bytes: Uint8Array,
  ) {}
}

/** A request as `answer` sees it: from a socket, or decapsulated from an Oblivious HTTP message. */
export interface Incoming {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  /** The body, refused (413) past `limit` bytes. */
  read(limit: number): Promise<Uint8Array>;
  /** The client's address (for per-client limits). */
  readonly remote: string;
}

export interface Answer {
  readonly status: number;
  readonly body: unknown;
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
/** nginx's "client closed request": the client went away mid-body; nothing to answer. */
const CLIENT_CLOSED = 499;

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
  const binary = body instanceof BinaryBody;
  const bytes = binary ? body.bytes : Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    'content-type': binary ? body.mediaType : 'application/json',
    'content-length': bytes.length,
    'cache-control': 'no-store',
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(bytes);
}

const mediaTypeOf = (header: string | undefined): string => (header ?? 'application/json').split(';')[0]!.trim().toLowerCase();

/**
 * Routes one request and runs its handler: the status and body to send. An ApiError becomes its
 * {detail, code}; anything else a generic 500, its stack trace in the log only.
 */
export async function answer(routes: readonly Route[], maxBodyBytes: number, log: Logger, req: Incoming): Promise<Answer> {
  const started = stageStart();
  try {
    const matching = routes.filter((r) => r.pattern.test(req.path));
    if (matching.length === 0) throw new ApiError(404, HttpCode.notFound, 'no such endpoint');
    const route = matching.find((r) => r.method === req.method);
    if (!route) throw new ApiError(405, HttpCode.methodNotAllowed, 'method not allowed');
    let body: unknown;
    let raw: Uint8Array | undefined;
    if (route.method === 'POST') {
      const wanted = route.mediaType ?? 'application/json';
      if (mediaTypeOf(req.headers['content-type']) !== wanted) throw new ApiError(415, HttpCode.unsupportedMedia, `body must be ${wanted}`);
      raw = await req.read(route.maxBodyBytes ?? maxBodyBytes);
      if (route.mediaType) {
        body = raw;
      } else {
        try {
          body = JSON.parse(Buffer.from(raw).toString('utf8'));
        } catch {
          throw new ApiError(400, HttpCode.malformed, 'body is not valid JSON');
        }
      }
    }
    const params = route.pattern.exec(req.path)!.slice(1);
    const rawBody = raw && Buffer.from(raw.buffer, raw.byteOffset, raw.length);
    stageEnd(`${req.path}: http in (route, body, JSON.parse)`, started);
    return { status: 200, body: await route.handler({ method: route.method, path: req.path, params, query: req.query, body, rawBody, headers: req.headers, remote: req.remote }) };
  } catch (err) {
    if (err instanceof ClientAborted) return { status: CLIENT_CLOSED, body: undefined };
    if (err instanceof ApiError) {
      log.debug('request refused', { method: req.method, path: req.path, status: err.status, code: err.code, detail: err.detail });
      return { status: err.status, body: { detail: err.detail, code: err.code } };
    }
    log.error('internal error', { method: req.method, path: req.path, error: (err as Error)?.stack ?? String(err) });
    return { status: 500, body: { detail: 'internal error', code: HttpCode.internal } };
  }
}

export function createJsonServer(opts: JsonServerOptions): Server {
  const { routes, maxBodyBytes, log } = opts;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      send(res, 400, { detail: 'malformed URL', code: HttpCode.malformed });
      return;
    }
    const a = await answer(routes, maxBodyBytes, log, {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      read: async (limit) => new Uint8Array(await readBody(req, limit)),
      remote: req.socket.remoteAddress ?? '',
    });
    // After a too-large body the rest of the stream is unread: close rather than keep-alive.
    // An aborted request (499) has no one left to answer.
    const t = stageStart();
    if (!res.headersSent && a.status !== CLIENT_CLOSED) send(res, a.status, a.body, a.status === 413);
    stageEnd(`${url.pathname}: response (JSON, write)`, t);
    // The access log: who asked for what (through a relay, `remote` is the relay's address).
    log.debug('request', { method: req.method, path: url.pathname, status: a.status, ms: (performance.now() - started).toFixed(1), remote: req.socket.remoteAddress });
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
