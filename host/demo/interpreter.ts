/**
 * `sipster demo --board espruino-linux`: one billing period with the meter firmware on Espruino's
 * own Linux interpreter (the user's build; the runtime of a board, without pins). It runs on the
 * host's clock, as a board does: nothing jumps time. The meter meters its provisioned test load
 * (one pulse = one token every TEST_LOAD_MS), the short period ends when time passes, the wallet
 * daemon pays every token in the payment window (the first half of the next period) and settles
 * in the settlement window (its second half).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex } from '@noble/hashes/utils.js';
import { flashMeter } from '../flash/flash.ts';
import { MICRO_UNITS_PER_UNIT } from '../protocol/tariff.ts';
import type { BillRecord, MeterRecord } from '../records/decode.ts';
import { Listener } from '../serial/listener.ts';
import type { ReceivedRecord } from '../serial/records.ts';
import { paymentWindow, periodStart, settlementWindow } from '../wallet/windows.ts';
// The interpreter has no pins: the usual pin names are provisioned, and nothing drives them.
import { PINS, spawnInterpreterBoard } from '../vboard/rig-client.ts';
import { Condition, runSteps, type Steps } from './steps.ts';
import { boardTimingLines, readOutcome } from './outcome.ts';
import { provisionMeter, registerMeter, startUc, type DemoSchedule } from './uc.ts';
import { startDemoRelay, startDemoWallet } from './wallet.ts';

const METER_ID = 'DEMO-METER-EL01';

export interface InterpreterDemoOptions {
  readonly espruino: string;
  readonly periodSeconds: number;
  readonly testLoadMs: number;
  /** Pay through an Oblivious HTTP relay process (privacy ON); false: straight to the UC (OFF). */
  readonly relay: boolean;
}

const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export function runInterpreter(o: InterpreterDemoOptions): Promise<number> {
  return runSteps((steps, say) => demo(o, steps, say));
}

async function demo(o: InterpreterDemoOptions, steps: Steps, say: (line: string) => void): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'sipster-demo-el-'));
  steps.defer('temp dir', async () => rmSync(dir, { recursive: true, force: true }));
  // Period 0 runs until two periods from now: flashing and the first boot (about a minute on the
  // interpreter) fall inside it, and it meters for the rest.
  const schedule: DemoSchedule = { epochLength: 12, periodSeconds: o.periodSeconds, originUnix: Math.floor(Date.now() / 1000) + o.periodSeconds };
  const label = 0;
  const end = periodStart(schedule, label + 1);
  say(`Sipster demo — the meter firmware on Espruino's Linux interpreter (${o.espruino}), P256-SHA256`);
  say(`  test load: one unit every ${o.testLoadMs} ms; period 0 ends at ${new Date(end).toISOString()} on the host's clock; work dir ${dir}`);

  const uc = await steps.run('starting the UC and its Cashu mint (`sipster uc serve`, SQLite)', async () => {
    const u = await startUc(join(dir, 'uc.sqlite'), schedule);
    steps.defer('UC', () => u.process.stop());
    say(`  UC + mint at ${u.url}`);
    return u;
  });

  const relay = await startDemoRelay(steps, uc.url, o.relay, say);

  const { target, link } = await steps.run('starting the interpreter as a board (`sipster espruino-linux`)', async () => {
    const t = await spawnInterpreterBoard(join(dir, 'board'), o.espruino);
    steps.defer('board', t.stop);
    const l = new Listener(t.device);
    await l.open();
    steps.defer('serial port', () => l.close());
    say(`  serial device ${t.device} (a pseudo-terminal, opened with serialport); console ${t.console}`);
    return { target: t, link: l };
  });
  const records = (): MeterRecord[] => link.records.map((r) => r.record);
  const changed = new Condition();
  let fault: MeterRecord | undefined;
  link.reader.on('record', (r: ReceivedRecord) => {
    if (r.record.kind === 'fault' && !fault) fault = r.record;
    changed.poke();
  });
  const noFault = (): void => {
    if (fault?.kind === 'fault') throw new Error(`the meter reported a fault: ${fault.reason}`);
  };

  const meterFile = await steps.run('provisioning the meter (`sipster provision --test-load-ms`)', async () => {
    const f = join(dir, `${METER_ID}.json`);
    await provisionMeter(uc, METER_ID, f, PINS, MICRO_UNITS_PER_UNIT, o.testLoadMs);
    return f;
  });

  const flashed = await steps.run('flashing with espruino-tools (the interpreter takes the upload at its own pace)', async () => {
    const r = await flashMeter({ port: target.console, meterFile, bootTimeoutMs: 300_000, log: (line) => say(`  ${line}`) });
    if (r.problems.length) throw new Error(`the boot record does not confirm the flash: ${r.problems.join('; ')}`);
    return r;
  });
  const boot = flashed.boot;
  const c = boot.c;
  say(`  booted: firmware sha256 ${flashed.firmwareSha256.slice(0, 16)}…, KAT passed, period c=${c} (label ${boot.periodLabel}), vkM ${bytesToHex(boot.vkM!).slice(0, 18)}…`);
  if (boot.periodLabel !== label) throw new Error(`the meter booted in period ${boot.periodLabel}, after period ${label} ended: flashing took too long for --period-seconds ${o.periodSeconds}`);

  const accountToken = await steps.run('registering vkM with the UC (`sipster uc register-meter`)', () => registerMeter(uc, METER_ID, boot.vkM!));
  const wallet = await steps.run('starting the wallet daemon on the board\'s serial port', () =>
    startDemoWallet(steps, { dbPath: join(dir, 'wallet.sqlite'), meterId: METER_ID, ucUrl: uc.url, relayUrl: relay?.url, accountToken, logVk: uc.logVk, now: Date.now, link, changed, say }));

  const tokensOf = (): number => new Set(records().flatMap((r) => (r.kind === 'token' && r.c === c ? [r.i] : []))).size;
  const billOf = (): BillRecord | undefined => records().find((r): r is BillRecord => r.kind === 'bill' && r.bill.c === c);
  const bill = await steps.run(`metering the test load until the period ends (${secs(Math.max(0, end - Date.now()))}), then BillGen on the board under continuing load`, async () => {
    const progress = setInterval(() => say(`  ${tokensOf()} tokens so far`), 15_000);
    try {
      await changed.wait(() => (noFault(), billOf() !== undefined), Math.max(0, end - Date.now()) + 180_000, `the bill of period c=${c}`);
    } finally {
      clearInterval(progress);
    }
    return billOf()!;
  });
  say(`  bill c=${c}: n = ${bill.n} (the board sent ${tokensOf()} token records), β ${bytesToHex(bill.beta).slice(0, 16)}…`);
  if (bill.n !== tokensOf()) throw new Error(`the meter billed n = ${bill.n} but sent ${tokensOf()} tokens`);

  const pw = paymentWindow(schedule, label);
  const sw = settlementWindow(schedule, label);
  await steps.run(`paying each token with one e-cash coin in the payment window (until ${new Date(pw.to).toISOString()})`, () =>
    changed.wait(() => (noFault(), wallet.ok(), wallet.paid() >= bill.n), Math.max(0, pw.to - Date.now()) + 120_000, `the wallet to pay ${bill.n} tokens (${wallet.paid()} paid)`));
  await steps.run('settling in the settlement window: self-check, Combine, the UC checks C = a_e·R', () =>
    changed.wait(() => (noFault(), wallet.ok(), wallet.settled()), Math.max(0, sw.to - Date.now()) + 60_000, 'the wallet to settle the period'));

  const out = await readOutcome({ wallet, uc, relay: relay !== undefined, accountToken, meterId: METER_ID, c });
  say('');
  say('Summary (Espruino 2v29 interpreter, this CPU; the bundle evaluated from Storage as flashed)');
  say(`  units metered     ${bill.n} tokens from the test load; UC saw ${out.ucPaid} anonymous pay requests`);
  say(`  settlement        ${(out.ucBill ?? 'none').toUpperCase()} (wallet: ${out.period?.state ?? 'no period'}; ${relay ? 'privacy ON: every pay through the Oblivious HTTP relay' : 'PRIVACY OFF: no relay (--no-relay)'})`);
  boardTimingLines(records()).forEach(say);
  say(`  host timings      flash ${secs(steps.times.get('flashing with espruino-tools (the interpreter takes the upload at its own pace)')!)}, total ${secs(steps.elapsedMs)}`);
  return out.settled ? 0 : 1;
}
