import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveBoard, type ServedBoard } from '../serve.ts';
import { tempFlash, Terminal } from './helpers.ts';

let served: ServedBoard;
let term: Terminal;
const post = async (path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
  const res = await fetch(served.control.url + path, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  served = await serveBoard({ flashPath: tempFlash(), pty: false });
  term = new Terminal(served.board);
});
afterAll(async () => served.close());

describe('rig control channel', () => {
  it('drives pins, pulses, the clock and power', async () => {
    await term.eval('var n = 0; setWatch(function(){ n++; }, D5, {repeat: true, edge: "rising"})');
    expect((await post('/pulse', { pin: 'D5', count: 7, periodMs: 500 })).status).toBe(200);
    const r = await post('/clock', { advanceMs: 10_000 });
    expect(r.status).toBe(200);
    expect(await term.eval('n')).toBe('7');
    expect((await post('/power', { action: 'off' })).json.powered).toBe(false);
    expect((await post('/power', { action: 'on' })).json.powered).toBe(true);
  });

  it('answers bad requests with 400 and leaves the board alone', async () => {
    const before = (await (await fetch(served.control.url + '/status')).json()) as { clockMs: number; powered: boolean };
    const bad: [string, unknown][] = [
      ['/pulse', { pin: 'D5', count: -1, periodMs: 10 }],
      ['/pulse', { pin: 'rm -rf', count: 1, periodMs: 10 }],
      ['/pulse', { pin: 'D5', count: 1.5, periodMs: 10 }],
      ['/clock', { advanceMs: 'soon' }],
      ['/clock', { speed: 0 }],
      ['/power', { action: 'explode' }],
      ['/cut', { afterFlashWrites: 0 }],
      ['/usb', { action: 'unplug' }],
      ['/pin', { pin: 'D5', level: 'high' }],
      ['/pulse', '{not json'],
      ['/pulse', 'x'.repeat(5000)],
      ['/nothing', {}],
    ];
    for (const [path, body] of bad) {
      const r = await post(path, body);
      expect(r.status, `${path} ${JSON.stringify(body).slice(0, 40)}`).toBe(400);
      expect(typeof r.json.error).toBe('string');
    }
    const after = (await (await fetch(served.control.url + '/status')).json()) as { clockMs: number; powered: boolean };
    expect(after.powered).toBe(before.powered);
    expect(after.clockMs - before.clockMs).toBeLessThan(60_000);
  });
});
