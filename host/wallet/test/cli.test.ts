// The three commands as real processes, end to end: `uc serve` (mint co-hosted),
// `uc register-meter`, `wallet run` on a recorded meter stream, `wallet status` until the period
// is settled. The UC's schedule is set so that the period's windows fall within seconds.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { drbg } from '../../meter/drbg.ts';
import { ReferenceMeter } from '../../meter/reference-meter.ts';
import { getSuite, toHex } from '../../protocol/index.ts';
import { recordedStream } from './frames.ts';

const sipster = join(import.meta.dirname, '..', '..', '..', 'bin', 'sipster.mjs');
const dir = mkdtempSync(join(tmpdir(), 'sipster-wallet-cli-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const cli = (args: string[]) => spawnSync(process.execPath, [sipster, ...args], { encoding: 'utf8', timeout: 60_000 });

function start(args: string[], ready: RegExp): Promise<{ child: ChildProcess; match: RegExpExecArray; log: () => string }> {
  const child = spawn(process.execPath, [sipster, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let log = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      const m = ready.exec(log);
      if (m) resolve({ child, match: m, log: () => log });
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}:\n${log}`)));
  });
}

const exitOf = (c: ChildProcess) => new Promise<number | null>((resolve) => (c.exitCode !== null ? resolve(c.exitCode) : c.once('exit', resolve)));

describe('sipster uc serve + uc register-meter + wallet run + wallet status', () => {
  it('prints help and refuses bad options with exit 2', () => {
    for (const args of [['uc', '--help'], ['uc', 'serve', '--help'], ['wallet', '--help'], ['wallet', 'run', '--help']]) {
      const res = cli(args);
      expect(res.status, args.join(' ')).toBe(0);
      expect(res.stdout).toContain('usage: sipster');
    }
    for (const args of [['uc', 'serve', '--suite', 'RSA'], ['uc', 'register-meter', '--meter-id', 'm', '--vk', 'zz'], ['wallet', 'run'], ['wallet', 'run', '--uc', 'not a url'], ['wallet', 'fly']]) {
      const res = cli(args);
      expect(res.status, args.join(' ')).toBe(2);
      expect(res.stderr).toMatch(/sipster (uc|wallet)/);
    }
  });

  it('takes the account token from a file or the environment; on the command line it works but warns that ps shows it', () => {
    const token = 'cd'.repeat(32);
    const common = ['--db', join(dir, 'token-check.sqlite'), '--uc', 'http://127.0.0.1:9', '--log-vk', `02${'11'.repeat(32)}`, '--meter-id', 'm-1', '--c', '0'];
    const argv = cli(['wallet', 'dispute', ...common, '--account-token', token]);
    expect(argv.stderr).toMatch(/WARN +wallet: --account-token on the command line is visible to every local user \(ps\); use --account-token-file PATH or SIPSTER_ACCOUNT_TOKEN/);
    const env = spawnSync(process.execPath, [sipster, 'wallet', 'dispute', ...common], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, SIPSTER_ACCOUNT_TOKEN: token } });
    expect(env.stderr).toMatch(/no wallet store at .*token-check\.sqlite/); // got past the options
    expect(env.stderr).not.toMatch(/visible to every local user/);
    const bad = join(dir, 'bad-token');
    writeFileSync(bad, 'not a token\n', { mode: 0o600 });
    for (const args of [['--account-token-file', bad], ['--account-token-file', join(dir, 'absent')], []]) {
      const res = cli(['wallet', 'dispute', ...common, ...args]);
      expect(res.status, args.join(' ')).toBe(2);
      expect(res.stderr).toMatch(/sipster wallet dispute: (--account-token-file .*: expected 64 lowercase hex digits|cannot read --account-token-file .*ENOENT|missing --account-token-file \(or SIPSTER_ACCOUNT_TOKEN\))/);
    }
  });

  it('settles a recorded period end to end through the real processes', async () => {
    const period = 4;
    const origin = Math.floor(Date.now() / 1000) - 3 * period;
    const ucDb = join(dir, 'uc.sqlite');
    const uc = await start(
      ['uc', 'serve', '--db', ucDb, '--port', '0', '--payments', 'test', '--period-seconds', String(period), '--origin-unix', String(origin), '--epoch-length', '1000', '--epochs-ahead', '0'],
      /serving url=(\S+)/,
    );
    const url = uc.match[1]!;

    const meter = new ReferenceMeter({ suite: getSuite('P256-SHA256'), meterId: 'household-7', epochLength: 1000, tariffVersion: 1 }, drbg('cli meter'));
    const reg = cli(['uc', 'register-meter', '--db', ucDb, '--meter-id', meter.meterId, '--vk', toHex(meter.vkM)]);
    expect(reg.status, reg.stderr).toBe(0);
    const { accountToken, logVk } = JSON.parse(reg.stdout) as { accountToken: string; logVk: string };

    // The period that just ended: its payment window is now, its settlement window right after.
    const label = Math.floor((Date.now() / 1000 - origin) / period) - 1;
    meter.startPeriod(label);
    const records = [meter.tokenGen(), meter.tokenGen(), meter.tokenGen()];
    records.push(meter.billGen() as never);
    const stream = join(dir, 'meter.frames');
    writeFileSync(stream, recordedStream(records));

    const walletDb = join(dir, 'wallet.sqlite');
    const tokenFile = join(dir, 'account-token');
    writeFileSync(tokenFile, `${accountToken}\n`, { mode: 0o600 });
    const wallet = await start(
      ['wallet', 'run', '--db', walletDb, '--uc', url, '--account-token-file', tokenFile, '--log-vk', logVk, '--meter-id', meter.meterId, '--records', stream, '--tick-ms', '200', '--retry', '1', '--withdraw-amount', '5', '--buffer', '5'],
      /wallet running/,
    );
    expect(wallet.log()).toMatch(/WARN +wallet: no relay configured.*privacy is OFF/);
    expect(wallet.log()).toMatch(/ingested recorded stream .*records=4/);
    // What every local user sees of the daemon (ps reads /proc/PID/cmdline): no token.
    expect(readFileSync(`/proc/${wallet.child.pid}/cmdline`, 'latin1')).not.toContain(accountToken);
    expect(wallet.log()).not.toMatch(/visible to every local user/);
    // The stores holding the wallet's seed and coins, and the UC's keys, are its owner's alone.
    for (const f of [walletDb, `${walletDb}-wal`, ucDb, `${ucDb}-wal`, `${ucDb}-shm`]) expect((statSync(f).mode & 0o777).toString(8), f).toBe('600');

    let status = '';
    for (let k = 0; k < 100 && !/c=0 .* settled/.test(status); k++) {
      await new Promise((r) => setTimeout(r, 300));
      status = cli(['wallet', 'status', '--db', walletDb]).stdout;
    }
    expect(status).toMatch(/c=0 label=\d+ units=3 paid=3 settled/);
    expect(status).toContain('privacy:  OFF');
    expect(status).toMatch(/balance: +2 coins available, 0 bound to pending payments, 3 spent/);

    wallet.child.kill('SIGTERM');
    uc.child.kill('SIGTERM');
    expect(await exitOf(wallet.child)).toBe(0);
    expect(await exitOf(uc.child)).toBe(0);
    expect(wallet.log()).toMatch(/INFO  wallet: period settled c=0/);
  });
});
