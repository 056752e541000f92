// sipster monitor as a process, reading the virtual board's pseudo-terminal.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { recordHeader, replayBody, REC_REPLAY } from '../../../firmware/src/records.ts';
import { serveBoard, type ServedBoard } from '../../vboard/serve.ts';
import { tempFlash, Terminal } from '../../vboard/test/helpers.ts';
import { encodeFrame } from '../frame.ts';

let served: ServedBoard;
let term: Terminal;
const frameOf = (seq: number): Buffer => {
  const h = recordHeader(REC_REPLAY, 2, seq);
  const b = replayBody(1, 4, 3, seq);
  const p = new Uint8Array(h.length + b.length);
  p.set(h);
  p.set(b, h.length);
  return encodeFrame(p);
};

beforeAll(async () => {
  served = await serveBoard({ flashPath: tempFlash() });
  term = new Terminal(served.board);
});
afterAll(async () => served.close());

const monitor = (args: string[]): { done: Promise<{ code: number | null; out: string; err: string }>; lines: string[] } => {
  const child = spawn(process.execPath, [join(process.cwd(), 'bin', 'sipster.mjs'), 'monitor', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const lines: string[] = [];
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    lines.splice(0, lines.length, ...out.split('\n').filter(Boolean));
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { done: new Promise((r) => child.on('exit', (code) => r({ code, out, err }))), lines };
};

it('shows the live records decoded, reports a gap, and exits after --count', async () => {
  const m = monitor(['--port', served.pty!.path, '--json', '--count', '3']);
  const t0 = Date.now();
  while (!m.lines.some((l) => l.includes('"open"')) && Date.now() - t0 < 15_000) await new Promise((r) => setTimeout(r, 20));
  for (const s of [0, 1, 1, 5]) term.type(`\x10USB.write(atob("${frameOf(s).toString('base64')}"))\n`);
  const { code, out } = await m.done;
  expect(code).toBe(0);
  const events = out.trim().split('\n').map((l) => JSON.parse(l) as { event: string; record?: { recordSeq: number; kind: string }; from?: number; to?: number; duplicates?: number });
  expect(events.filter((e) => e.event === 'record').map((e) => e.record!.recordSeq)).toEqual([0, 1, 5]);
  expect(events.find((e) => e.event === 'gap')).toMatchObject({ from: 2, to: 4 });
  expect(events.find((e) => e.event === 'summary')).toMatchObject({ duplicates: 1 });
});

it('refuses bad flags with exit status 2', async () => {
  for (const args of [[], ['--port', served.pty!.path, '--count', 'lots'], ['--bogus'], ['--port', 'tcp://host:99999']]) {
    const { code } = await monitor(args).done;
    expect(code, args.join(' ')).toBe(2);
  }
});
