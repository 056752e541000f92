// `sipster demo` as a newcomer runs it (`npm start` runs the same command): the real CLI entry
// point, the real UC + mint, virtual board, espruino-tools, pseudo-terminal and wallet daemon.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SIPSTER = join(import.meta.dirname, '..', '..', '..', 'bin', 'sipster.mjs');

interface Run {
  code: number | null;
  signal: string | null;
  out: string;
}

/** Runs the demo; `onLine` may act on its output (e.g. interrupt it). */
function demo(args: string[], onLine?: (line: string, child: ReturnType<typeof spawn>) => void): Promise<Run> {
  const child = spawn(process.execPath, [SIPSTER, 'demo', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let pending = '';
  const feed = (d: Buffer): void => {
    out += d.toString();
    pending += d.toString();
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      onLine?.(pending.slice(0, nl), child);
      pending = pending.slice(nl + 1);
    }
  };
  child.stdout!.on('data', feed);
  child.stderr!.on('data', feed);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, out })));
}

const field = (out: string, re: RegExp): string => re.exec(out)?.[1] ?? '';

describe('sipster demo on the virtual board', () => {
  it('flashes, meters, pays and settles a period, and leaves nothing running', async () => {
    const units = 12;
    const r = await demo(['--units', String(units)]);
    expect(r.out).toContain('uploading to tcp://127.0.0.1:');
    expect(r.out).toMatch(/booted: firmware sha256 [0-9a-f]{16}… = the reproducible build's, KAT passed/);
    expect(r.out).toContain(`bill n = ${units}`);
    expect(r.out).toContain(`payments          ${units} one-unit payments`);
    expect(r.out).toContain(`UC saw            ${units} anonymous (e, ρ) pay requests with ${units} coins redeemed`);
    expect(r.out).toMatch(/settlement {8}SETTLED \(wallet: settled; privacy ON: every pay through the Oblivious HTTP relay\)/);
    expect(r.out).toContain('each from the relay\'s address');
    expect(r.out).toMatch(/board timings {5}token online median [\d.]+ ms/);
    expect(r.code).toBe(0);
    // Everything started is gone: the run's files, the board's device, the UC.
    expect(existsSync(field(r.out, /work dir (\S+)/))).toBe(false);
    expect(existsSync(field(r.out, /serial device (\S+) /))).toBe(false);
    await expect(fetch(`${field(r.out, /UC \+ mint at (\S+),/)}/v1/params`)).rejects.toThrow();
  }, 240_000);

  it('Ctrl-C while flashing stops the UC and the board and exits non-zero', async () => {
    let interrupted = false;
    const r = await demo([], (line, child) => {
      if (!interrupted && line.startsWith('▸ flashing')) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    expect(interrupted).toBe(true);
    expect(r.code).toBe(130);
    expect(existsSync(field(r.out, /work dir (\S+)/))).toBe(false);
    expect(existsSync(field(r.out, /serial device (\S+) /))).toBe(false);
    await expect(fetch(`${field(r.out, /UC \+ mint at (\S+),/)}/v1/params`)).rejects.toThrow();
  }, 120_000);

  it('refuses bad options before starting anything', async () => {
    const r = await demo(['--units', '0']);
    expect(r.code).toBe(2);
    expect(r.out).toContain('--units must be between 1 and 2000');
    expect(r.out).not.toContain('▸');
  });
});
