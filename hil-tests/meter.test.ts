// Hardware in the loop: the meter firmware flashed with espruino-tools onto a board (the virtual
// board by default, SIPSTER_PORT for a real one), its records read through the serial transport.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { bytesToHex } from '@noble/hashes/utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFirmware } from '../firmware/conformance/bundle.ts';
import { BUNDLE_PATH } from '../host/flash/bundle.ts';
import { epochOf } from '../host/protocol/epoch.ts';
import { MemoryUc } from '../host/protocol/memory-uc.ts';
import { encodePayRequest } from '../host/protocol/pay.ts';
import { verifyReceipt } from '../host/protocol/receipt.ts';
import { combine } from '../host/protocol/combine.ts';
import { getSuite } from '../host/protocol/suite.ts';
import { signTariff, type Tariff } from '../host/protocol/tariff.ts';
import type { BillRecord, BootRecord, TokenRecord } from '../host/records/decode.ts';
import { flash, HAS_RIG, Listener, PINS, startTarget, writeMeterFile, type Target } from './rig.ts';

const SUITE = getSuite('P256-SHA256');
const rand = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
/** 2026-01-01T00:00Z; one-hour periods, 24 per epoch. */
const ORIGIN = 1_767_225_600;
const PERIOD = 3600;
/** 0.5 unit per Wh all day: two pulses per token. */
const TARIFF: Tariff = { version: 1, bands: [{ startMinute: 0, microUnitsPerWh: 500_000 }] };
const PULSES_PER_TOKEN = 2;

let target: Target;
let uc: MemoryUc;
let link: Listener;
let boot: BootRecord;

const tokens = (c: number): TokenRecord[] =>
  link.records.map((r) => r.record).filter((r): r is TokenRecord => r.kind === 'token' && r.c === c);
const bills = (): BillRecord[] => link.records.map((r) => r.record).filter((r): r is BillRecord => r.kind === 'bill');
const needRig = (): NonNullable<Target['rig']> => {
  if (!target.rig) throw new Error('this test needs a rig (the virtual board, or SIPSTER_RIG for a real board)');
  return target.rig;
};
/** Ends the current period on the board's clock and returns its bill. */
async function closePeriod(c: number): Promise<BillRecord> {
  const rig = needRig();
  const since = link.records.length;
  const st = await rig.status();
  const periodEnd = (ORIGIN + (Math.floor((st.clockMs / 1000 - ORIGIN) / PERIOD) + 1) * PERIOD) * 1000;
  await rig.advance(periodEnd - st.clockMs + 61_000);
  const bill = await link.waitFor((r) => r.record.kind === 'bill' && (r.record as BillRecord).bill.c === c, 120_000, since);
  return bill.record as BillRecord;
}

beforeAll(async () => {
  target = await startTarget();
  uc = new MemoryUc({ suite: SUITE, ucName: 'hil-uc', epochs: [0, 1, 2], tariff: TARIFF, epochLength: 24, periodSeconds: PERIOD, originUnix: ORIGIN }, rand);
  if (target.rig) await target.rig.setClock((ORIGIN + 60) * 1000);
  link = new Listener(target.port);
  await link.open();
}, 60_000);

afterAll(async () => {
  await link?.close();
  await target?.close();
});

describe.sequential('meter on the board', () => {
  it('flashes with espruino-tools and boots: KAT passed, firmware hash = SHA-256 of the reproducible build', async () => {
    const meterFile = writeMeterFile(target.dir, {
      suiteId: 'P256-SHA256', meterId: 'hil-meter-1', production: false, epochLength: 24, periodSeconds: PERIOD, periodOrigin: ORIGIN,
      pulsePin: PINS.pulse, replayPin: PINS.replay, finalBillPin: PINS.finalBill, testLoadMs: target.rig ? 0 : 2000, timing: true,
      ucKey: uc.logKey.vk, tariff: signTariff(SUITE, TARIFF, uc.logKey, rand(32)),
    });
    const r = await flash(target, meterFile);
    expect(r.problems).toEqual([]);
    boot = r.boot;
    expect(boot.katOk).toBe(true);
    expect(boot.meterId).toBe('hil-meter-1');
    const built = await buildFirmware();
    const buildHash = createHash('sha256').update(built.minified, 'latin1').digest('hex');
    expect(createHash('sha256').update(readFileSync(BUNDLE_PATH)).digest('hex')).toBe(buildHash);
    expect(bytesToHex(boot.fwHash!)).toBe(buildHash);
    // The listener on the device path saw the same boot record.
    const seen = await link.waitFor((x) => x.record.kind === 'boot' && bytesToHex((x.record as BootRecord).fwHash ?? new Uint8Array()) === buildHash, 30_000, 0);
    expect((seen.record as BootRecord).vkM).toEqual(boot.vkM);
    uc.registerMeter(boot.meterId, boot.vkM!);
  });

  it.runIf(HAS_RIG)('emits one token per unit, record by record, and a bill the wallet self-check opens', async () => {
    const rig = needRig();
    const c = boot.c;
    const mark = link.records.length;
    await rig.pulses(10 * PULSES_PER_TOKEN);
    await rig.advance(25_000);
    await link.waitFor((r) => r.record.kind === 'token' && (r.record as TokenRecord).i === 9, 60_000, mark);
    const toks = tokens(c);
    expect(toks.map((t) => t.i)).toEqual([...Array(10).keys()]);
    for (const t of toks) {
      expect(t.replay).toBe(false);
      expect(t.e).toBe(epochOf(t.periodLabel, 24));
    }
    const bill = await closePeriod(c);
    expect(bill.n).toBe(10);
    expect(link.verifier.missing(c)).toEqual([]);
    expect(link.failures).toEqual([]);
  });

  it.runIf(HAS_RIG)('settles the period end to end: pay each token, combine the receipts, the UC accepts the settlement', async () => {
    const bill = bills().find((b) => b.bill.c === boot.c)!;
    const key = uc.params.epochKeys.get(bill.bill.e)!;
    const receipts = tokens(boot.c).map((t) => {
      const receipt = uc.pay(encodePayRequest({ e: t.e, rho: t.rho }), () => undefined);
      verifyReceipt(SUITE, key, t.rho, receipt);
      return receipt;
    });
    const C = combine(SUITE, key, receipts, bill.r, bill.bill.R);
    const recorded = uc.settle(bill.billMessage, bill.beta, C);
    expect(recorded.status).toBe('settled');
    expect(uc.coinsRedeemed).toBe(10);
  });

  /**
   * The wallet's rule: a bill whose tokens it does not all hold triggers the troubleshooting signal;
   * the meter re-sends the last closed period (tokens, then the same bill) and the current tokens.
   */
  async function walletCompletes(c: number): Promise<BillRecord> {
    let bill = bills().find((b) => b.bill.c === c)!;
    if (link.verifier.missing(c).length > 0) {
      const mark = link.records.length;
      await needRig().troubleshoot();
      await needRig().advance(2_000);
      const replayed = await link.waitFor((r) => r.record.kind === 'bill' && (r.record as BillRecord).bill.c === c && (r.record as BillRecord).replay, 120_000, mark);
      expect(bytesToHex((replayed.record as BillRecord).beta)).toBe(bytesToHex(bill.beta));
      bill = replayed.record as BillRecord;
    }
    expect(link.verifier.missing(c)).toEqual([]);
    expect(link.passes.some((p) => p.what.startsWith(`self-check c=${c} `))).toBe(true);
    expect(link.failures).toEqual([]);
    return bill;
  }

  async function currentC(): Promise<number> {
    const last = [...link.records].reverse().find((r) => r.record.kind === 'boot' || r.record.kind === 'token' || r.record.kind === 'bill')!.record;
    if (last.kind === 'bill') return last.bill.c + 1;
    return (last as BootRecord | TokenRecord).c;
  }

  it.runIf(HAS_RIG)('a power cut in the middle of a token (torn flash write) loses nothing and never gives (c, i) two tokens', async () => {
    const rig = needRig();
    const c = await currentC();
    for (const [writes, torn] of [[1, 7], [2, undefined]] as const) {
      const mark = link.records.length;
      await rig.cutAfterFlashWrites(writes, torn);
      await rig.pulses(3 * PULSES_PER_TOKEN);
      await rig.advance(10_000);
      expect((await rig.status()).powered).toBe(false);
      await rig.power('on');
      const rebooted = await link.waitFor((r) => r.record.kind === 'boot', 60_000, mark);
      expect((rebooted.record as BootRecord).status).toBe('operating');
      await rig.pulses(2 * PULSES_PER_TOKEN);
      await rig.advance(5_000);
      await link.quiet();
    }
    const bill = await closePeriod(c);
    expect(bill.n).toBeGreaterThanOrEqual(4);
    await walletCompletes(c);
  });

  it.runIf(HAS_RIG)('a power cut in the middle of the bill: after power-on the meter issues the bill, and replay re-sends it unchanged', async () => {
    const rig = needRig();
    const c = await currentC();
    await rig.pulses(4 * PULSES_PER_TOKEN);
    await rig.advance(10_000);
    await link.quiet();
    await rig.cutAfterFlashWrites(1, 11);
    const mark = link.records.length;
    const st = await rig.status();
    const periodEnd = (ORIGIN + (Math.floor((st.clockMs / 1000 - ORIGIN) / PERIOD) + 1) * PERIOD) * 1000;
    await rig.advance(periodEnd - st.clockMs + 61_000);
    expect((await rig.status()).powered).toBe(false);
    await rig.power('on');
    await link.waitFor((r) => r.record.kind === 'bill' && (r.record as BillRecord).bill.c === c, 120_000, mark);
    expect(bills().filter((b) => b.bill.c === c && !b.replay).map((b) => bytesToHex(b.beta))).toHaveLength(1);
    const bill = await walletCompletes(c);
    expect(bill.n).toBe(4);
    // Forced replay: the same β comes back, never a second signature over the period.
    const again = link.records.length;
    await rig.troubleshoot();
    await rig.advance(2_000);
    const replayed = await link.waitFor((r) => r.record.kind === 'bill' && (r.record as BillRecord).replay, 120_000, again);
    expect(bytesToHex((replayed.record as BillRecord).beta)).toBe(bytesToHex(bill.beta));
  });

  it.runIf(HAS_RIG)('unplug/replug: the host reopens the port, detects the gap, and the troubleshooting signal fills it', async () => {
    const rig = needRig();
    const c = await currentC();
    const opens = link.port.opens;
    await rig.usb('unplug');
    await rig.pulses(3 * PULSES_PER_TOKEN);
    await rig.advance(8_000);
    await rig.usb('plug');
    await link.port.waitOpen();
    expect(link.port.opens).toBe(opens + 1);
    const mark = link.records.length;
    await rig.pulses(PULSES_PER_TOKEN);
    await rig.advance(3_000);
    const next = await link.waitFor((r) => r.record.kind === 'token', 30_000, mark);
    expect(next.gap).toBeDefined();
    expect(tokens(c).length).toBeLessThan(4);
    await closePeriod(c);
    await walletCompletes(c);
    expect(tokens(c).length).toBeGreaterThanOrEqual(4);
  });

  it.runIf(HAS_RIG)('line noise: corrupted frames are counted and dropped, never accepted; replay makes the period whole', async () => {
    const rig = needRig();
    const c = await currentC();
    const faultsBefore = link.faults.length;
    await rig.noise(6);
    await rig.pulses(5 * PULSES_PER_TOKEN);
    await rig.advance(12_000);
    await link.quiet();
    expect(link.faults.length).toBeGreaterThan(faultsBefore);
    await closePeriod(c);
    const bill = await walletCompletes(c);
    expect(bill.n).toBe(5);
  });
});
