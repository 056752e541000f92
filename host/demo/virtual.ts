/**
 * `sipster demo` (npm start): one billing period on the virtual board, as a household would run
 * it with a real one. The UC + Cashu mint serve on loopback; the firmware bundle and a
 * provisioning signed by the UC's log key are flashed with espruino-tools over the board's
 * console; the boot record is checked; vkM is registered; the wallet daemon follows the board's
 * pseudo-terminal (serialport); the rig drives the metering pulses and the board's clock; the
 * wallet pays every token with e-cash in the payment window, through an Oblivious HTTP relay
 * process (privacy ON; --no-relay pays directly, privacy OFF), and settles the bill in the
 * settlement window. The wallet runs on the board's clock, so the windows and the meter's
 * periods agree while the rig jumps or accelerates it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex } from '@noble/hashes/utils.js';
import { Progress } from '../common/progress.ts';
import { flashMeter } from '../flash/flash.ts';
import { MICRO_UNITS_PER_UNIT } from '../protocol/tariff.ts';
import type { BillRecord, BootRecord, MeterRecord } from '../records/decode.ts';
import { Listener } from '../serial/listener.ts';
import type { ReceivedRecord } from '../serial/records.ts';
import { paymentWindow, periodStart, settlementWindow } from '../wallet/windows.ts';
import { PINS, Rig, spawnVirtualBoard } from '../vboard/rig-client.ts';
import { BoardClock, type ClockReading } from './board-clock.ts';
import { Condition, runSteps, type Steps } from './steps.ts';
import { boardTimingLines, readOutcome } from './outcome.ts';
import { boardTimings } from './timings.ts';
import { provisionMeter, registerMeter, startUc, type DemoSchedule } from './uc.ts';
import { startDemoRelay, startDemoWallet } from './wallet.ts';

const METER_ID = 'DEMO-METER-0001';
/** One unit per Wh all day: one metering pulse is one token. */
/** Virtual spacing of the rig's pulses (the rig runs them as fast as the board takes them). */
const PULSE_PERIOD_MS = 100;

export interface VirtualDemoOptions {
  readonly units: number;
  /** Pay through an Oblivious HTTP relay process (privacy ON); false: straight to the UC (OFF). */
  readonly relay: boolean;
  /** The summary as one JSON object on stdout; the steps go to stderr. */
  readonly json?: boolean;
}

/** The virtual board, or a real one on SIPSTER_PORT whose rig (pulses, clock) answers at SIPSTER_RIG. */
async function boardTarget(dir: string): Promise<{ device: string; console: string; rig: Rig; stop(): Promise<void> }> {
  const port = process.env.SIPSTER_PORT;
  if (!port) return spawnVirtualBoard(join(dir, 'flash.json'), join(dir, 'ttyVB0'));
  const rigUrl = process.env.SIPSTER_RIG;
  if (!rigUrl) throw new Error('SIPSTER_PORT names a real board: the demo also needs its rig (pulses and clock) at SIPSTER_RIG');
  return { device: port, console: port, rig: new Rig(rigUrl), stop: async () => undefined };
}

const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export function runVirtual(o: VirtualDemoOptions): Promise<number> {
  return runSteps((steps, say) => demo(o, steps, say), o.json === true);
}

async function demo(o: VirtualDemoOptions, steps: Steps, say: (line: string) => void): Promise<number> {
  const { units } = o;
  const dir = mkdtempSync(join(tmpdir(), 'sipster-demo-'));
  steps.defer('temp dir', async () => rmSync(dir, { recursive: true, force: true }));
  // One-hour periods starting a minute ago: the meter opens period 0 at its first boot whatever
  // flashing takes, and the rig's clock jumps end it; the windows are half an hour each.
  const schedule: DemoSchedule = { epochLength: 12, periodSeconds: 3600, originUnix: Math.floor(Date.now() / 1000) - 60 };
  say(`Sipster demo — the meter firmware on the virtual board, ${units} units, P256-SHA256`);
  say(`  billing periods of ${schedule.periodSeconds / 60} min on the board's clock (the rig jumps and accelerates it); work dir ${dir}`);

  const uc = await steps.run('starting the UC and its Cashu mint (`sipster uc serve`, SQLite)', async () => {
    const u = await startUc(join(dir, 'uc.sqlite'), schedule);
    steps.defer('UC', () => u.process.stop());
    say(`  UC + mint at ${u.url}, parameters-log key ${bytesToHex(u.logVk).slice(0, 16)}…`);
    return u;
  });

  const relay = await startDemoRelay(steps, uc.url, o.relay, say);

  const { target, rig, link, clock } = await steps.run('starting the virtual board (`sipster vboard`)', async () => {
    const t = await boardTarget(dir);
    steps.defer('board', t.stop);
    const l = new Listener(t.device);
    await l.open();
    steps.defer('serial port', () => l.close());
    const c = new BoardClock(await t.rig.status());
    say(`  serial device ${t.device} (a pseudo-terminal, opened with serialport); console ${t.console}`);
    return { target: t, rig: t.rig, link: l, clock: c };
  });
  const anchor = async (p: Promise<ClockReading>): Promise<void> => clock.anchor(await p);
  const records = (): MeterRecord[] => link.records.map((r) => r.record);
  const changed = new Condition();
  let fault: MeterRecord | undefined;
  let lastRecordAt = performance.now();
  let replays = 0;
  link.reader.on('record', (r: ReceivedRecord) => {
    lastRecordAt = performance.now();
    if (r.record.kind === 'fault' && !fault) fault = r.record;
    changed.poke();
  });
  /**
   * Waits for `done()`; whenever the line stays quiet for 5 s before it holds (records lost: the
   * port's buffer overflows when a loaded host reads too slowly, as on a real wire), presses the
   * troubleshooting signal, and the meter replays the last closed period and the current one.
   */
  const complete = async (done: () => boolean, timeoutMs: number, what: () => string): Promise<void> => {
    const poll = setInterval(() => {
      if (done() || performance.now() - lastRecordAt < 5_000 || replays >= 5) return;
      replays++;
      lastRecordAt = performance.now();
      say(`\n  ${what()}: records lost on the line; troubleshooting signal ${PINS.replay} → the meter replays`);
      void rig.troubleshoot().then(() => rig.advance(1_000)).then((st) => clock.anchor(st), () => undefined);
    }, 1_000);
    try {
      await changed.wait(() => (noFault(), done()), timeoutMs, what());
    } finally {
      clearInterval(poll);
    }
  };
  const noFault = (): void => {
    if (fault?.kind === 'fault') throw new Error(`the meter reported a fault: ${fault.reason}`);
  };

  const meterFile = await steps.run('provisioning the meter (`sipster provision`: tariff signed with the UC\'s log key)', async () => {
    const f = join(dir, `${METER_ID}.json`);
    await provisionMeter(uc, METER_ID, f, PINS, MICRO_UNITS_PER_UNIT);
    say(`  meter ${METER_ID}: 1 unit per Wh (one pulse on ${PINS.pulse} = one token), replay signal ${PINS.replay}, timing records on`);
    return f;
  });

  const flashed = await steps.run('flashing with espruino-tools', async () => {
    // espruino-tools learns the total as it goes: show bytes sent, every 10 kB.
    let shown = 0;
    const r = await flashMeter({
      port: target.console, meterFile, bootTimeoutMs: 300_000,
      log: (line) => say(`  ${line}`),
      progress: (sent) => {
        if (sent - shown < 10_000) return;
        shown = sent;
        say(`  upload: ${(sent / 1000).toFixed(0)} kB sent`);
      },
    });
    if (r.problems.length) throw new Error(`the boot record does not confirm the flash: ${r.problems.join('; ')}`);
    return r;
  });
  const boot: BootRecord = flashed.boot;
  const tFlash = steps.times.get('flashing with espruino-tools')!;
  say(`  booted: firmware sha256 ${flashed.firmwareSha256.slice(0, 16)}… = the reproducible build's, KAT ${boot.katOk ? 'passed' : 'FAILED'}, period c=${boot.c} (label ${boot.periodLabel})`);
  say(`  vkM ${bytesToHex(boot.vkM!)}`);

  const accountToken = await steps.run('registering vkM with the UC (`sipster uc register-meter`)', () => registerMeter(uc, METER_ID, boot.vkM!));

  const wallet = await steps.run('starting the wallet daemon on the board\'s serial port', () =>
    startDemoWallet(steps, { dbPath: join(dir, 'wallet.sqlite'), meterId: METER_ID, ucUrl: uc.url, relayUrl: relay?.url, accountToken, logVk: uc.logVk, now: clock.now, link, changed, say }));
  const paid = wallet.paid;

  const c = boot.c;
  const tokensOf = (): number => new Set(records().flatMap((r) => (r.kind === 'token' && r.c === c ? [r.i] : []))).size;
  const tMeter0 = performance.now();
  await steps.run(`metering ${units} units (the rig pulses ${PINS.pulse}; each pulse is TokenGen on the board)`, async () => {
    const bar = new Progress('  tokens', units);
    const tick = (): void => bar.update(Math.min(units, tokensOf()));
    link.reader.on('record', tick);
    try {
      await anchor(rig.post('/pulse', { pin: PINS.pulse, count: units, periodMs: PULSE_PERIOD_MS }));
      await anchor(rig.advance(units * PULSE_PERIOD_MS + 1000));
      // Each token costs the board a PRF and, in the background, a hash_to_curve (seconds under load).
      await complete(() => tokensOf() >= units, 120_000 + units * 3000, () => `${units} token records (${tokensOf()} so far)`);
    } finally {
      link.reader.off('record', tick);
    }
  });
  const tMeter = performance.now() - tMeter0;

  const label = boot.periodLabel;
  const bill = await steps.run('ending the period (the rig jumps the board\'s clock to its end): BillGen, β signed on the board', async () => {
    const st = await rig.status();
    const end = periodStart(schedule, label + 1);
    await anchor(rig.advance(Math.max(0, end - st.clockMs) + 1000));
    const billOf = (): BillRecord | undefined => records().find((r): r is BillRecord => r.kind === 'bill' && r.bill.c === c);
    await complete(() => billOf() !== undefined && tokensOf() >= units, 300_000 + units * 1000, () => `the bill of period c=${c}`);
    return billOf()!;
  });
  if (bill.n !== units) throw new Error(`the meter billed n = ${bill.n} units for ${units} pulses`);
  say(`  bill c=${bill.bill.c} label ${bill.bill.periodLabel} epoch ${bill.bill.e}: n = ${bill.n}, R ${bytesToHex(bill.suite.encodePoint(bill.bill.R)).slice(0, 16)}…, β ${bytesToHex(bill.beta).slice(0, 16)}…`);

  const pw = paymentWindow(schedule, label);
  const sw = settlementWindow(schedule, label);
  // The half-hour payment window in about 30 s of real time (slower for big runs).
  const speed = Math.max(10, Math.round(((pw.to - pw.from) / 1000) / Math.max(30, units * 0.15)));
  const tPay0 = performance.now();
  await steps.run(`paying each token with one e-cash coin at a random instant of the payment window (board clock at ${speed}×)`, async () => {
    await anchor(rig.post('/clock', { speed }));
    const bar = new Progress('  payments', units);
    const tick = (): void => bar.update(Math.min(units, paid()));
    let slowed = false;
    const watch = setInterval(() => {
      void (async () => {
        tick();
        await anchor(rig.status());
        // Window over with payments still queued (a loaded machine): they are all due now; the
        // settlement window runs at 1× (half an hour) so they never turn the bill into debt.
        if (!slowed && paid() < units && clock.now() >= pw.to) {
          slowed = true;
          const queued = units - paid();
          await anchor(rig.post('/clock', { speed: 1 }));
          say(`\n  payment window over with ${queued} payments queued: board clock back to 1×`);
        }
      })().catch(() => undefined);
    }, 500);
    try {
      await changed.wait(() => (noFault(), wallet.ok(), paid() >= units), 180_000 + units * 1000, `the wallet to pay ${units} tokens (${paid()} paid)`);
      tick();
    } finally {
      clearInterval(watch);
    }
  });
  const tPay = performance.now() - tPay0;

  const tSettle0 = performance.now();
  await steps.run('settling in the settlement window: self-check, Combine, the UC checks C = a_e·R', async () => {
    await anchor(rig.post('/clock', { speed: 1 }));
    const now = clock.now();
    if (now < sw.from) await anchor(rig.advance(sw.from - now + 500));
    await changed.wait(() => (noFault(), wallet.ok(), wallet.settled()), 120_000, 'the wallet to settle the period');
  });
  const tSettle = performance.now() - tSettle0;

  // What each side holds now.
  const out = await readOutcome({ wallet, uc, relay: relay !== undefined, accountToken, meterId: METER_ID, c });
  const { wallet: ws, period, ucBill, ucPaid, ucRedeemed, settled: ok } = out;
  if (o.json) {
    process.stdout.write(`${JSON.stringify({
      mode: 'virtual-board', suite: 'P256-SHA256', units, tokens: tokensOf(), bill: { n: bill.n, c, epoch: bill.bill.e }, replays, badFrames: link.faults.length,
      payments: period?.paid ?? 0, coins: { withdrawn: wallet.withdrawn(), spent: ws.coins.spent, left: ws.coins.available }, uc: { payRequests: ucPaid, coinsRedeemed: ucRedeemed, bill: ucBill ?? null },
      settlement: ucBill ?? null, walletPeriod: period?.state ?? null, privacy: relay ? 'on' : 'off',
      boardTimingsMs: Object.fromEntries(boardTimings(records())),
      hostSeconds: { flash: tFlash / 1000, upload: flashed.uploadSeconds, metering: tMeter / 1000, payments: tPay / 1000, settlement: tSettle / 1000, total: steps.elapsedMs / 1000 },
      flash: { bundleBytes: flashed.bundleBytes, fileBytes: flashed.fileBytes, bytesSent: flashed.bytesSent },
    })}\n`);
    return ok ? 0 : 1;
  }
  say('');
  say('Summary');
  say(`  units metered     ${units} pulses → ${tokensOf()} tokens on the board's serial port${replays ? ` (lost on the line: ${link.faults.length} bad frame${link.faults.length === 1 ? '' : 's'} dropped; ${replays} replay${replays > 1 ? 's' : ''} filled the gap)` : ''}; bill n = ${bill.n}, c = ${c}, epoch ${bill.bill.e}`);
  say(`  payments          ${period?.paid ?? 0} one-unit payments, every receipt verified (DLEQ) under the pinned epoch key; coins withdrawn ${wallet.withdrawn()}, spent ${ws.coins.spent}, left ${ws.coins.available}`);
  say(`  UC saw            ${ucPaid} anonymous (e, ρ) pay requests with ${ucRedeemed} coins redeemed by its mint — no meter id, no amount${relay ? ', each from the relay\'s address' : ', each from this household\'s address'}; then one bill + C for ${METER_ID}: ${ucBill ?? 'nothing'}`);
  say(`  settlement        ${(ucBill ?? 'none').toUpperCase()} (wallet: ${period?.state ?? 'no period'}; ${relay ? 'privacy ON: every pay through the Oblivious HTTP relay' : 'PRIVACY OFF: no relay between wallet and UC (--no-relay)'})`);
  boardTimingLines(records()).forEach(say);
  say(`  host timings      flash ${secs(tFlash)} (upload of a ${flashed.bundleBytes}-byte bundle, ${flashed.fileBytes} B of files, ${flashed.bytesSent} B sent, in ${flashed.uploadSeconds.toFixed(1)} s), metering ${secs(tMeter)} (${(tMeter / units).toFixed(0)} ms/unit), payments ${secs(tPay)}, settlement ${secs(tSettle)}`);
  say(`  total             ${secs(steps.elapsedMs)}`);
  return ok ? 0 : 1;
}
