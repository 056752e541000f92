// The mint's HTTP API: the Cashu v1 endpoints a cashu-ts wallet calls, each body validated
// against its schema before the mint sees it.
import type { Server } from 'node:http';
import { ApiError, createJsonServer, HttpCode, type Route } from './http.ts';
import type { Logger } from '../common/log.ts';
import { readOutput, readProof, type Mint } from './mint.ts';
import { RateLimiter } from './rate-limit.ts';
import { body } from './validate.ts';
import { verifyWebhook, WEBHOOK_PATH } from './webhook.ts';

/** Largest request body: 1000 outputs or proofs of ~200 bytes each, with room to spare. */
export const MINT_MAX_BODY_BYTES = 512 * 1024;

const KEYSET_ID = /^(00[0-9a-f]{14}|01[0-9a-f]{64})$/;
const QUOTE_ID = /^[0-9a-f]{32}$/;

export interface MintRouteOptions {
  /** The payment provider's webhook secret: serves WEBHOOK_PATH, where signed events pay quotes. */
  readonly webhookSecret?: string;
  /** Mint quotes one client may create per minute (default 60). */
  readonly quotesPerMinute?: number;
  readonly now?: () => number;
}

export function mintRoutes(mint: Mint, options: MintRouteOptions = {}): Route[] {
  const now = options.now ?? Date.now;
  const quotes = new RateLimiter(options.quotesPerMinute ?? 60, undefined, now);
  const secret = options.webhookSecret;
  return [
    ...(secret === undefined
      ? []
      : [
          {
            method: 'POST' as const,
            pattern: new RegExp(`^${WEBHOOK_PATH}$`),
            maxBodyBytes: 16 * 1024,
            handler: async (req) => ({ status: await mint.applyPayment(verifyWebhook(secret, req, now())) }),
          } satisfies Route,
        ]),
    { method: 'GET', pattern: /^\/v1\/info$/, handler: async () => mint.info() },
    { method: 'GET', pattern: /^\/v1\/keys$/, handler: async () => mint.keys() },
    {
      method: 'GET',
      pattern: /^\/v1\/keys\/([^/]+)$/,
      handler: async (req) => mint.keys(body({ id: req.params[0] }).get('id').string(66, KEYSET_ID)),
    },
    { method: 'GET', pattern: /^\/v1\/keysets$/, handler: async () => mint.keysetList() },
    {
      method: 'POST',
      pattern: /^\/v1\/mint\/quote\/bolt11$/,
      handler: async (req) => {
        if (!quotes.take(req.remote)) throw new ApiError(429, HttpCode.rateLimited, 'too many mint quotes from this client; retry later');
        const b = body(req.body);
        b.object();
        const amount = b.get('amount').int(1, 2 ** 52);
        const unit = b.get('unit').string(32, /^[a-z]+$/);
        return { ...(await mint.createMintQuote(amount, unit)), pubkey: null };
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/mint\/quote\/bolt11\/([^/]+)$/,
      handler: async (req) => ({ ...(await mint.getMintQuote(body({ quote: req.params[0] }).get('quote').string(32, QUOTE_ID))), pubkey: null }),
    },
    {
      method: 'POST',
      pattern: /^\/v1\/mint\/bolt11$/,
      handler: async (req) => {
        const b = body(req.body);
        b.object();
        const quote = b.get('quote').string(32, QUOTE_ID);
        const outputs = b.get('outputs').array(10_000, 1).map((f) => readOutput(f));
        return mint.mintTokens(quote, outputs);
      },
    },
    {
      method: 'POST',
      pattern: /^\/v1\/swap$/,
      handler: async (req) => {
        const b = body(req.body);
        b.object();
        const inputs = b.get('inputs').array(10_000, 1).map(readProof);
        const outputs = b.get('outputs').array(10_000, 1).map((f) => readOutput(f));
        return mint.swap(inputs, outputs);
      },
    },
    {
      method: 'POST',
      pattern: /^\/v1\/restore$/,
      handler: async (req) => {
        const b = body(req.body);
        b.object();
        return mint.restore(b.get('outputs').array(1000, 1).map((f) => readOutput(f, 0)));
      },
    },
    {
      method: 'POST',
      pattern: /^\/v1\/checkstate$/,
      handler: async (req) => {
        const b = body(req.body);
        b.object();
        const ys = b
          .get('Ys')
          .array(1000, 1)
          .map((f) => f.hex(33));
        return mint.checkState(ys);
      },
    },
  ];
}

export function createMintServer(mint: Mint, log: Logger, options: MintRouteOptions = {}): Server {
  return createJsonServer({ name: 'mint', routes: mintRoutes(mint, options), maxBodyBytes: MINT_MAX_BODY_BYTES, log });
}
