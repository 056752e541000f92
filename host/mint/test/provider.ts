// A payment provider stand-in for tests: a tiny HTTP server where a household "pays" a mint
// quote; the provider then notifies the mint with a webhook signed (HMAC-SHA256) with the secret
// it shares with the mint, as a real provider would, and answers with the mint's reply.
//   POST /pay {mint, quote, amount, unit}   → {status, body} of the webhook delivery
// `sent` keeps every webhook delivered (headers and raw body), for replay tests.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { close, listen } from '../http.ts';
import { signWebhook, SIGNATURE_HEADER, WEBHOOK_PATH } from '../webhook.ts';

export interface Delivery {
  readonly url: string;
  readonly signature: string;
  readonly body: string;
}

export interface Provider {
  readonly url: string;
  readonly sent: Delivery[];
  /** The household pays `amount` `unit` for `quote` at the provider. */
  pay(mint: string, quote: string, amount: number, unit: string): Promise<{ status: number; body: unknown }>;
  stop(): Promise<void>;
}

/** Delivers a webhook body, signed at time `t` (unix seconds) unless a signature is given. */
export async function deliver(d: Delivery): Promise<{ status: number; body: unknown }> {
  const res = await fetch(d.url, { method: 'POST', headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: d.signature }, body: d.body });
  return { status: res.status, body: await res.json() };
}

export async function startProvider(secret: string, now: () => number = Date.now): Promise<Provider> {
  const sent: Delivery[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      void (async () => {
        const order = JSON.parse(raw) as { mint: string; quote: string; amount: number; unit: string };
        const body = JSON.stringify({ id: `evt_${randomBytes(12).toString('hex')}`, type: 'payment.succeeded', data: { quote: order.quote, amount: order.amount, unit: order.unit } });
        const d = { url: `${order.mint}${WEBHOOK_PATH}`, signature: signWebhook(secret, Math.floor(now() / 1000), body), body };
        sent.push(d);
        const answer = await deliver(d);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer));
      })();
    });
  });
  const port = await listen(server, 0);
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    sent,
    async pay(mint, quote, amount, unit) {
      const res = await fetch(`${url}/pay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mint, quote, amount, unit }) });
      return (await res.json()) as { status: number; body: unknown };
    },
    stop: () => close(server),
  };
}
