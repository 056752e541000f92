/**
 * An Oblivious Relay Resource (RFC 9458 Section 6.2) for Sipster's pay and receipt lookups:
 * forwards each encapsulated request (message/ohttp-req) to the one configured gateway and the
 * answer back, and nothing else. It sees who sends, never what (the content is sealed to the
 * UC's key); the UC sees what, never who (only the relay's address). So that it stays that way:
 *   - the forwarded request carries the content type, the length and the body, nothing of the
 *     client (no Forwarded, X-Forwarded-For, Via, cookies, client headers or timing hints);
 *   - the answer back carries only its status, content type and body;
 *   - it keeps no log of content and none of addresses: per request it records nothing, and
 *     the rate limiter's per-address buckets live in memory only, dropped once refilled;
 *   - bodies are bounded both ways, and each client address is rate-limited (token bucket).
 */
import { createServer, request as httpRequest, Agent, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import type { Logger } from '../common/log.ts';
import { REQUEST_MEDIA_TYPE, RESPONSE_MEDIA_TYPE } from '../ohttp/ohttp.ts';

export interface RelayOptions {
  /** The Oblivious Gateway Resource, e.g. http://uc.example:3340/v1/ohttp. */
  readonly gateway: URL;
  /** Largest encapsulated request forwarded (an encapsulated pay is under 1 KB). */
  readonly maxBodyBytes: number;
  /** Requests per second each client address may send on average, and the burst it may save up. */
  readonly ratePerSecond: number;
  readonly burst: number;
  /** The local address to reach the gateway from (a multi-homed relay's egress interface). */
  readonly localAddress?: string;
  readonly timeoutMs?: number;
  readonly log: Logger;
}

/** Largest gateway answer passed back (an encapsulated receipt is a few hundred bytes). */
const MAX_RESPONSE_BYTES = 64 * 1024;
/** Buckets kept before full ones are swept (a sweep is O(n), at most once per this many adds). */
const SWEEP_AT = 10_000;

/** Per-address token buckets: `burst` requests at once, refilled at `rate` per second. */
class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {}

  take(client: string, now = performance.now()): boolean {
    const b = this.buckets.get(client) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.rate);
    b.at = now;
    const ok = b.tokens >= 1;
    if (ok) b.tokens -= 1;
    if (!this.buckets.has(client) && this.buckets.size >= SWEEP_AT) this.sweep(now);
    this.buckets.set(client, b);
    return ok;
  }

  /** Forgets every address whose bucket has refilled: it would start full anyway. */
  private sweep(now: number): void {
    for (const [k, b] of this.buckets) if (b.tokens + ((now - b.at) / 1000) * this.rate >= this.burst) this.buckets.delete(k);
  }
}

function refuse(res: ServerResponse, status: number, detail: string, extra: Record<string, string> = {}): void {
  const body = JSON.stringify({ detail: `relay: ${detail}`, code: 0 });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', ...extra });
  res.end(body);
}

function readBounded(stream: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (d: Buffer) => {
      size += d.length;
      if (size > limit) {
        resolve(undefined);
        stream.destroy();
      } else {
        chunks.push(d);
      }
    });
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

export function createRelayServer(o: RelayOptions): Server {
  const limiter = new RateLimiter(o.ratePerSecond, o.burst);
  const https = o.gateway.protocol === 'https:';
  const agent = https ? new HttpsAgent({ keepAlive: true }) : new Agent({ keepAlive: true });
  const timeoutMs = o.timeoutMs ?? 15_000;

  const forward = (body: Buffer): Promise<{ status: number; mediaType: string; body: Buffer } | string> =>
    new Promise((resolve) => {
      const req = (https ? httpsRequest : httpRequest)(
        o.gateway,
        {
          method: 'POST',
          agent,
          localAddress: o.localAddress,
          // Only what carries the encapsulated request; Node adds Host and Connection itself.
          headers: { 'content-type': REQUEST_MEDIA_TYPE, 'content-length': body.length },
        },
        (res) => {
          void readBounded(res, MAX_RESPONSE_BYTES).then(
            (answer) => resolve(answer === undefined ? 'gateway answer too large' : { status: res.statusCode ?? 502, mediaType: String(res.headers['content-type'] ?? ''), body: answer }),
            () => resolve('gateway connection failed'),
          );
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
      req.on('error', (err) => resolve(err.message === 'timeout' ? 'gateway timed out' : 'gateway unreachable'));
      req.end(body);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'POST' || (req.url ?? '/') !== '/') {
      req.resume();
      refuse(res, req.method === 'POST' ? 404 : 405, `only POST / with ${REQUEST_MEDIA_TYPE} is relayed`);
      return;
    }
    if (!limiter.take(req.socket.remoteAddress ?? '')) {
      req.resume();
      refuse(res, 429, 'too many requests from this address', { 'retry-after': '1' });
      return;
    }
    if (String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase() !== REQUEST_MEDIA_TYPE) {
      req.resume();
      refuse(res, 415, `body must be ${REQUEST_MEDIA_TYPE}`);
      return;
    }
    if (Number(req.headers['content-length'] ?? 0) > o.maxBodyBytes) {
      req.resume();
      refuse(res, 413, `body larger than ${o.maxBodyBytes} bytes`, { connection: 'close' });
      return;
    }
    const body = await readBounded(req, o.maxBodyBytes);
    if (body === undefined) {
      refuse(res, 413, `body larger than ${o.maxBodyBytes} bytes`, { connection: 'close' });
      return;
    }
    if (body.length === 0) {
      refuse(res, 400, 'empty body');
      return;
    }
    const answer = await forward(body);
    if (typeof answer === 'string') {
      refuse(res, answer === 'gateway timed out' ? 504 : 502, answer);
      return;
    }
    // An encapsulated answer, or the gateway's plain refusal of what it could not open.
    const mediaType = answer.mediaType.split(';')[0]!.trim().toLowerCase();
    if (mediaType !== RESPONSE_MEDIA_TYPE && mediaType !== 'application/json') {
      refuse(res, 502, 'gateway answered with an unexpected media type');
      return;
    }
    res.writeHead(answer.status, { 'content-type': mediaType, 'content-length': answer.body.length, 'cache-control': 'no-store' });
    res.end(answer.body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      o.log.error('relay failure', { error: (err as Error).message });
      if (!res.headersSent) refuse(res, 500, 'internal error');
    });
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
  });
  server.on('close', () => agent.destroy());
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  return server;
}
