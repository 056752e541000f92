// `wallet run --records` on a hostile recorded stream (issue 14, item 3): megabytes of frame
// markers ahead of the real records are read as a stream in linear time, the warnings they cause
// are rate-limited, and the real records behind them are still ingested.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { drbg } from '../../meter/drbg.ts';
import { ReferenceMeter } from '../../meter/reference-meter.ts';
import { createLogger } from '../../common/log.ts';
import { getSuite, toHex } from '../../protocol/index.ts';
import { faultLog } from '../../serial/fault-log.ts';
import { recordedStream } from './frames.ts';

const sipster = join(import.meta.dirname, '..', '..', '..', 'bin', 'sipster.mjs');
const dir = mkdtempSync(join(tmpdir(), 'sipster-intake-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('wallet run --records on a flood of markers', () => {
  it('ingests the records behind 4 MB of markers and logs a handful of lines, not a million', async () => {
    const meter = new ReferenceMeter({ suite: getSuite('P256-SHA256'), meterId: 'flooded', epochLength: 1000, tariffVersion: 1 }, drbg('intake'));
    meter.startPeriod(1);
    const records = [meter.tokenGen(), meter.tokenGen()];
    const file = join(dir, 'flood.frames');
    writeFileSync(file, Buffer.concat([Buffer.from('@S1:'.repeat(1 << 20), 'latin1'), recordedStream(records)]));
    const child = spawn(process.execPath, [
      sipster, 'wallet', 'run', '--db', join(dir, 'w.sqlite'), '--uc', 'http://127.0.0.1:9', '--log-vk', toHex(meter.vkM),
      '--meter-id', meter.meterId, '--records', file, '--tick-ms', '600000',
    ], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, SIPSTER_ACCOUNT_TOKEN: 'ab'.repeat(32) } });
    let log = '';
    child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stderr!.on('data', () => /wallet running/.test(log) && resolve());
      child.once('exit', (code) => reject(new Error(`wallet exited ${code}:\n${log.slice(0, 2000)}`)));
    });
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    expect(log).toMatch(/ingested recorded stream .*records=2/);
    expect(log).toMatch(/bad frame in recorded stream: more of the same not logged count=\d{6,}/);
    expect(log.split('\n').length).toBeLessThan(30);
  });
});

describe('faultLog', () => {
  it('logs the first few faults of each kind per window, then one line with the count left out', () => {
    const lines: string[] = [];
    let t = 0;
    const fl = faultLog(createLogger('t', 'debug', (l) => lines.push(l)), 'link fault', () => t);
    for (let k = 0; k < 1000; k++) fl.fault({ layer: 'frame', fault: 'truncated', detail: 'd' });
    fl.fault({ layer: 'record', code: 'bad-type', detail: 'x' });
    expect(lines.length).toBe(6);
    t = 10_000; // next window: the count of the last one, then logging resumes
    fl.fault({ layer: 'frame', fault: 'crc', detail: 'c' });
    expect(lines[6]).toMatch(/more of the same not logged count=995 kinds=frame\/truncated:995/);
    expect(lines[7]).toMatch(/link fault layer=frame kind=crc/);
    fl.flush();
    expect(lines.length).toBe(8);
  });
});
