// HTTP client of the UC's API (host/uc/server.ts), used by the wallet daemon. With a relay, pay
// and receipt lookups are Oblivious HTTP (RFC 9458): the same JSON request as a Binary HTTP
// message, encapsulated to the UC's pinned OHTTP key and posted to the relay, which sees this
// household's address but only ciphertext; the UC sees the request but only the relay's
// address. Everything else is authenticated as the account holder anyway and goes direct.
import http from 'node:http';
import https from 'node:https';
import type { Proof } from '@cashu/cashu-ts';
import { decodeResponse, encodeRequest } from '../ohttp/bhttp.ts';
import { decapsulateResponse, encapsulateRequest, REQUEST_MEDIA_TYPE, RESPONSE_MEDIA_TYPE, type KeyConfig } from '../ohttp/ohttp.ts';
import { fromHex, toHex, type ParamsEntry } from '../protocol/index.ts';

/** A refusal or failure of the UC (or of the way to it). The wallet treats them all alike: retry later. */
export class UcHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    readonly detail: string,
  ) {
    super(status === 0 ? `UC ${detail}` : `UC answered ${status} (${code}): ${detail}`);
    this.name = 'UcHttpError';
  }
}

/** An Oblivious HTTP relay (not run by the UC) and the UC's gateway key configuration, as pinned. */
export interface ObliviousRoute {
  readonly relayUrl: string;
  /** The pinned key configuration to encapsulate to; throws when there is none to use. */
  keyConfig(): KeyConfig;
}

export interface UcClientOptions {
  readonly ucUrl: string;
  /** Pay and receipt lookups go through this relay, encapsulated; without it they go to the UC directly. */
  readonly oblivious?: ObliviousRoute;
  readonly accountToken?: string;
  readonly timeoutMs?: number;
}

type Exchange = { status: number; body: Buffer; mediaType: string };

/** A UC answer, JSON in either case: the value, or the error it names. */
function interpret<T>(status: number, body: Buffer, what = 'response'): T {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new UcHttpError(status, 0, `${what} is not JSON`);
  }
  if (status < 200 || status > 299) {
    const e = json as { code?: unknown; detail?: unknown };
    throw new UcHttpError(status, typeof e?.code === 'number' ? e.code : 0, typeof e?.detail === 'string' ? e.detail : 'error');
  }
  return json as T;
}

export class UcClient {
  constructor(private readonly o: UcClientOptions) {}

  get oblivious(): boolean {
    return this.o.oblivious !== undefined;
  }

  /**
   * One exchange, with one immediate second try on a transport failure (typically a pooled
   * keep-alive connection the server had already closed). `body` is called per try, so an
   * Oblivious HTTP request is encapsulated afresh (a resent encapsulation is refused as a replay).
   */
  private async exchange(url: URL, method: 'GET' | 'POST', headers: Record<string, string>, body?: () => Promise<Buffer>): Promise<Exchange> {
    for (let attempt = 1; ; attempt++) {
      const b = await body?.();
      try {
        return await send(url, method, b ? { ...headers, 'content-length': String(b.length) } : headers, b, this.o.timeoutMs ?? 15_000);
      } catch (err) {
        if (attempt < 2) continue;
        // Node's connection errors may carry only a code (an AggregateError's message is empty).
        const e = err as NodeJS.ErrnoException & { errors?: NodeJS.ErrnoException[] };
        const why = e.code === 'ECONNREFUSED' ? 'connection refused' : e.code ?? e.errors?.[0]?.code ?? e.message;
        throw new UcHttpError(0, 0, `unreachable: ${url.origin}: ${why}`);
      }
    }
  }

  private async call<T>(method: 'GET' | 'POST', path: string, payload?: unknown, auth = false): Promise<T> {
    const headers: Record<string, string> = {};
    if (payload !== undefined) headers['content-type'] = 'application/json';
    if (auth && this.o.accountToken) headers.authorization = `Bearer ${this.o.accountToken}`;
    const json = payload === undefined ? undefined : Buffer.from(JSON.stringify(payload));
    const res = await this.exchange(new URL(path, this.o.ucUrl), method, headers, json && (async () => json));
    return interpret<T>(res.status, res.body);
  }

  /** Pay and lookup: through the relay, encapsulated, when one is configured; else direct. */
  private async anonymous<T>(path: string, payload: unknown): Promise<T> {
    const route = this.o.oblivious;
    if (!route) return this.call('POST', path, payload);
    // Checked before anything is sent: no pinned configuration, or one without the mandatory
    // suite, and the request does not leave.
    const config = route.keyConfig();
    const uc = new URL(this.o.ucUrl);
    const inner = encodeRequest({
      method: 'POST',
      scheme: uc.protocol.slice(0, -1),
      authority: uc.host,
      path,
      headers: [['content-type', 'application/json']],
      content: new Uint8Array(Buffer.from(JSON.stringify(payload))),
      trailers: [],
    });
    let client: Awaited<ReturnType<typeof encapsulateRequest>>['client'] | undefined;
    const res = await this.exchange(new URL(route.relayUrl), 'POST', { 'content-type': REQUEST_MEDIA_TYPE }, async () => {
      const e = await encapsulateRequest(config, inner);
      client = e.client;
      return Buffer.from(e.encapsulated);
    });
    if (res.status !== 200 || res.mediaType !== RESPONSE_MEDIA_TYPE) {
      // Not encapsulated: the relay's or the gateway's own refusal (it never carries a receipt).
      return interpret<T>(res.status === 200 ? 502 : res.status, res.body, 'relay response');
    }
    let answer;
    try {
      answer = decodeResponse(await decapsulateResponse(client!, new Uint8Array(res.body)));
    } catch (err) {
      throw new UcHttpError(502, 0, (err as Error).message);
    }
    return interpret<T>(answer.status, Buffer.from(answer.content), 'encapsulated response');
  }

  async params(): Promise<{ logVk: string; entries: ParamsEntry[] }> {
    return this.call('GET', '/v1/params');
  }

  async pay(request: Uint8Array, proof: Proof): Promise<{ receipt: Uint8Array; replay: boolean }> {
    const coin = { id: proof.id, amount: Number(proof.amount), secret: proof.secret, C: proof.C };
    const r = await this.anonymous<{ receipt: string; replay: boolean }>('/v1/pay', { request: toHex(request), proofs: [coin] });
    return { receipt: fromHex(r.receipt), replay: r.replay === true };
  }

  /** The stored receipt of a paid request, or undefined if the UC has none (404). */
  async receipt(request: Uint8Array): Promise<Uint8Array | undefined> {
    try {
      const r = await this.anonymous<{ receipt: string }>('/v1/receipt', { request: toHex(request) });
      return fromHex(r.receipt);
    } catch (err) {
      if (err instanceof UcHttpError && err.status === 404) return undefined;
      throw err;
    }
  }

  async settle(billMessage: Uint8Array, signature: Uint8Array, C: Uint8Array | undefined): Promise<{ status: string; c: number; billHash: string }> {
    return this.call('POST', '/v1/settle', { billMessage: toHex(billMessage), signature: toHex(signature), ...(C ? { C: toHex(C) } : {}) }, true);
  }

  async dispute(billMessage: Uint8Array, signature: Uint8Array, disputeMessage: Uint8Array, disputeSignature: Uint8Array, rhos: readonly Uint8Array[]): Promise<{ credited: number; owed: number }> {
    return this.call(
      'POST',
      '/v1/dispute',
      { billMessage: toHex(billMessage), signature: toHex(signature), disputeMessage: toHex(disputeMessage), disputeSignature: toHex(disputeSignature), rhos: rhos.map(toHex) },
      true,
    );
  }

  async handover(message: Uint8Array, signature: Uint8Array): Promise<void> {
    await this.call('POST', '/v1/handover', { message: toHex(message), signature: toHex(signature) }, true);
  }

  async status(meterId: string): Promise<{ bills: { c: number; periodLabel: number; e: number; status: string; billHash: string }[]; debts: number[] }> {
    return this.call('GET', `/v1/status/${encodeURIComponent(meterId)}`, undefined, true);
  }
}

/** Largest response body accepted (a receipt or status answer is a few KB). */
const MAX_RESPONSE = 1 << 20;

/**
 * One HTTP exchange on Node's keep-alive agents: node:http costs the wallet about a fifth of the
 * CPU that fetch (undici) does per request, which matters when a wallet pays thousands of tokens.
 */
function send(url: URL, method: string, headers: Record<string, string>, body: Buffer | undefined, timeoutMs: number): Promise<Exchange> {
  const lib = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
  if (!lib) return Promise.reject(new Error(`unsupported URL scheme ${url.protocol}`));
  return new Promise((resolve, reject) => {
    // A deadline for the whole exchange, not an idle timeout: a server that trickles bytes must
    // not hold the wallet forever.
    const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(deadline);
      reject(err);
    };
    const req = lib.request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (d: Buffer) => {
        size += d.length;
        if (size > MAX_RESPONSE) req.destroy(new Error(`response larger than ${MAX_RESPONSE} bytes`));
        else chunks.push(d);
      });
      res.on('end', () => {
        clearTimeout(deadline);
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), mediaType: String(res.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase() });
      });
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end(body);
  });
}
