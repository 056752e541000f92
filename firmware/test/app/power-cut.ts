// Power-cut sweep shared by the two power-cut test files (one per cut mode, so they run in parallel).
// A scenario (boot, tokens, period end, more tokens, period end) is cut at flash write k, for every
// k; the board restarts from what is in flash, the wallet asks for a replay, the scenario goes on.
import { expect } from 'vitest';
import { selfCheck } from '../../../host/protocol/combine.ts';
import { billHash } from '../../../host/protocol/messages.ts';
import type { BillRecord, MeterRecord, TokenRecord } from '../../../host/records/decode.ts';
import { PERIOD_SECONDS, provisionedBoard, records, SUITE } from './fixture.ts';
import type { VirtualBoard } from './harness.ts';

type Step = (b: VirtualBoard) => void;
const pulse: Step = (b) => { b.edge('D5'); b.settle(); };
const periodEnd: Step = (b) => b.advance(PERIOD_SECONDS * 1000);
/** 08:01 at 0.5 unit per Wh: 20 pulses = 10 tokens (a fold checkpoint at 8), bill c = 0; 2 pulses = 1 token, bill c = 1. */
const SCENARIO: Step[] = [...Array<Step>(20).fill(pulse), periodEnd, pulse, pulse, periodEnd];
/** 80 pulses = 40 tokens: the state's 32 slots fill and both files are recreated (firmware/src/store.ts). */
export const LONG_SCENARIO: Step[] = [...Array<Step>(80).fill(pulse), periodEnd, pulse, pulse, periodEnd];
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** `troubleshoot`: the wallet presses the troubleshooting signal after any restart and at the end (a board with the pin). */
function run(board: VirtualBoard, code: string, from: number, troubleshoot: boolean, scenario: Step[]): number {
  board.boot(code);
  board.settle();
  if (troubleshoot) board.edge('BTN1'); // the wallet's self-check asks for a replay after any restart
  board.settle();
  for (let k = from; k < scenario.length; k++) {
    if (board.dead) return k;
    scenario[k]!(board);
  }
  if (board.dead) return scenario.length;
  if (troubleshoot) board.edge('BTN1');
  board.settle();
  return scenario.length;
}

/** Number of flash writes an uninterrupted scenario makes. */
export async function writesWithoutCut(scenario = SCENARIO): Promise<number> {
  const { board, code } = await provisionedBoard();
  run(board, code, 0, true, scenario);
  expect(board.errors).toEqual([]);
  return board.flashWrites;
}

export function checkRecords(rs: MeterRecord[]): void {
  const tokens = rs.filter((r): r is TokenRecord => r.kind === 'token');
  const bills = rs.filter((r): r is BillRecord => r.kind === 'bill');
  const rhoOf = new Map<string, string>();
  for (const t of tokens) {
    const key = `${t.c}/${t.i}`;
    expect(rhoOf.get(key) ?? hex(t.rho), `two tokens for (c, i) = ${key}`).toBe(hex(t.rho));
    rhoOf.set(key, hex(t.rho));
  }
  const billOf = new Map<number, BillRecord>();
  for (const b of bills) {
    const first = billOf.get(b.bill.c);
    if (first) expect(hex(b.billMessage) + hex(b.beta), `two bills for c = ${b.bill.c}`).toBe(hex(first.billMessage) + hex(first.beta));
    else billOf.set(b.bill.c, b);
  }
  expect([...billOf.keys()].sort()).toEqual([0, 1]);
  for (const [c, bill] of billOf) {
    const rhos: Uint8Array[] = [];
    for (let i = 0; i < bill.n; i++) {
      const rho = rhoOf.get(`${c}/${i}`);
      expect(rho, `token (${c}, ${i}) of the bill never reached the wallet`).toBeDefined();
      rhos.push(Buffer.from(rho!, 'hex'));
    }
    expect(tokens.filter((t) => t.c === c && t.i >= bill.n), `tokens of c = ${c} beyond its bill's n`).toEqual([]);
    selfCheck(SUITE, rhos, bill.r, bill.bill.R);
  }
  expect(hex(billOf.get(1)!.bill.prev)).toBe(hex(billHash(billOf.get(0)!.billMessage)));
}

/**
 * Cuts power at write k, restarts, finishes the scenario; returns every record seen. Without the
 * troubleshooting signal (a board without the pin, such as Espruino's Linux interpreter) only the
 * boot's resend of what the cut held back can deliver it.
 */
export async function cutAt(k: number, mode: 'torn' | 'after', troubleshoot = true, scenario = SCENARIO): Promise<MeterRecord[]> {
  const { board, code } = await provisionedBoard();
  board.cutAtWrite = k;
  board.cutMode = mode;
  const stoppedAt = run(board, code, 0, troubleshoot, scenario);
  expect(board.dead, `write ${k} was reached`).toBe(true);
  board.cutAtWrite = null;
  run(board, code, stoppedAt, troubleshoot, scenario);
  expect(board.errors).toEqual([]);
  return records(board.output);
}
