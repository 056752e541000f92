// A/B state in flash: a flipped byte in either copy is tolerated; both copies bad fails closed
// with a signed fault record and no tokens, never a fresh seed for the same counter.
import { describe, expect, it } from 'vitest';
import { decodeFaultMessage } from '../../../host/protocol/messages.ts';
import { verifySignature } from '../../../host/protocol/signature.ts';
import type { MeterRecord } from '../../../host/records/decode.ts';
import { decodeClosed, decodeState, encodeState, newPeriod, newState } from '../../src/state.ts';
import { provisionedBoard, records } from './fixture.ts';
import type { VirtualBoard } from './harness.ts';

const of = <K extends MeterRecord['kind']>(rs: MeterRecord[], kind: K) => rs.filter((r) => r.kind === kind) as Extract<MeterRecord, { kind: K }>[];

/** The state files have 32 slots of 160 B (firmware/src/store.ts); only the one written last counts. */
const SLOT = 160;
const slotted = (file: string): boolean => file.startsWith('sip.st.');

/** Offset of the image that counts in a flash file: the last slot written (not erased), or 0. */
function lastImageAt(board: VirtualBoard, file: string): number {
  const s = board.flash.get(file)!;
  if (!slotted(file)) return 0;
  let at = 0;
  for (let k = 0; k < s.length; k += SLOT) if (s.slice(k, k + 4) !== '\xff\xff\xff\xff') at = k;
  return at;
}

/** Flips a bit of byte `at` (modulo its length) of the image that counts in `file`. */
function flip(board: VirtualBoard, file: string, at: number): void {
  const s = board.flash.get(file)!;
  const base = lastImageAt(board, file);
  const k = base + (at % (slotted(file) ? 150 : s.length));
  board.flash.set(file, s.slice(0, k) + String.fromCharCode(s.charCodeAt(k) ^ 0x10) + s.slice(k + 1));
}

async function meterWithTokens(): Promise<{ board: VirtualBoard; code: string }> {
  const { board, code } = await provisionedBoard();
  board.boot(code);
  for (let k = 0; k < 6; k++) { board.edge('D5'); board.settle(); }
  expect(of(records(board.output), 'token').length).toBe(3);
  return { board, code };
}

describe('A/B state store', () => {
  for (const copy of ['a', 'b']) {
    it(`tolerates flipped bytes in copy ${copy} of the state and of the identity, continuing the same period`, async () => {
      const { board, code } = await meterWithTokens();
      const rho2 = of(records(board.output), 'token')[2]!.rho;
      for (const at of [3, 17, 60, 200]) flip(board, `sip.st.${copy}`, at);
      flip(board, `sip.id.${copy}`, 40);
      board.boot(code);
      board.settle();
      for (let k = 0; k < 2; k++) { board.edge('D5'); board.settle(); }
      board.edge('BTN1');
      board.settle();
      const rs = records(board.output);
      expect(of(rs, 'boot').at(-1)).toMatchObject({ status: 'operating', c: 0, n: 3, bootSeq: 2 });
      expect(of(rs, 'fault')).toEqual([]);
      const tokens = of(rs, 'token');
      expect(tokens.filter((t) => !t.replay).map((t) => t.i)).toEqual([0, 1, 2, 3]);
      expect(tokens.find((t) => t.replay && t.i === 2)!.rho).toEqual(rho2);
    });
  }

  it('fails closed when both state copies are corrupt: signed fault record, no tokens, no new seed', async () => {
    const { board, code } = await meterWithTokens();
    const vkM = of(records(board.output), 'boot')[0]!.vkM!;
    flip(board, 'sip.st.a', 30);
    flip(board, 'sip.st.b', 90);
    const stateBefore = [board.flash.get('sip.st.a'), board.flash.get('sip.st.b')];
    const before = records(board.output).length;
    board.boot(code);
    for (let k = 0; k < 6; k++) { board.edge('D5'); board.settle(); }
    board.advance(7200_000);
    board.edge('BTN1');
    board.settle();
    const rs = records(board.output).slice(before);
    expect(rs.map((r) => r.kind)).toEqual(['boot', 'timing', 'fault']);
    expect(of(rs, 'boot')[0]!.status).toBe('fault');
    const fault = of(rs, 'fault')[0]!;
    expect(fault.reason).toBe('state-corrupt');
    expect(decodeFaultMessage(fault.faultMessage).fault).toMatchObject({ meterId: 'meter-0001', code: 1 });
    verifySignature(vkM, fault.faultMessage, fault.signature!);
    expect([board.flash.get('sip.st.a'), board.flash.get('sip.st.b')]).toEqual(stateBefore);
  });

  it('tolerates (and repairs at boot) a flipped byte in one copy of the last bill, replaying it unchanged; both copies bad fails closed', async () => {
    const { board, code } = await meterWithTokens();
    board.advance(3600_000);
    const bill = of(records(board.output), 'bill')[0]!;
    flip(board, 'sip.bl.a', 100);
    board.boot(code);
    board.edge('BTN1');
    board.settle();
    // Re-sent at boot (the next period has no token yet) and by the troubleshooting signal: the stored bytes both times.
    const replayed = of(records(board.output), 'bill').filter((b) => b.replay);
    const stored = [Buffer.from(bill.billMessage).toString('hex'), Buffer.from(bill.beta).toString('hex')];
    expect(replayed.map((b) => [Buffer.from(b.billMessage).toString('hex'), Buffer.from(b.beta).toString('hex')])).toEqual([stored, stored]);
    flip(board, 'sip.bl.b', 200); // copy a was repaired at the last boot: this alone is tolerated too
    board.boot(code);
    board.settle();
    expect(of(records(board.output), 'boot').at(-1)!.status).toBe('operating');
    flip(board, 'sip.bl.a', 150);
    flip(board, 'sip.bl.b', 220);
    const before = records(board.output).length;
    board.boot(code);
    board.edge('D5'); board.edge('D5');
    const rs = records(board.output).slice(before);
    expect(of(rs, 'fault')[0]!.reason).toBe('state-corrupt');
    expect(of(rs, 'token')).toEqual([]);
  });

  it('fails closed with an unsigned fault when both identity copies are corrupt', async () => {
    const { board, code } = await meterWithTokens();
    flip(board, 'sip.id.a', 5);
    flip(board, 'sip.id.b', 50);
    const before = records(board.output).length;
    board.boot(code);
    board.edge('D5'); board.edge('D5');
    const rs = records(board.output).slice(before);
    expect(of(rs, 'fault')[0]).toMatchObject({ reason: 'identity-corrupt', signature: null });
    expect(of(rs, 'token')).toEqual([]);
  });
});

describe('unexpected errors', () => {
  it('a flash error mid-token fails closed with one fault record; a reboot resumes from the A/B copies', async () => {
    const { board, code } = await meterWithTokens();
    board.failWrites = (name) => name === 'sip.st.b';
    for (let k = 0; k < 4; k++) { board.edge('D5'); board.settle(); }
    let rs = records(board.output);
    expect(of(rs, 'fault').map((f) => f.reason)).toEqual(['internal']);
    expect(of(rs, 'token').length).toBe(3);
    expect(board.errors).toEqual([]);
    board.failWrites = null;
    board.boot(code);
    for (let k = 0; k < 2; k++) { board.edge('D5'); board.settle(); }
    board.edge('BTN1');
    board.settle();
    rs = records(board.output);
    expect(of(rs, 'boot').at(-1)).toMatchObject({ status: 'operating', c: 0 });
    const tokens = of(rs, 'token');
    const rhoOf = new Map<number, string>();
    for (const t of tokens) {
      const hex = Buffer.from(t.rho).toString('hex');
      expect(rhoOf.get(t.i) ?? hex).toBe(hex);
      rhoOf.set(t.i, hex);
    }
    expect([...rhoOf.keys()].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('state before output', () => {
  it('every token and bill leaves only after both flash copies count it', async () => {
    const { board, code } = await provisionedBoard();
    const checked = { tokens: 0, bills: 0 };
    const body = (file: string) => {
      const image = Buffer.from(board.flash.get(file)!, 'latin1').subarray(lastImageAt(board, file));
      return new Uint8Array(image.subarray(10, 10 + image.readUInt16BE(8)));
    };
    const stored = (copy: string) => decodeState(body(`sip.st.${copy}`));
    const lastBill = (copy: string) => decodeClosed(body(`sip.bl.${copy}`));
    board.onOutput = (data) => {
      for (const r of records(data)) {
        if (r.kind === 'token' && !r.replay) {
          for (const copy of ['a', 'b']) {
            const cur = stored(copy).cur;
            expect(cur.c === r.c && cur.n > r.i, `token (${r.c}, ${r.i}) left before copy ${copy} counted it`).toBe(true);
          }
          checked.tokens++;
        }
        if (r.kind === 'bill' && !r.replay) {
          for (const copy of ['a', 'b']) {
            const closed = lastBill(copy);
            expect(closed.c === r.bill.c && Buffer.from(closed.beta).equals(Buffer.from(r.beta)), `bill ${r.bill.c} left before copy ${copy} stored it`).toBe(true);
            expect(stored(copy).cur.c, `bill ${r.bill.c} left before copy ${copy} of the state moved on`).toBe(r.bill.c + 1);
          }
          checked.bills++;
        }
      }
    };
    board.boot(code);
    for (let k = 0; k < 10; k++) { board.edge('D5'); board.settle(); }
    board.advance(3600_000);
    for (let k = 0; k < 4; k++) { board.edge('D5'); board.settle(); }
    board.edge('D7');
    board.settle();
    expect(board.errors).toEqual([]);
    expect(checked).toEqual({ tokens: 7, bills: 2 });
  });
});

describe('the state image', () => {
  it('is the documented layout byte for byte, and decodes back to the same state (with and without a checkpoint)', () => {
    const be = (x: number, n: number) => Array.from({ length: n }, (_, k) => (x >>> (8 * (n - 1 - k))) & 255);
    for (const sJ of [new Uint8Array(0), new Uint8Array(33).fill(0xa5)]) {
      const seed = new Uint8Array(32).map((_, k) => k + 1);
      const prev = new Uint8Array(32).map((_, k) => 255 - k);
      const s = newState(newPeriod(0xfffffffe, 7, 3, 9, seed));
      Object.assign(s, { bootSeq: 0x01020304, recordSeq: 0xa0b0c0d0, status: 2, prev });
      Object.assign(s.cur, { n: 70000, j: 65536, sJ, carried: 999999 });
      const want = [
        ...be(0x01020304, 4), ...be(0xa0b0c0d0, 4), 2, ...be(0xfffffffe, 4), ...be(7, 4), ...be(3, 4), ...be(9, 4), ...seed,
        ...be(70000, 4), ...be(65536, 4), ...be(sJ.length, 2), ...sJ, ...be(999999, 4), ...prev,
      ];
      const image = encodeState(s);
      expect([...image]).toEqual(want);
      expect(decodeState(image)).toEqual(s);
    }
  });
});
