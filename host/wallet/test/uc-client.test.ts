// The wallet's HTTP client against real loopback servers that misbehave: every failure becomes a
// UcHttpError (the daemon retries those later), never a hang or an unbounded read.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { UcClient, UcHttpError } from '../uc-client.ts';

let server: http.Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = undefined;
});

async function serve(handler: http.RequestListener): Promise<string> {
  server = http.createServer(handler);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function failure(p: Promise<unknown>): Promise<UcHttpError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UcHttpError);
  return err as UcHttpError;
}

describe('UcClient transport', () => {
  it('sends the JSON body and the bearer token, and reads the JSON answer', async () => {
    let seen: { auth?: string; body: string } = { body: '' };
    const url = await serve((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        seen = { auth: req.headers.authorization, body };
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ status: 'settled', c: 3, billHash: 'ab' }));
      });
    });
    const r = await new UcClient({ ucUrl: url, accountToken: 'tok' }).settle(new Uint8Array([1, 2]), new Uint8Array([3]), undefined);
    expect(r).toEqual({ status: 'settled', c: 3, billHash: 'ab' });
    expect(seen.auth).toBe('Bearer tok');
    expect(JSON.parse(seen.body)).toEqual({ billMessage: '0102', signature: '03' });
  });

  it('turns a typed refusal into a UcHttpError with its status and code', async () => {
    const url = await serve((_req, res) => {
      res.statusCode = 409;
      res.end(JSON.stringify({ code: 3004, detail: 'already settled' }));
    });
    const err = await failure(new UcClient({ ucUrl: url }).status('m1'));
    expect([err.status, err.code, err.detail]).toEqual([409, 3004, 'already settled']);
  });

  it('refuses a body that is not JSON', async () => {
    const url = await serve((_req, res) => res.end('<html>proxy error</html>'));
    expect((await failure(new UcClient({ ucUrl: url }).params())).detail).toBe('response is not JSON');
  });

  it('stops reading an oversized answer', async () => {
    const url = await serve((_req, res) => {
      res.write('"');
      const chunk = 'x'.repeat(64 * 1024);
      const push = () => {
        while (res.write(chunk));
      };
      res.on('drain', push);
      push();
    });
    const err = await failure(new UcClient({ ucUrl: url }).params());
    expect(err.status).toBe(0);
    expect(err.detail).toMatch(/larger than/);
  });

  it('gives up on a server that never answers, and on one that trickles its answer', async () => {
    const url = await serve((req, res) => {
      if (req.url === '/v1/params') return; // silent
      res.write('{"bills":[');
      const drip = setInterval(() => res.write(' '), 50); // never finishes
      res.on('close', () => clearInterval(drip));
    });
    const err = await failure(new UcClient({ ucUrl: url, timeoutMs: 200 }).params());
    expect(err.detail).toMatch(/no answer within 200 ms/);
    // With an idle timeout this would never end (bytes keep coming): the test's own timeout would fail it.
    const slow = await failure(new UcClient({ ucUrl: url, accountToken: 't', timeoutMs: 300 }).status('m1'));
    expect(slow.detail).toMatch(/no answer within 300 ms/);
  });

  it('reports an unreachable UC and an unsupported scheme', async () => {
    const url = await serve(() => undefined);
    await new Promise((r) => server!.close(r));
    server = undefined;
    expect((await failure(new UcClient({ ucUrl: url }).params())).detail).toMatch(/^unreachable/);
    expect((await failure(new UcClient({ ucUrl: 'ftp://127.0.0.1/' }).params())).detail).toMatch(/unsupported URL scheme/);
  });

  it('resends once when the server dropped a pooled keep-alive connection', async () => {
    let requests = 0;
    const url = await serve((req, res) => {
      requests++;
      // The first answer keeps the connection open; the second request on it is cut off, as a
      // server restart or idle timeout would; the client must retry on a fresh connection.
      if (requests === 2) {
        req.socket.destroy();
        return;
      }
      res.end(JSON.stringify({ logVk: '00', entries: [] }));
    });
    const client = new UcClient({ ucUrl: url });
    await client.params();
    await expect(client.params()).resolves.toEqual({ logVk: '00', entries: [] });
    expect(requests).toBe(3);
  });
});
