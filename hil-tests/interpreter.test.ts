// The HIL suite on Espruino's own Linux interpreter (the user's build, SIPSTER_ESPRUINO; skipped
// where it is absent, as in CI): the runtime of a board without pins, on the host's clock. The
// meter meters its provisioned test load, periods end as time passes, a power cut is SIGKILL and a
// reboot a restart of the process. Pin-level tests (pulses, troubleshooting signal, final bill)
// stay on the virtual board (meter.test.ts).
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bytesToHex } from '@noble/hashes/utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { espruinoPath } from '../host/elinux/interpreter.ts';
import { flashMeter } from '../host/flash/flash.ts';
import { BUNDLE_PATH } from '../host/flash/bundle.ts';
import { selfCheck } from '../host/protocol/combine.ts';
import { epochOf } from '../host/protocol/epoch.ts';
import { billHash } from '../host/protocol/messages.ts';
import { getSuite } from '../host/protocol/suite.ts';
import { signTariff, type Tariff } from '../host/protocol/tariff.ts';
import type { BillRecord, BootRecord, TokenRecord } from '../host/records/decode.ts';
import { spawnInterpreterBoard, type VirtualBoardProcess } from '../host/vboard/rig-client.ts';
import { MemoryUc } from '../host/protocol/memory-uc.ts';
import { FRAME, Listener, typeIntoLockedConsole, writeMeterFile } from './rig.ts';

const ESPRUINO = espruinoPath();
const SUITE = getSuite('P256-SHA256');
const rand = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
const hex = (b: Uint8Array): string => bytesToHex(b);
/** One unit per Wh: each test-load pulse is one token. */
const TARIFF: Tariff = { version: 1, bands: [{ startMinute: 0, microUnitsPerWh: 1_000_000 }] };
const PERIOD = 45;
const TEST_LOAD_MS = 1000;
const POWER_CUTS = 20;

interface Board {
  readonly proc: VirtualBoardProcess;
  readonly link: Listener;
  readonly dir: string;
}

async function startBoard(): Promise<Board> {
  const dir = mkdtempSync(join(tmpdir(), 'sipster-hil-el-'));
  const proc = await spawnInterpreterBoard(join(dir, 'board'), ESPRUINO!);
  const link = new Listener(proc.device);
  await link.open();
  return { proc, link, dir };
}

function meterFile(b: Board, meterId: string, production: boolean, origin: number, uc: MemoryUc): string {
  return writeMeterFile(b.dir, {
    suiteId: 'P256-SHA256', meterId, production, epochLength: 24, periodSeconds: PERIOD, periodOrigin: origin,
    pulsePin: '', replayPin: '', finalBillPin: '', testLoadMs: TEST_LOAD_MS, timing: true,
    ucKey: uc.logKey.vk, tariff: signTariff(SUITE, TARIFF, uc.logKey, rand(32)),
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.runIf(ESPRUINO).sequential('meter on the Espruino Linux interpreter', () => {
  let board: Board;
  let uc: MemoryUc;
  let boot: BootRecord;
  /** Period 0 ends one period after flashing starts (it opened at the first boot, whatever flashing takes). */
  const origin = Math.floor(Date.now() / 1000);
  const tokens = (): TokenRecord[] => board.link.records.map((r) => r.record).filter((r): r is TokenRecord => r.kind === 'token');
  const bills = (): BillRecord[] => board.link.records.map((r) => r.record).filter((r): r is BillRecord => r.kind === 'bill');
  const periodEndMs = (label: number): number => (origin + (label + 1) * PERIOD) * 1000;

  beforeAll(async () => {
    board = await startBoard();
    uc = new MemoryUc({ suite: SUITE, ucName: 'hil-uc', epochs: [0, 1], tariff: TARIFF, epochLength: 24, periodSeconds: PERIOD, originUnix: origin }, rand);
  }, 60_000);
  afterAll(async () => {
    await board?.link.close();
    await board?.proc.stop();
  });

  it('flashes with espruino-tools (sipster flash, unchanged) and boots: KAT passed, firmware hash = the build, meter id, vkM', async () => {
    const r = await flashMeter({ port: board.proc.console, meterFile: meterFile(board, 'hil-el-1', false, origin, uc), bootTimeoutMs: 300_000 });
    expect(r.problems).toEqual([]);
    boot = r.boot;
    expect(boot.katOk).toBe(true);
    expect(boot.meterId).toBe('hil-el-1');
    expect(boot.vkM).toBeDefined();
    expect(hex(boot.fwHash!)).toBe(createHash('sha256').update(readFileSync(BUNDLE_PATH)).digest('hex'));
    uc.registerMeter(boot.meterId, boot.vkM!);
  }, 400_000);

  it('emits the test load as tokens, record by record: consecutive i, the epoch of the label, nothing flagged replay', async () => {
    const c = boot.c;
    await board.link.waitFor((r) => r.record.kind === 'token' && (r.record as TokenRecord).c === c && (r.record as TokenRecord).i === 5, 60_000, 0);
    const toks = tokens().filter((t) => t.c === c);
    expect(toks.map((t) => t.i).slice(0, 6)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const t of toks) {
      expect(t.replay).toBe(false);
      expect(t.periodLabel).toBe(boot.periodLabel);
      expect(t.e).toBe(epochOf(t.periodLabel, 24));
    }
    expect(board.link.failures).toEqual([]);
  }, 120_000);

  it('the period ends as time passes, under continuing load: its bill comes, the self-check opens it, and metering goes on in the next', async () => {
    const c = boot.c;
    const bill = (await board.link.waitFor((r) => r.record.kind === 'bill' && (r.record as BillRecord).bill.c === c, periodEndMs(boot.periodLabel) - Date.now() + 180_000, 0)).record as BillRecord;
    expect(bill.n).toBeGreaterThan(5);
    expect(board.link.verifier.missing(c)).toEqual([]);
    expect(board.link.passes.some((p) => p.what.startsWith(`self-check c=${c} `))).toBe(true);
    await board.link.waitFor((r) => r.record.kind === 'token' && (r.record as TokenRecord).c === c + 1, 60_000, 0);
    expect(board.link.failures).toEqual([]);
  }, 400_000);

  it(`${POWER_CUTS} power cuts (SIGKILL) at random instants, some while a bill is being made: nothing lost or duplicated, no counter with two bills`, async () => {
    let midBill = 0;
    // Until one cut has landed between a period's end and its bill, up to 10 cuts more.
    for (let k = 0; k < POWER_CUTS || (midBill === 0 && k < POWER_CUTS + 10); k++) {
      const since = board.link.records.length;
      // Every other cut lands in the 2.5 s after a period's end: the next test-load pulse closes the
      // period (within 1 s), and BillGen signs in about 1 s (bench/results/device-espruino-linux.json).
      const last = [...board.link.records].reverse().find((r) => r.record.kind === 'token')!.record as TokenRecord;
      const end = periodEndMs(last.periodLabel);
      if ((k % 2 === 1 || k >= POWER_CUTS) && end - Date.now() < 60_000) await sleep(Math.max(0, end - Date.now()) + Math.random() * 2_500);
      else await sleep(500 + Math.random() * 4_000);
      const billed = bills().some((b) => b.bill.periodLabel === last.periodLabel);
      const cutAt = Date.now();
      await board.proc.rig.power('off');
      if (cutAt >= end && !billed) midBill++;
      await board.proc.rig.power('on');
      const rebooted = (await board.link.waitFor((r) => r.record.kind === 'boot', 120_000, since)).record as BootRecord;
      expect(rebooted.status).toBe('operating');
    }
    // Metering goes on to a bill after the last cut.
    const lastC = (tokens().at(-1)!).c;
    await board.link.waitFor((r) => r.record.kind === 'bill' && (r.record as BillRecord).bill.c === lastC, 400_000, 0);
    expect(midBill, 'cuts that landed between a period end and its bill').toBeGreaterThan(0);

    const rhoOf = new Map<string, string>();
    for (const t of tokens()) {
      const key = `${t.c}/${t.i}`;
      expect(rhoOf.get(key) ?? hex(t.rho), `two tokens for (c, i) = ${key}`).toBe(hex(t.rho));
      rhoOf.set(key, hex(t.rho));
    }
    const billOf = new Map<number, BillRecord>();
    for (const b of bills()) {
      const first = billOf.get(b.bill.c);
      if (first) expect(hex(b.billMessage) + hex(b.beta), `two bills for c = ${b.bill.c}`).toBe(hex(first.billMessage) + hex(first.beta));
      else billOf.set(b.bill.c, b);
    }
    const cs = [...billOf.keys()].sort((a, b) => a - b);
    expect(cs).toEqual(cs.map((_, k) => k));
    for (const [c, bill] of billOf) {
      const rhos = Array.from({ length: bill.n }, (_, i) => rhoOf.get(`${c}/${i}`));
      expect(rhos.every((r) => r !== undefined), `every token of bill c = ${c} reached the port`).toBe(true);
      expect(tokens().filter((t) => t.c === c && t.i >= bill.n), `tokens of c = ${c} beyond its bill's n`).toEqual([]);
      selfCheck(SUITE, rhos.map((r) => Buffer.from(r!, 'hex')), bill.r, bill.bill.R);
      if (c > 0) expect(hex(bill.bill.prev)).toBe(hex(billHash(billOf.get(c - 1)!.billMessage)));
    }
    expect(board.link.failures).toEqual([]);
  }, 1_800_000);
});

describe.runIf(ESPRUINO)('production lock on the Espruino Linux interpreter', () => {
  let board: Board;
  afterAll(async () => {
    await board?.link.close();
    await board?.proc.stop();
  });

  it('nothing typed into the port gets a reply or reads a key; espruino-tools gets no answer; metering goes on', async () => {
    board = await startBoard();
    const origin = Math.floor(Date.now() / 1000);
    const uc = new MemoryUc({ suite: SUITE, ucName: 'hil-uc', epochs: [0], tariff: TARIFF, epochLength: 24, periodSeconds: PERIOD, originUnix: origin }, rand);
    const r = await flashMeter({ port: board.proc.console, meterFile: meterFile(board, 'hil-el-prod', true, origin, uc), production: true, bootTimeoutMs: 300_000 });
    expect(r.problems).toEqual([]);
    expect(r.boot.production).toBe(true);
    await board.link.quiet(500);
    const from = board.link.raw.length;
    const since = board.link.records.length;
    await typeIntoLockedConsole(board.link);
    const { stdout } = await promisify(execFile)(join(process.cwd(), 'node_modules', '.bin', 'espruino'), ['--no-ble', '-p', board.proc.console, '-e', '6*7'], { timeout: 15_000 }).catch(
      (e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }),
    );
    expect(stdout).not.toMatch(/=42/);
    await board.link.waitFor((x) => x.record.kind === 'token', 60_000, since);
    await board.link.quiet(500);
    expect(board.link.raw.slice(from).replace(FRAME, '').replace(/\r\n/g, '')).toBe('');
    expect(board.link.records.slice(since).every((x) => x.record.kind === 'token' || x.record.kind === 'timing')).toBe(true);
  }, 400_000);
});

describe.runIf(ESPRUINO)('a billing period settled end to end on the Espruino Linux interpreter', () => {
  it('sipster demo --board espruino-linux: wallet daemon, mint and UC (through the relay), settled', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(process.cwd(), 'bin', 'sipster.mjs'), 'demo', '--board', 'espruino-linux', '--period-seconds', '60', '--espruino', ESPRUINO!], { timeout: 900_000 });
    expect(stdout).toMatch(/settlement +SETTLED \(wallet: settled; privacy ON/);
  }, 900_000);
});
