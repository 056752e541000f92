// A billing period settled end to end through the real processes, as a household runs them with
// a board: `sipster uc serve` (UC + co-hosted Cashu mint), the meter flashed with espruino-tools and
// provisioned with a tariff signed by the UC's parameters-log key, `sipster uc register-meter`,
// `sipster wallet run --port <the board>`, and `sipster wallet status` until the bill is settled.
// Everything runs on real time: the board's clock at 1x, periods of 30 s (a 15 s payment window
// and a 15 s settlement window: room for a loaded machine).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bytesToHex } from '@noble/hashes/utils.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { meterKeyFromSeed, type MeterKeyPair } from '../host/protocol/signature.ts';
import { getSuite } from '../host/protocol/suite.ts';
import { signTariff, type Tariff } from '../host/protocol/tariff.ts';
import { openStore } from '../host/store/open.ts';
import { startUcProcess, type UcProcess } from '../host/uc/process.ts';
import { flash, HAS_RIG, PINS, startTarget, writeMeterFile, type Target } from './rig.ts';

const SIPSTER = join(import.meta.dirname, '..', 'bin', 'sipster.mjs');
const PERIOD = 30;
const ORIGIN = Math.floor(Date.now() / 1000) - 2 * PERIOD;
const GENESIS = ['--suite', 'P256-SHA256', '--uc-name', 'HIL utility', '--epoch-length', '1000', '--period-seconds', String(PERIOD), '--origin-unix', String(ORIGIN)];
/** One unit per Wh: one pulse, one token. */
const TARIFF: Tariff = { version: 1, bands: [{ startMinute: 0, microUnitsPerWh: 1_000_000 }] };
const UNITS = 5;
const METER = 'hil-household-1';

let uc: UcProcess | undefined;
let target: Target | undefined;
let wallet: ChildProcess | undefined;
let walletLog = '';
const dbs = { uc: '', wallet: '' };
const cli = (args: string[]) => promisify(execFile)(process.execPath, [SIPSTER, ...args], { timeout: 60_000 });

/**
 * The UC's log key, read from its store: there is no provisioning command yet that hands a meter
 * the tariff the UC signed, so the test signs it with the key the UC announces (checked).
 */
async function ucLogKey(db: string, url: string): Promise<MeterKeyPair> {
  const store = await openStore(db);
  try {
    const [row] = await store.all<{ value: Uint8Array }>("SELECT value FROM uc_secrets WHERE name = 'log-key'");
    const key = meterKeyFromSeed(new Uint8Array(row!.value));
    const served = (await (await fetch(`${url}/v1/params`)).json()) as { logVk: string };
    expect(served.logVk).toBe(bytesToHex(key.vk));
    return key;
  } finally {
    await store.close();
  }
}

beforeAll(async () => {
  if (!HAS_RIG) return;
  target = await startTarget();
  dbs.uc = join(target.dir, 'uc.sqlite');
  dbs.wallet = join(target.dir, 'wallet.sqlite');
  uc = await startUcProcess(dbs.uc, {}, GENESIS);
}, 60_000);

afterAll(async () => {
  if (wallet && wallet.exitCode === null) {
    const gone = new Promise((r) => wallet!.once('exit', r));
    wallet.kill('SIGTERM');
    await gone;
  }
  await uc?.stop();
  await target?.close();
});

it.runIf(HAS_RIG)('a period metered on the board is paid with e-cash by the wallet and settled by the UC', async () => {
  const t = target!;
  const logKey = await ucLogKey(dbs.uc, uc!.url);
  const meterFile = writeMeterFile(t.dir, {
    suiteId: 'P256-SHA256', meterId: METER, production: false, epochLength: 1000, periodSeconds: PERIOD, periodOrigin: ORIGIN,
    pulsePin: PINS.pulse, replayPin: PINS.replay, finalBillPin: PINS.finalBill, testLoadMs: 0, timing: false,
    ucKey: logKey.vk, tariff: signTariff(getSuite('P256-SHA256'), TARIFF, logKey, new Uint8Array(randomBytes(32))),
  });
  const flashed = await flash(t, meterFile);
  expect(flashed.problems).toEqual([]);

  const reg = await cli(['uc', 'register-meter', '--db', dbs.uc, '--meter-id', METER, '--vk', bytesToHex(flashed.boot.vkM!), '--log-level', 'warn']);
  const { accountToken, logVk } = JSON.parse(reg.stdout.trim().split('\n').pop()!) as { accountToken: string; logVk: string };

  wallet = spawn(process.execPath, [SIPSTER, 'wallet', 'run', '--db', dbs.wallet, '--uc', uc!.url, '--account-token', accountToken, '--log-vk', logVk,
    '--meter-id', METER, '--port', t.flashPort, '--tick-ms', '200', '--retry', '1', '--withdraw-amount', '10', '--buffer', '10'], { stdio: ['ignore', 'ignore', 'pipe'] });
  wallet.stderr!.on('data', (d: Buffer) => (walletLog += d.toString()));
  const t0 = Date.now();
  while (!/wallet running/.test(walletLog) && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 100));
  expect(walletLog).toMatch(/wallet running/);

  // All units inside one period: if little of the current one is left, meter in the next.
  const st = await t.rig!.status();
  const left = PERIOD * 1000 - ((st.clockMs - ORIGIN * 1000) % (PERIOD * 1000));
  if (left < 5000) await new Promise((r) => setTimeout(r, left + 300));
  await t.rig!.pulses(UNITS, 100);

  const settled = new RegExp(`c=\\d+ label=\\d+ units=${UNITS} paid=${UNITS} settled`);
  let status = '';
  const t1 = Date.now();
  const debt = new RegExp(`units=${UNITS} paid=\\d+ debt`);
  while (!settled.test(status) && !debt.test(status) && Date.now() - t1 < 150_000) {
    await new Promise((r) => setTimeout(r, 1000));
    status = (await cli(['wallet', 'status', '--db', dbs.wallet])).stdout;
  }
  expect(status, walletLog).toMatch(settled);
  expect(walletLog).toMatch(/period settled/);
}, 240_000);
