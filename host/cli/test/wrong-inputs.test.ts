// Every wrong input of issue 12, as a person makes it: the real command (node bin/sipster.mjs),
// its one-line answer `sipster <command>: <what went wrong>` and its exit code; for the wallet
// daemon, the warning it logs once (not every second) and what `wallet status` shows.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSuite, toHex } from '../../protocol/index.ts';
import { meterKeyFromSeed } from '../../protocol/signature.ts';
import { signTariff } from '../../protocol/tariff.ts';
import { encodeProvisioning } from '../../records/provisioning.ts';

const sipster = join(import.meta.dirname, '..', '..', '..', 'bin', 'sipster.mjs');
const dir = mkdtempSync(join(tmpdir(), 'sipster-wrong-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** A P-256 point (the generator): well-formed, but nobody's key here. */
const G = '036b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296';
const TOKEN = 'ab'.repeat(32);

const env = { ...process.env, SIPSTER_ACCOUNT_TOKEN: TOKEN };
const cli = (args: string[], cwd = dir, extra: Record<string, string> = {}) => spawnSync(process.execPath, [sipster, ...args], { encoding: 'utf8', timeout: 60_000, cwd, env: { ...env, ...extra } });

/** The command failed with `code` and said exactly one line, `sipster <verb>: <matching>`. */
function oneLine(res: { status: number | null; stderr: string; stdout: string }, verb: string, code: number, what: RegExp): void {
  expect(res.status, res.stderr).toBe(code);
  const lines = res.stderr.split('\n').filter(Boolean);
  expect(lines, res.stderr).toHaveLength(1);
  expect(lines[0]!.startsWith(`sipster ${verb}: `), lines[0]).toBe(true);
  expect(lines[0]!.slice(`sipster ${verb}: `.length)).toMatch(what);
}

function daemon(args: string[]): { child: ChildProcess; log: () => string; until: (re: RegExp) => Promise<void>; stop: () => Promise<number | null> } {
  const child = spawn(process.execPath, [sipster, ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir, env });
  children.push(child);
  let log = '';
  const waiters: (() => void)[] = [];
  const feed = (d: Buffer): void => {
    log += d.toString();
    for (const w of [...waiters]) w();
  };
  child.stdout!.on('data', feed);
  child.stderr!.on('data', feed);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    log: () => log,
    until: (re) =>
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (re.test(log)) resolve();
        };
        waiters.push(check);
        check();
        void exited.then((code) => (re.test(log) ? resolve() : reject(new Error(`exited ${code} before ${re}:\n${log}`))));
      }),
    stop: async () => {
      child.kill('SIGINT');
      return exited;
    },
  };
}

const count = (text: string, re: RegExp): number => text.split('\n').filter((l) => re.test(l)).length;

let ucUrl = '';
let ucDb = '';
let uc: ReturnType<typeof daemon>;
beforeAll(async () => {
  ucDb = join(dir, 'uc.sqlite');
  uc = daemon(['uc', 'serve', '--db', ucDb, '--port', '0', '--epochs-ahead', '0', '--payments', 'test']);
  await uc.until(/serving url=(\S+)/);
  ucUrl = /serving url=(\S+)/.exec(uc.log())![1]!;
});
afterAll(async () => {
  await uc.stop();
});

describe('1. wallet run: a meter port that is missing or cannot be opened', () => {
  it('says so once while it retries, and wallet status shows it', async () => {
    const data = join(dir, 'w1');
    const w = daemon(['wallet', 'run', '--data-dir', data, '--uc', ucUrl, '--log-vk', G, '--meter-id', 'M-1', '--port', '/dev/ttyNOPE', '--tick-ms', '50']);
    await w.until(/meter port cannot be used, retrying: \/dev\/ttyNOPE does not exist \(is the board plugged in\?/);
    const status = cli(['wallet', 'status', '--data-dir', data]);
    expect(status.status, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^meter: +\/dev\/ttyNOPE CANNOT BE USED since \S+: \/dev\/ttyNOPE does not exist/m);
    const json = JSON.parse(cli(['wallet', 'status', '--data-dir', data, '--json']).stdout) as { meterPort: { path: string; open: boolean; problem: string } };
    expect(json.meterPort).toMatchObject({ path: '/dev/ttyNOPE', open: false, problem: expect.stringMatching(/does not exist/) });
    // Retried many times by now (backoff from 50 ms); said once: the first repeat is 30 s later.
    await new Promise((r) => setTimeout(r, 1500));
    expect(count(w.log(), /meter port cannot be used/)).toBe(1);
    expect(await w.stop()).toBe(0);
  });

  it('without --port warns that no meter records are received, and wallet status says so', async () => {
    const data = join(dir, 'w1b');
    const w = daemon(['wallet', 'run', '--data-dir', data, '--uc', ucUrl, '--log-vk', G, '--meter-id', 'M-1']);
    await w.until(/wallet running/);
    expect(w.log()).toMatch(/WARN +wallet: no meter port given \(--port\): this wallet receives no meter records/);
    expect(cli(['wallet', 'status', '--data-dir', data]).stdout).toMatch(/^meter: +NO PORT given to `wallet run` \(--port\)/m);
    expect(await w.stop()).toBe(0);
  });
});

describe('2. a mistyped store location creates nothing', () => {
  it('uc register-meter', () => {
    const typo = join(dir, 'typo.sqlite');
    oneLine(cli(['uc', 'register-meter', '--db', typo, '--meter-id', 'M-2', '--vk', G]), 'uc register-meter', 1, /^no UC store at .*typo\.sqlite: no such file .*typo\.sqlite \(`sipster uc serve --db .*typo\.sqlite` creates it\)$/);
    expect(existsSync(typo)).toBe(false);
  });

  it('provision', () => {
    const typo = join(dir, 'typo2.sqlite');
    oneLine(cli(['provision', '--db', typo, '--meter-id', 'M-2']), 'provision', 1, /^no UC store at .*typo2\.sqlite: no such file/);
    expect(existsSync(typo)).toBe(false);
  });

  it('a file that holds no UC store', () => {
    const other = join(dir, 'other.sqlite');
    writeFileSync(other, '', { mode: 0o600 });
    oneLine(cli(['provision', '--db', other, '--meter-id', 'M-2']), 'provision', 1, /^no UC store at .*other\.sqlite: SQLite .*other\.sqlite holds no uc store/);
  });

  it('wallet status and wallet dispute in a directory without a wallet', () => {
    const empty = mkdtempSync(join(dir, 'cwd-'));
    oneLine(cli(['wallet', 'status', '--data-dir', join(empty, 'nope')], empty), 'wallet status', 1, /^no wallet store at .*nope\/wallet\.sqlite: no such file .* \(`sipster wallet run` creates it\)$/);
    oneLine(cli(['wallet', 'dispute', '--data-dir', join(empty, 'nope'), '--c', '0', '--uc', ucUrl, '--log-vk', G, '--meter-id', 'M'], empty), 'wallet dispute', 1, /^no wallet store at/);
    expect(readdirSync(empty)).toEqual([]);
  });
});

describe('3. flash on a port that is not there', () => {
  const meterFile = join(dir, 'M-3.json');
  beforeAll(() => {
    const suite = getSuite('P256-SHA256');
    const key = meterKeyFromSeed(new Uint8Array(32).fill(7));
    const record = encodeProvisioning({
      suiteId: 'P256-SHA256', meterId: 'M-3', production: false, epochLength: 12, periodSeconds: 3600, periodOrigin: 1_767_225_600,
      pulsePin: 'D5', replayPin: 'D6', finalBillPin: 'D7', testLoadMs: 0, timing: false, ucKey: key.vk,
      tariff: signTariff(suite, { version: 1, bands: [{ startMinute: 0, microUnitsPerWh: 1_000_000 }] }, key, new Uint8Array(32).fill(1)),
    });
    writeFileSync(meterFile, JSON.stringify({ meterId: 'M-3', provisioning: toHex(record) }));
  });

  it('a missing device, a closed tcp:// port and an unknown host are one line each, before espruino-tools', () => {
    oneLine(cli(['flash', '--port', '/dev/ttyNOPE', '--provision', meterFile]), 'flash', 1, /^\/dev\/ttyNOPE does not exist \(is the board plugged in\? `sipster ports` lists the serial ports\)$/);
    oneLine(cli(['flash', '--port', 'tcp://127.0.0.1:1', '--provision', meterFile]), 'flash', 1, /^nothing listens at tcp:\/\/127\.0\.0\.1:1 \(connection refused\)$/);
    oneLine(cli(['flash', '--port', 'tcp://nope.invalid', '--provision', meterFile]), 'flash', 1, /^unknown host "nope\.invalid"/);
    oneLine(cli(['flash', '--port', '/dev/ttyNOPE', '--provision', join(dir, 'missing.json')]), 'flash', 1, /^cannot read .*missing\.json/);
    oneLine(cli(['flash', '--port', '/dev/ttyNOPE', '--provision', meterFile, '--baud', 'fast']), 'flash', 2, /^--baud must be a whole number, got "fast"$/);
  });
});

describe('4. monitor on a port that is not there or is held', () => {
  it('a missing device and an unreachable console are one line and exit 1, not retried forever', () => {
    oneLine(cli(['monitor', '--port', '/dev/ttyNOPE']), 'monitor', 1, /^\/dev\/ttyNOPE does not exist/);
    oneLine(cli(['monitor', '--port', 'tcp://nope.invalid']), 'monitor', 1, /^unknown host "nope\.invalid" in tcp:\/\/nope\.invalid:23$/);
    oneLine(cli(['monitor', '--port', 'tcp://127.0.0.1:1']), 'monitor', 1, /^nothing listens at tcp:\/\/127\.0\.0\.1:1/);
  });

  it('the HIL suite\'s port (SIPSTER_PORT) keeps the reason it did not open, not only a timeout', async () => {
    const { ResilientPort } = await import('../../serial/port.ts');
    const port = new ResilientPort({ path: '/dev/ttyNOPE' });
    port.start();
    await expect(port.waitOpen(3_000)).rejects.toThrow(/^port \/dev\/ttyNOPE did not open within 3 s: \/dev\/ttyNOPE does not exist/);
    await port.close();
  });

  it('a port held by another process names that process', async () => {
    // A real pseudo-terminal, held open and locked by a serialport user in another process.
    const pty = spawn('python3', ['-c', 'import os,sys,time\nm,s=os.openpty()\nprint(os.ttyname(s),flush=True)\ntime.sleep(60)'], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(pty);
    const path = await new Promise<string>((resolve) => pty.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())));
    const holder = spawn(process.execPath, ['-e', `const {SerialPort}=require('serialport');new SerialPort({path:${JSON.stringify(path)},baudRate:115200}).on('open',()=>console.log('held'));setTimeout(()=>{},60000)`], { stdio: ['ignore', 'pipe', 'inherit'], cwd: join(import.meta.dirname, '..', '..', '..') });
    children.push(holder);
    await new Promise((resolve) => holder.stdout!.once('data', resolve));
    oneLine(cli(['monitor', '--port', path]), 'monitor', 1, new RegExp(`^${path} is in use by another program: .*pid ${holder.pid} \\(\\S*node -e`));
    holder.kill();
    pty.kill();
  });
});

describe('5. the wallet says once, in words, what is wrong with its UC', () => {
  it('a log key that does not match the UC\'s parameters log', async () => {
    const w = daemon(['wallet', 'run', '--data-dir', join(dir, 'w5'), '--uc', ucUrl, '--log-vk', G, '--meter-id', 'M-5', '--tick-ms', '10', '--retry', '1']);
    await w.until(/does not match this UC's parameters log/);
    await new Promise((r) => setTimeout(r, 1500)); // ticks every 10 ms, fetches again after 1-2 s
    expect(w.log()).toMatch(/WARN +wallet: the UC's log key given \(--log-vk\) does not match this UC's parameters log: its first entry is not signed by that key/);
    expect(count(w.log(), /parameters log/)).toBe(1);
    expect(await w.stop()).toBe(0);
  });

  it('an unreachable UC', async () => {
    const w = daemon(['wallet', 'run', '--data-dir', join(dir, 'w5b'), '--uc', 'http://127.0.0.1:1', '--log-vk', G, '--meter-id', 'M-5', '--tick-ms', '10']);
    await w.until(/cannot fetch the UC's parameters log/);
    await new Promise((r) => setTimeout(r, 1000));
    expect(w.log()).toMatch(/WARN +wallet: cannot fetch the UC's parameters log: UC unreachable: http:\/\/127\.0\.0\.1:1: connection refused retryIn="\d+ s"/);
    expect(count(w.log(), /cannot fetch/)).toBe(1);
    expect(await w.stop()).toBe(0);
  });

  it('a log key that is not a point at all is a usage error', () => {
    oneLine(cli(['wallet', 'run', '--data-dir', join(dir, 'w5c'), '--uc', ucUrl, '--log-vk', `02${'ff'.repeat(32)}`, '--meter-id', 'M']), 'wallet run', 2, /^--log-vk is not a point on P-256/);
    oneLine(cli(['wallet', 'run', '--uc', ucUrl, '--log-vk', G, '--meter-id', 'M'], dir, { SIPSTER_ACCOUNT_TOKEN: 'xyz' }), 'wallet run', 2, /^\$SIPSTER_ACCOUNT_TOKEN: malformed: expected 64 lowercase hex digits, got a value of 3 characters$/);
  });
});

describe('6. uc serve: a suite that differs from the store\'s, a port in use', () => {
  it('refuses another suite on an existing store', () => {
    oneLine(cli(['uc', 'serve', '--db', ucDb, '--port', '0', '--payments', 'test', '--suite', 'BLS12381-SHA256']), 'uc serve', 2, /^this store's UC has --suite P256-SHA256, fixed in its parameters log when it was created; --suite BLS12381-SHA256 needs a new store/);
    oneLine(cli(['uc', 'serve', '--db', ucDb, '--port', '0', '--payments', 'test', '--period-seconds', '60']), 'uc serve', 2, /^this store's UC has --period-seconds 2592000/);
  });

  it('binds before it writes: a port in use leaves no store behind', () => {
    const fresh = join(dir, 'fresh.sqlite');
    const port = new URL(ucUrl).port;
    oneLine(cli(['uc', 'serve', '--db', fresh, '--port', port, '--payments', 'test']), 'uc serve', 1, new RegExp(`^cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use`));
    expect(existsSync(fresh)).toBe(false);
  });
});
