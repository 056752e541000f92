// Payment notifications from the payment provider that takes the household's money for a mint
// quote. The provider POSTs a JSON event to /v1/payments/webhook with a header
//   Sipster-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." ‖ body)>
// (the scheme of common payment providers). The mint believes an event only if the MAC verifies
// under the shared secret (compared in constant time), its timestamp is within TOLERANCE_S of the
// mint's clock, and its id was never seen (ids are stored: see Mint.applyPayment); the quote and
// amount it names are checked against the store before the quote becomes PAID.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ApiError, HttpCode, type Request } from './http.ts';
import { body } from './validate.ts';

export const WEBHOOK_PATH = '/v1/payments/webhook';
export const SIGNATURE_HEADER = 'sipster-signature';
/** How far an event's timestamp may be from the mint's clock (replays older than this fail). */
export const TOLERANCE_S = 300;
/** Shortest shared secret accepted (bytes of text). */
export const MIN_SECRET_LENGTH = 32;

/** HTTP code for a webhook that does not authenticate. */
export const WebhookCode = { badSignature: 90101, stale: 90102 } as const;

export interface PaymentEvent {
  readonly id: string;
  readonly created: number;
  readonly quote: string;
  readonly amount: number;
  readonly unit: string;
}

export function signWebhook(secret: string, t: number, rawBody: Buffer | string): string {
  const mac = createHmac('sha256', secret).update(`${t}.`).update(rawBody).digest('hex');
  return `t=${t},v1=${mac}`;
}

/** The event of an authentic, fresh webhook; a 401 ApiError otherwise, or 400 for a bad body. */
export function verifyWebhook(secret: string, req: Request, nowMs: number): PaymentEvent {
  const header = req.headers[SIGNATURE_HEADER];
  const rawBody = req.rawBody;
  const unauthentic = (why: string, code: number = WebhookCode.badSignature): never => {
    throw new ApiError(401, code, `webhook refused: ${why}`);
  };
  const m = typeof header === 'string' ? /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header) : null;
  if (!m || !rawBody) return unauthentic(`missing or malformed ${SIGNATURE_HEADER} header`);
  const t = Number(m[1]);
  const expected = Buffer.from(signWebhook(secret, t, rawBody).slice(-64), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(m[2]!, 'hex'))) unauthentic('signature does not verify');
  if (Math.abs(nowMs / 1000 - t) > TOLERANCE_S) unauthentic(`timestamp more than ${TOLERANCE_S} s from the mint's clock`, WebhookCode.stale);
  const b = body(req.body);
  b.object();
  if (b.get('type').string(64) !== 'payment.succeeded') throw new ApiError(400, HttpCode.malformed, 'type: only payment.succeeded is handled');
  const data = b.get('data');
  return {
    id: b.get('id').string(64, /^[A-Za-z0-9_-]{8,64}$/),
    created: t,
    quote: data.get('quote').string(32, /^[0-9a-f]{32}$/),
    amount: data.get('amount').int(1, 2 ** 52),
    unit: data.get('unit').string(32, /^[a-z]+$/),
  };
}
