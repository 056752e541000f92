// A client that declares a body and disconnects before sending it (issue 14, item 4): the
// client's doing, so one debug line, no stack trace, no 500, and the service keeps serving.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../common/log.ts';
import { serveUc, type RunningUc } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'sipster-abort-'));
const lines: string[] = [];
let running: RunningUc;
beforeAll(async () => {
  running = await serveUc(join(dir, 'uc.sqlite'), undefined, 0, createLogger('uc', 'debug', (l) => lines.push(l)));
});
afterAll(async () => {
  await running.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The attack: Content-Length 100, a 2-byte body, then a disconnect 200 ms later. */
function abortedUpload(port: number, path: string): Promise<string> {
  return new Promise((resolve) => {
    let answer = '';
    const s = connect(port, '127.0.0.1', () => {
      s.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{}`);
      setTimeout(() => s.destroy(), 200);
    });
    s.on('data', (d) => (answer += d.toString()));
    s.on('close', () => resolve(answer));
    s.on('error', () => undefined);
  });
}

async function linesFor(path: string): Promise<string[]> {
  for (let k = 0; k < 100; k++) {
    const got = lines.filter((l) => l.includes(`path=${path}`));
    if (got.length) return got;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`nothing logged for ${path}`);
}

describe('an aborted upload', () => {
  it.each(['/v1/pay', '/v1/settle', '/v1/dispute', '/v1/swap', '/v1/mint/quote/bolt11'])('on %s: one debug line, no error, no 500', async (path) => {
    const port = Number(new URL(running.url).port);
    const answer = await abortedUpload(port, path);
    expect(answer).toBe(''); // nothing was answered: the client had gone
    const got = await linesFor(path);
    await new Promise((r) => setTimeout(r, 50)); // anything else this request would log
    const all = lines.filter((l) => l.includes(`path=${path}`));
    expect(all).toEqual(got);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatch(/DEBUG uc: request method=POST path=\S+ status=499/);
    expect(lines.join('\n')).not.toMatch(/ERROR|internal error|status=500|\n\s+at /);
    // Still serving.
    expect((await fetch(`${running.url}/v1/params`)).status).toBe(200);
  });
});
