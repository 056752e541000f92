// HTTP client of the UC's API (host/uc/server.ts), used by the wallet daemon. Pay and receipt
// lookups go to `payUrl` (a relay not run by the UC, when configured); everything else, which
// is authenticated as the account holder anyway, goes to the UC directly.
import http from 'node:http';
import https from 'node:https';
import type { Proof } from '@cashu/cashu-ts';
import { fromHex, toHex, type ParamsEntry } from '../protocol/index.ts';

/** A refusal or failure of the UC (or of the way to it). The wallet treats them all alike: retry later. */
export class UcHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    readonly detail: string,
  ) {
    super(`UC answered ${status} (${code}): ${detail}`);
    this.name = 'UcHttpError';
  }
}

export interface UcClientOptions {
  readonly ucUrl: string;
  /** Where pay and receipt requests go; the UC itself when no relay is configured. */
  readonly payUrl?: string;
  readonly accountToken?: string;
  readonly timeoutMs?: number;
}

export class UcClient {
  constructor(private readonly o: UcClientOptions) {}

  get viaRelay(): boolean {
    return this.o.payUrl !== undefined && this.o.payUrl !== this.o.ucUrl;
  }

  private async call<T>(base: string, method: 'GET' | 'POST', path: string, payload?: unknown, auth = false): Promise<T> {
    const headers: Record<string, string> = {};
    const body = payload === undefined ? undefined : Buffer.from(JSON.stringify(payload));
    if (body) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(body.length);
    }
    if (auth && this.o.accountToken) headers.authorization = `Bearer ${this.o.accountToken}`;
    let res: { status: number; text: string } | undefined;
    // One immediate second try on a transport failure (typically a pooled keep-alive connection
    // the server had already closed): every UC request is safe to resend identically.
    for (let attempt = 1; !res; attempt++) {
      try {
        res = await send(new URL(path, base), method, headers, body, this.o.timeoutMs ?? 15_000);
      } catch (err) {
        if (attempt < 2) continue;
        throw new UcHttpError(0, 0, `unreachable: ${(err as Error).message}`);
      }
    }
    let json: unknown;
    try {
      json = JSON.parse(res.text);
    } catch {
      throw new UcHttpError(res.status, 0, 'response is not JSON');
    }
    if (res.status < 200 || res.status > 299) {
      const e = json as { code?: unknown; detail?: unknown };
      throw new UcHttpError(res.status, typeof e.code === 'number' ? e.code : 0, typeof e.detail === 'string' ? e.detail : 'error');
    }
    return json as T;
  }

  async params(): Promise<{ logVk: string; entries: ParamsEntry[] }> {
    return this.call(this.o.ucUrl, 'GET', '/v1/params');
  }

  async pay(request: Uint8Array, proof: Proof): Promise<{ receipt: Uint8Array; replay: boolean }> {
    const coin = { id: proof.id, amount: Number(proof.amount), secret: proof.secret, C: proof.C };
    const r = await this.call<{ receipt: string; replay: boolean }>(this.o.payUrl ?? this.o.ucUrl, 'POST', '/v1/pay', { request: toHex(request), proofs: [coin] });
    return { receipt: fromHex(r.receipt), replay: r.replay === true };
  }

  /** The stored receipt of a paid request, or undefined if the UC has none (404). */
  async receipt(request: Uint8Array): Promise<Uint8Array | undefined> {
    try {
      const r = await this.call<{ receipt: string }>(this.o.payUrl ?? this.o.ucUrl, 'POST', '/v1/receipt', { request: toHex(request) });
      return fromHex(r.receipt);
    } catch (err) {
      if (err instanceof UcHttpError && err.status === 404) return undefined;
      throw err;
    }
  }

  async settle(billMessage: Uint8Array, signature: Uint8Array, C: Uint8Array | undefined): Promise<{ status: string; c: number; billHash: string }> {
    return this.call(this.o.ucUrl, 'POST', '/v1/settle', { billMessage: toHex(billMessage), signature: toHex(signature), ...(C ? { C: toHex(C) } : {}) }, true);
  }

  async dispute(billMessage: Uint8Array, signature: Uint8Array, disputeMessage: Uint8Array, disputeSignature: Uint8Array, rhos: readonly Uint8Array[]): Promise<{ credited: number; owed: number }> {
    return this.call(
      this.o.ucUrl,
      'POST',
      '/v1/dispute',
      { billMessage: toHex(billMessage), signature: toHex(signature), disputeMessage: toHex(disputeMessage), disputeSignature: toHex(disputeSignature), rhos: rhos.map(toHex) },
      true,
    );
  }

  async handover(message: Uint8Array, signature: Uint8Array): Promise<void> {
    await this.call(this.o.ucUrl, 'POST', '/v1/handover', { message: toHex(message), signature: toHex(signature) }, true);
  }

  async status(meterId: string): Promise<{ bills: { c: number; periodLabel: number; e: number; status: string; billHash: string }[]; debts: number[] }> {
    return this.call(this.o.ucUrl, 'GET', `/v1/status/${encodeURIComponent(meterId)}`, undefined, true);
  }
}

/** Largest response body accepted (a receipt or status answer is a few KB). */
const MAX_RESPONSE = 1 << 20;

/**
 * One HTTP exchange on Node's keep-alive agents: node:http costs the wallet about a fifth of the
 * CPU that fetch (undici) does per request, which matters when a wallet pays thousands of tokens.
 */
function send(url: URL, method: string, headers: Record<string, string>, body: Buffer | undefined, timeoutMs: number): Promise<{ status: number; text: string }> {
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
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end(body);
  });
}
