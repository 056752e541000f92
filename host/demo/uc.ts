// The UC side of the demo: `sipster uc serve` (UC + co-hosted Cashu mint, loopback HTTP, SQLite
// in the run's temp dir) as a subprocess, the meter's registration through `sipster uc
// register-meter`, and the tariff signed with the UC's parameters-log key.
//
// Adapter (services area has no command for it yet): the tariff the meter is provisioned with
// must be signed by the UC's log key, which only lives in the UC's store, so it is read from
// there (uc_secrets 'log-key', the seed UcService derives the key from) and checked against the
// log key the UC announces.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { meterKeyFromSeed, type MeterKeyPair } from '../protocol/signature.ts';
import { getSuite } from '../protocol/suite.ts';
import { signTariff, type Tariff } from '../protocol/tariff.ts';
import { toHex } from '../protocol/bytes.ts';
import { openStore } from '../store/open.ts';
import { startUcProcess, type UcProcess } from '../uc/process.ts';
import { withTimeout } from './steps.ts';

const SIPSTER = join(import.meta.dirname, '..', '..', 'bin', 'sipster.mjs');

export interface DemoSchedule {
  readonly epochLength: number;
  readonly periodSeconds: number;
  readonly originUnix: number;
}

export interface DemoUc {
  readonly process: UcProcess;
  readonly url: string;
  readonly db: string;
  readonly logKey: MeterKeyPair;
}

const genesisArgs = (s: DemoSchedule): string[] => [
  '--suite', 'P256-SHA256', '--uc-name', 'Sipster Demo Utility',
  '--epoch-length', String(s.epochLength), '--period-seconds', String(s.periodSeconds), '--origin-unix', String(s.originUnix),
];

export async function startUc(db: string, schedule: DemoSchedule): Promise<DemoUc> {
  const uc = await withTimeout(startUcProcess(db, {}, genesisArgs(schedule)), 120_000, 'the UC to listen');
  try {
    const store = await openStore(db);
    let seed: Uint8Array | undefined;
    try {
      const [row] = await store.all<{ value: Uint8Array }>("SELECT value FROM uc_secrets WHERE name = 'log-key'");
      seed = row ? new Uint8Array(row.value) : undefined;
    } finally {
      await store.close();
    }
    if (!seed) throw new Error('the UC store holds no parameters-log key');
    const logKey = meterKeyFromSeed(seed);
    const res = await fetch(`${uc.url}/v1/params`);
    const served = (await res.json()) as { logVk?: string };
    if (served.logVk !== toHex(logKey.vk)) throw new Error('the UC announces another parameters-log key than its store holds');
    return { process: uc, url: uc.url, db, logKey };
  } catch (err) {
    await uc.stop();
    throw err;
  }
}

export function signDemoTariff(uc: DemoUc, tariff: Tariff): { message: Uint8Array; signature: Uint8Array } {
  return signTariff(getSuite('P256-SHA256'), tariff, uc.logKey, new Uint8Array(randomBytes(32)));
}

/** `sipster uc register-meter`: the UC records vkM under meterId and returns the household's account token. */
export async function registerMeter(uc: DemoUc, schedule: DemoSchedule, meterId: string, vkM: Uint8Array): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [SIPSTER, 'uc', 'register-meter', '--db', uc.db, '--meter-id', meterId, '--vk', toHex(vkM), '--log-level', 'warn', ...genesisArgs(schedule)], {
    timeout: 120_000,
  });
  const out = JSON.parse(stdout.trim().split('\n').pop()!) as { accountToken?: string; logVk?: string };
  if (out.logVk !== toHex(uc.logKey.vk)) throw new Error('register-meter answered with another parameters-log key');
  if (!out.accountToken || !/^[0-9a-f]{64}$/.test(out.accountToken)) throw new Error('register-meter printed no account token');
  return out.accountToken;
}
