// `sipster mint serve` as a real process (bin/sipster.mjs): flags, environment, config file, logs, clean stop.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from '@cashu/cashu-ts';
import { afterAll, describe, expect, it } from 'vitest';

const sipster = join(import.meta.dirname, '..', '..', '..', 'bin', 'sipster.mjs');
const dir = mkdtempSync(join(tmpdir(), 'sipster-mint-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runSync(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [sipster, 'mint', ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
}

describe('sipster mint serve', () => {
  it('prints help and refuses bad options with exit 2', () => {
    const help = runSync(['serve', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--db');
    expect(help.stdout).toContain('SIPSTER_MINT_PORT');
    for (const bad of [['serve', '--port', 'abc'], ['serve', '--port', '70000'], ['serve', '--bogus'], ['serve', '--unit', 'TOK!'], ['launch']]) {
      const res = runSync(bad);
      expect(res.status, bad.join(' ')).toBe(2);
      expect(res.stderr.length).toBeGreaterThan(0);
    }
    const badConfig = join(dir, 'bad.json');
    writeFileSync(badConfig, '{"port": 1, "colour": "red"}');
    expect(runSync(['serve', '--config', badConfig]).stderr).toContain('colour');
  });

  it('exits 1 with a readable message when the store is unreachable', () => {
    const res = runSync(['serve', '--port', '0', '--payments', 'test'], { SIPSTER_MINT_DB: 'postgres://nobody@127.0.0.1:1/none' });
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/ERROR +mint: cannot open store/);
    expect(res.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('serves cashu-ts from a config file and stops cleanly on SIGTERM', async () => {
    const config = join(dir, 'mint.json');
    writeFileSync(config, JSON.stringify({ db: join(dir, 'cli.sqlite'), port: 0, 'log-level': 'debug', payments: 'test' }));
    const child = spawn(process.execPath, [sipster, 'mint', 'serve', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const m = /serving url=(\S+)/.exec(stderr);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    const wallet = new Wallet(url, { unit: 'tok' });
    await wallet.loadMint();
    const proofs = await wallet.mintProofsBolt11(2, await wallet.createMintQuoteBolt11(2));
    expect(proofs).toHaveLength(2);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/DEBUG mint: request method=POST path=\/v1\/mint\/bolt11 status=200/);
    expect(stderr).toContain('INFO  mint: stopping');
  });
});
