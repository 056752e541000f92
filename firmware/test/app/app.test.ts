// The built firmware, run on the Node board harness: its records decode strictly on the host, its
// tokens and bills verify with @noble/curves through the protocol core, and they settle end to end.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { drbg } from '../../../host/meter/drbg.ts';
import { selfCheck, combine } from '../../../host/protocol/combine.ts';
import { MemoryUc } from '../../../host/protocol/memory-uc.ts';
import { billHash, decodeHandoverMessage } from '../../../host/protocol/messages.ts';
import { encodePayRequest } from '../../../host/protocol/pay.ts';
import { meterKeyFromSeed, verifySignature } from '../../../host/protocol/signature.ts';
import { signTariff } from '../../../host/protocol/tariff.ts';
import type { BillRecord, BootRecord, MeterRecord, TokenRecord } from '../../../host/records/decode.ts';
import { ORIGIN, PERIOD_SECONDS, provisionedBoard, records, SUITE, UC_LOG_KEY } from './fixture.ts';
import { katVectors } from '../../src/kat.ts';

const TARIFF = { version: 7, bands: [{ startMinute: 0, microUnitsPerWh: 250_000 }, { startMinute: 360, microUnitsPerWh: 500_000 }] };
const of = <K extends MeterRecord['kind']>(rs: MeterRecord[], kind: K) => rs.filter((r) => r.kind === kind) as Extract<MeterRecord, { kind: K }>[];

function makeUc(): MemoryUc {
  return new MemoryUc(
    { suite: SUITE, ucName: 'Test Utility', epochLength: 24, periodSeconds: PERIOD_SECONDS, originUnix: ORIGIN, epochs: [0, 1], tariff: TARIFF },
    drbg('firmware-app-uc'),
  );
}

function settle(uc: MemoryUc, tokens: TokenRecord[], bill: BillRecord): void {
  selfCheck(SUITE, tokens.map((t) => t.rho), bill.r, bill.bill.R);
  const receipts = tokens.map((t) => uc.pay(encodePayRequest({ e: t.e, rho: t.rho }), () => {}));
  const C = combine(SUITE, uc.params.epochKeys.get(bill.bill.e)!, receipts, bill.r, bill.bill.R);
  uc.settle(bill.billMessage, bill.beta, C);
}

describe('meter firmware in Node', () => {
  it('boots with a passing KAT and its own firmware hash, issues tokens per the tariff, bills at period end, and settles twice in a chain', async () => {
    const uc = makeUc();
    const tariff = signTariff(SUITE, TARIFF, uc.logKey, new Uint8Array(32));
    const { board, code } = await provisionedBoard({}, { ucKey: uc.logKey.vk, tariff });
    board.boot(code);
    board.settle();
    const boot = of(records(board.output), 'boot')[0] as BootRecord;
    expect(boot).toMatchObject({ katOk: true, status: 'operating', production: false, meterId: 'meter-0001', c: 0, periodLabel: 8, n: 0, closedC: null, tariffVersion: 7 });
    expect(Buffer.from(boot.fwHash!).toString('hex')).toBe(createHash('sha256').update(code, 'latin1').digest('hex'));
    uc.registerMeter('meter-0001', boot.vkM!);

    // 08:01, 0.5 unit per Wh: 7 pulses owe 3.5 units -> 3 tokens, half a unit carried.
    for (let k = 0; k < 7; k++) { board.edge('D5'); board.settle(); }
    expect(of(records(board.output), 'token').map((t) => t.i)).toEqual([0, 1, 2]);
    board.edge('D5');
    board.settle();
    board.advance(PERIOD_SECONDS * 1000);
    let rs = records(board.output);
    const tokens0 = of(rs, 'token');
    expect(tokens0.map((t) => [t.c, t.i, t.e, t.periodLabel, t.replay])).toEqual([0, 1, 2, 3].map((i) => [0, i, 0, 8, false]));
    const bill0 = of(rs, 'bill')[0]!;
    expect(bill0).toMatchObject({ n: 4, replay: false, bill: { c: 0, periodLabel: 8, e: 0, tariffVersion: 7, meterId: 'meter-0001' } });
    expect(bill0.bill.prev).toEqual(new Uint8Array(32));
    verifySignature(boot.vkM!, bill0.billMessage, bill0.beta);
    verifySignature(boot.vkM!, bill0.disputeMessage, bill0.disputeSig);
    expect(bill0.dispute.billHash).toEqual(billHash(bill0.billMessage));
    settle(uc, tokens0, bill0);

    for (let k = 0; k < 4; k++) { board.edge('D5'); board.settle(); }
    board.advance(PERIOD_SECONDS * 1000);
    rs = records(board.output);
    const tokens1 = of(rs, 'token').filter((t) => t.c === 1);
    const bill1 = of(rs, 'bill')[1]!;
    expect(tokens1.map((t) => t.periodLabel)).toEqual([9, 9]);
    expect(bill1).toMatchObject({ n: 2, bill: { c: 1, periodLabel: 9 } });
    expect(bill1.bill.prev).toEqual(billHash(bill0.billMessage));
    settle(uc, tokens1, bill1);
    expect(uc.recordedBill('meter-0001', 1)).toBeDefined();

    // recordSeq counts every record of the boot, without gaps.
    expect(rs.map((r) => r.recordSeq)).toEqual(rs.map((_, k) => k));
    expect(board.errors).toEqual([]);
  });

  it('replays the last closed period (same tokens, byte-identical bill, never re-signed) and the open one', async () => {
    const { board, code } = await provisionedBoard();
    board.boot(code);
    for (let k = 0; k < 6; k++) { board.edge('D5'); board.settle(); }
    board.advance(PERIOD_SECONDS * 1000);
    for (let k = 0; k < 2; k++) { board.edge('D5'); board.settle(); }
    const before = records(board.output);
    board.edge('BTN1');
    board.settle();
    const after = records(board.output).slice(before.length);
    const replayed = of(after, 'token');
    expect(replayed.every((t) => t.replay)).toBe(true);
    const originals = of(before, 'token');
    expect(replayed.map((t) => [t.c, t.i, Buffer.from(t.rho).toString('hex')])).toEqual(originals.map((t) => [t.c, t.i, Buffer.from(t.rho).toString('hex')]));
    const [bill] = of(before, 'bill');
    const [again] = of(after, 'bill');
    expect(again!.replay).toBe(true);
    expect([again!.billMessage, again!.beta, again!.disputeMessage, again!.disputeSig]).toEqual([bill!.billMessage, bill!.beta, bill!.disputeMessage, bill!.disputeSig]);
    const markers = of(after, 'replay');
    expect(markers.map((m) => [m.phase, m.c, m.closedC])).toEqual([['begin', 1, 0], ['end', 1, 0]]);
    expect(markers[1]!.count).toBe(replayed.length + 1);
    expect(board.errors).toEqual([]);
  });

  it('final-bill trigger closes the period early, hands over to the successor key, and then issues nothing', async () => {
    const { board, code } = await provisionedBoard();
    const successor = UC_LOG_KEY.vk; // any valid P-256 key stands in for the new device's vkM
    board.flash.set('sip.next', Buffer.from(successor).toString('latin1'));
    board.boot(code);
    for (let k = 0; k < 4; k++) { board.edge('D5'); board.settle(); }
    board.edge('D7');
    board.settle();
    let rs = records(board.output);
    const boot = of(rs, 'boot')[0]!;
    const bill = of(rs, 'bill')[0]!;
    expect(bill).toMatchObject({ n: 2, bill: { c: 0, periodLabel: 8 } });
    const [handover] = of(rs, 'handover');
    verifySignature(boot.vkM!, handover!.handoverMessage, handover!.signature);
    expect(decodeHandoverMessage(handover!.handoverMessage).handover).toMatchObject({ lastC: 0, lastBillHash: billHash(bill.billMessage), oldVkM: boot.vkM, newVkM: successor });

    const count = rs.length;
    for (let k = 0; k < 4; k++) { board.edge('D5'); board.settle(); }
    board.advance(2 * PERIOD_SECONDS * 1000);
    expect(records(board.output).length).toBe(count);
    board.boot(code);
    board.settle();
    rs = records(board.output);
    expect(of(rs, 'boot').at(-1)).toMatchObject({ status: 'retired', bootSeq: 2 });
    expect(of(rs, 'token').length).toBe(2);
  });

  it('built-in test load meters with nothing attached; the night tariff needs 4 Wh per unit', async () => {
    const { board, code } = await provisionedBoard({ time: ORIGIN + 2 * 3600 }, { testLoadMs: 1000, pulsePin: '' });
    board.boot(code);
    board.advance(10_000);
    const tokens = of(records(board.output), 'token');
    expect(tokens.map((t) => t.i)).toEqual([0, 1]);
    expect(tokens[0]!.periodLabel).toBe(2);
  });

  it('production mode moves the console off the output port and locks it; records still go out', async () => {
    const { board, code } = await provisionedBoard({}, { production: true });
    board.boot(code);
    expect(board.console.device).toBe('LoopbackA');
    expect(board.console.locked).toBe(true);
    expect(board.console.password).toMatch(/^[0-9a-f]{32}$/);
    board.edge('D5'); board.edge('D5');
    board.settle();
    const rs = records(board.output);
    expect(of(rs, 'boot')[0]!.production).toBe(true);
    expect(of(rs, 'token').length).toBe(1);
  });

  it('a tariff not signed by the provisioned UC key fails closed (and a production console is locked all the same)', async () => {
    const other = signTariff(SUITE, TARIFF, meterKeyFromSeed(new Uint8Array(32).fill(9)), new Uint8Array(32));
    const { board, code } = await provisionedBoard({}, { tariff: other, production: true });
    board.boot(code);
    board.edge('D5'); board.edge('D5');
    board.settle();
    const rs = records(board.output);
    expect(of(rs, 'boot')[0]!.status).toBe('fault');
    expect(of(rs, 'fault')[0]!.reason).toBe('provisioning');
    expect(of(rs, 'token')).toEqual([]);
    expect(board.console).toMatchObject({ device: 'LoopbackA', locked: true });
  });

  it('when the boot known-answer test fails (an expected value altered in the flashed code), the meter says so and issues nothing', async () => {
    const { board, code } = await provisionedBoard();
    const digest = katVectors().digest;
    const broken = code.replace(digest, (digest[0] === '0' ? '1' : '0') + digest.substring(1)); // the expected answers' digest
    expect(broken).not.toBe(code);
    board.flash.set('sipster.js', broken);
    board.boot(broken);
    board.edge('D5'); board.edge('D5');
    board.advance(PERIOD_SECONDS * 1000);
    const rs = records(board.output);
    expect(of(rs, 'boot')[0]).toMatchObject({ katOk: false, status: 'fault' });
    expect(Buffer.from(of(rs, 'boot')[0]!.fwHash!).toString('hex')).toBe(createHash('sha256').update(broken, 'latin1').digest('hex'));
    expect(of(rs, 'fault')[0]).toMatchObject({ reason: 'kat-failed', signature: null });
    expect(rs.filter((r) => r.kind === 'token' || r.kind === 'bill')).toEqual([]);
  });

  it('the flashed crypto has no table builder: without the table of B in flash, or with a corrupted one, the KAT fails and nothing is issued', async () => {
    for (const table of [undefined, 'corrupt'] as const) {
      const { board, code } = await provisionedBoard();
      if (table === undefined) board.flash.delete('sip.base');
      else {
        const t = Buffer.from(board.flash.get('sip.base')!, 'latin1');
        t[4321] ^= 1;
        board.flash.set('sip.base', t.toString('latin1'));
      }
      board.boot(code);
      board.edge('D5'); board.edge('D5');
      board.advance(PERIOD_SECONDS * 1000);
      const rs = records(board.output);
      expect(of(rs, 'boot')[0]).toMatchObject({ katOk: false, status: 'fault' });
      expect(of(rs, 'fault')[0]).toMatchObject({ reason: 'kat-failed', signature: null });
      expect(rs.filter((r) => r.kind === 'token' || r.kind === 'bill')).toEqual([]);
      expect(board.errors).toEqual([]);
    }
  });

  it('a stuck hardware RNG fails the start-up health test: no identity, no seed, a fault record', async () => {
    const { board, code } = await provisionedBoard({ hwRand: () => 0x12345678 });
    board.boot(code);
    board.edge('D5'); board.edge('D5');
    const rs = records(board.output);
    expect(of(rs, 'boot')[0]).toMatchObject({ status: 'fault', vkM: null });
    expect(of(rs, 'fault')[0]!.reason).toBe('rng-health');
    expect(of(rs, 'token')).toEqual([]);
    expect([...board.flash.keys()].filter((k) => k.startsWith('sip.id') || k.startsWith('sip.st'))).toEqual([]);
  });
});
