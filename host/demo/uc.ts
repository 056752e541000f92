// The UC side of the demo: `sipster uc serve` (UC + co-hosted Cashu mint, loopback HTTP, SQLite
// in the run's temp dir) as a subprocess, the meter's registration through `sipster uc
// register-meter`, and the meter's provisioning through `sipster provision` (the tariff signed with
// the UC's parameters-log key).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fromHex, toHex } from '../protocol/bytes.ts';
import { startUcProcess, type UcProcess } from '../uc/process.ts';
import { withTimeout } from '../common/timeout.ts';

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
  readonly logVk: Uint8Array;
}

const genesisArgs = (s: DemoSchedule): string[] => [
  '--suite', 'P256-SHA256', '--uc-name', 'Sipster Demo Utility',
  '--epoch-length', String(s.epochLength), '--period-seconds', String(s.periodSeconds), '--origin-unix', String(s.originUnix),
];

export async function startUc(db: string, schedule: DemoSchedule): Promise<DemoUc> {
  // The demo has no payment provider: its mint is the test one, which gives e-cash away.
  const uc = await withTimeout(startUcProcess(db, {}, [...genesisArgs(schedule), '--payments', 'test']), 120_000, 'the UC to listen');
  try {
    const served = (await (await fetch(`${uc.url}/v1/params`)).json()) as { logVk?: string };
    if (typeof served.logVk !== 'string' || !/^0[23][0-9a-f]{64}$/.test(served.logVk)) throw new Error('the UC announces no parameters-log key');
    return { process: uc, url: uc.url, db, logVk: fromHex(served.logVk, 33) };
  } catch (err) {
    await uc.stop();
    throw err;
  }
}

/** `sipster provision`: meter.json with the UC's schedule and log key, and the tariff it signed and published. */
export async function provisionMeter(uc: DemoUc, meterId: string, out: string, pins: { pulse: string; replay: string; finalBill: string }, microUnitsPerWh: number, testLoadMs = 0): Promise<void> {
  const { stdout } = await promisify(execFile)(process.execPath, [
    SIPSTER, 'provision', '--db', uc.db, '--meter-id', meterId, '--out', out, '--rate', String(microUnitsPerWh),
    '--pulse-pin', pins.pulse, '--replay-pin', pins.replay, '--final-bill-pin', pins.finalBill, '--timing', '--json', '--log-level', 'warn',
    ...(testLoadMs ? ['--test-load-ms', String(testLoadMs)] : []),
  ], { timeout: 120_000 });
  const printed = JSON.parse(stdout.trim().split('\n').pop()!) as { logVk?: string };
  if (printed.logVk !== toHex(uc.logVk)) throw new Error('sipster provision used another parameters-log key than the UC serves');
}

/** `sipster uc register-meter`: the UC records vkM under meterId and returns the household's account token. */
export async function registerMeter(uc: DemoUc, meterId: string, vkM: Uint8Array): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [SIPSTER, 'uc', 'register-meter', '--db', uc.db, '--meter-id', meterId, '--vk', toHex(vkM), '--log-level', 'warn'], {
    timeout: 120_000,
  });
  const out = JSON.parse(stdout.trim().split('\n').pop()!) as { accountToken?: string; logVk?: string };
  if (out.logVk !== toHex(uc.logVk)) throw new Error('register-meter answered with another parameters-log key');
  if (!out.accountToken || !/^[0-9a-f]{64}$/.test(out.accountToken)) throw new Error('register-meter printed no account token');
  return out.accountToken;
}
