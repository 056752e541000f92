/**
 * Firmware application bench: bundle size (minified, gzipped; the comb table is a separate flash
 * file and excluded), RAM the meter holds at steady state (estimated in Espruino variables from the
 * data it holds), per-token online latency (unit boundary -> record out) and background fold work,
 * and the bill, as measured by the firmware itself on the Node board harness (V8), with @noble/curves
 * doing the same work in the same run as reference, and an estimate for the real Espruino
 * interpreter from the counted field operations × measured.md costs.
 * With --save, writes bench/results/firmware.json; with --check, exits 1 when a target is missed.
 */
import { Bench, fmtNumber } from './lib.ts';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { p256 } from '@noble/curves/nist.js';
import { gzipSync } from 'node:zlib';
import { buildFirmware } from '../firmware/conformance/bundle.ts';
import { BASE_TABLE_BYTES } from '../firmware/src/crypto/index.ts';
import { provisionedBoard, records, SUITE } from '../firmware/test/app/fixture.ts';
import { VirtualBoard } from '../firmware/test/app/harness.ts';
import type { TimingRecord } from '../host/records/decode.ts';

const TOKENS = 60;
/** measured.md: one P-256 field multiplication on the real interpreter (E.convolve columns). */
const ESPRUINO_FIELD_MUL_MS = 0.24;

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] ?? NaN; };
const p95 = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * 0.95))] ?? NaN; };
const round = (x: number, d = 3): number => Math.round(x * 10 ** d) / 10 ** d;
const fieldMuls = (t: TimingRecord): number => (t.counts.mul ?? 0) + (t.counts.sqr ?? 0) + (t.counts.mulN ?? 0) + (t.counts.sqrN ?? 0);

// --- bundle size
const bundle = await buildFirmware();
const size = {
  minifiedBytes: Buffer.byteLength(bundle.minified, 'latin1'),
  gzippedBytes: gzipSync(Buffer.from(bundle.minified, 'latin1'), { level: 9 }).length,
  readableBytes: Buffer.byteLength(bundle.readable, 'latin1'),
  targetMinifiedBytes: 24 * 1024,
  combTableFlashBytes: BASE_TABLE_BYTES,
};

// --- timing: the bundle on the board harness with a real clock, its own timing records
const { board, code } = await provisionedBoard({ realClock: true });
board.boot(code);
board.settle();
const pulseWall: number[] = [];
for (let k = 0; k < 2 * TOKENS; k++) {
  const before = board.output.length;
  const t0 = performance.now();
  board.edge('D5');
  if (board.output.length > before && k % 2 === 1) pulseWall.push(performance.now() - t0);
  board.settle();
}
board.advance(3600_000);
const rs = records(board.output);
const timings = rs.filter((r): r is TimingRecord => r.kind === 'timing');
const byOp = (op: TimingRecord['op']) => timings.filter((t) => t.op === op);
const online = byOp('token-online');
const fold = byOp('fold');
const bill = byOp('billgen');
const sign = byOp('sign');
if (online.length !== TOKENS || fold.length !== TOKENS || bill.length !== 1) throw new Error('unexpected timing records');

// --- reference: noble doing the same work in the same run
const seed = new Uint8Array(32).fill(3);
const DST = 'Sipster-v1-token-P256_XMD:SHA-256_SSWU_RO_';
const ref = (f: () => void, n: number): number => { const t0 = performance.now(); for (let k = 0; k < n; k++) f(); return (performance.now() - t0) / n; };
let acc = SUITE.zero;
const nobleOnlineMs = ref(() => { hmac(sha256, seed, new Uint8Array(24)); }, 2000);
const nobleFoldMs = ref(() => { acc = acc.add(SUITE.hashToGroup(hmac(sha256, seed, new Uint8Array(24)), DST)); }, 200);
const sk = new Uint8Array(32).fill(7);
const vk = p256.getPublicKey(sk, true);
/** The bill's work: R = S − r·B, then β and the dispute signature, each signed and verified. */
const nobleBillMs = ref(() => {
  const R = acc.subtract(SUITE.mul(SUITE.B, 12345678901234567890n));
  const msg = SUITE.encodePoint(R);
  for (let k = 0; k < 2; k++) {
    const sig = p256.sign(msg, sk, { prehash: true, lowS: true, extraEntropy: seed, format: 'compact' });
    p256.verify(sig, msg, vk, { prehash: true, lowS: true, format: 'compact' });
  }
}, 50);

// --- RAM at steady state: the TypeScript meter run directly on the same board globals, its object graph walked
const ramBoard = new VirtualBoard();
for (const [k, v] of (await provisionedBoard()).board.flash) ramBoard.flash.set(k, v);
ramBoard.installGlobals(globalThis as unknown as Record<string, unknown>);
const { boot, heldState } = await import('../firmware/src/meter.ts');
boot();
for (let k = 0; k < 20; k++) { ramBoard.edge('D5'); ramBoard.settle(); }
ramBoard.advance(3600_000);
for (let k = 0; k < 20; k++) { ramBoard.edge('D5'); ramBoard.settle(); }

/**
 * Espruino variable model (measured.md): an object is one variable plus one per property name
 * (a 32-bit integer value lives in the name); doubles and other values cost their own; strings
 * one per 12 characters; typed arrays two plus their bytes in 12-byte blocks, or, above 64 bytes,
 * a flat buffer (Float64Array(330) = 103 variables measured: ~26 bytes per variable there).
 */
function vars(v: unknown, seen: Set<unknown>): number {
  if (v === null || v === undefined || typeof v === 'boolean' || typeof v === 'function') return 0;
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 2 ** 31 ? 0 : 1;
  if (typeof v === 'string') return 1 + Math.ceil(v.length / 12);
  if (typeof v !== 'object' || seen.has(v)) return 0;
  seen.add(v);
  if (ArrayBuffer.isView(v)) return v.byteLength > 64 ? 3 + Math.ceil(v.byteLength / 26) : 2 + Math.ceil(v.byteLength / 12);
  let n = 1;
  for (const key of Object.keys(v)) n += 1 + vars((v as Record<string, unknown>)[key], seen);
  return n;
}
const seen = new Set<unknown>();
const ram = {
  meterVariables: vars(heldState(), seen),
  stateBytesPerCopy: ramBoard.flash.get('sip.st.a')!.length,
  boardVariablesSmall: 2500,
  note: 'meter state only (heldState(): the variables of meter.ts, counted as one object with a property each: state, identity, provisioning, fold point, next recordSeq; not reached: the RNG health-test closure (6 small integers) and the output device, the runtime\'s own); code runs from flash; the comb table of B is memory-mapped from flash',
};

const ms = (t: TimingRecord[]): number[] => t.map((x) => x.micros / 1000);
const result = {
  bundle: size,
  ram,
  node: {
    tokenOnlineMs: { median: round(median(ms(online))), p95: round(p95(ms(online))), harnessWallMedian: round(median(pulseWall)) },
    foldMs: { median: round(median(ms(fold))), p95: round(p95(ms(fold))) },
    billMs: round(bill[0]!.micros / 1000),
    signMs: round(sign[0]!.micros / 1000),
    noble: { tokenOnlineMs: round(nobleOnlineMs, 4), foldMs: round(nobleFoldMs), billMs: round(nobleBillMs) },
    ratioToNoble: { fold: round(median(ms(fold)) / nobleFoldMs, 2), bill: round(bill[0]!.micros / 1000 / nobleBillMs, 2) },
  },
  counted: {
    foldFieldMulsMedian: median(fold.map(fieldMuls)),
    foldCounts: fold[fold.length - 1]!.counts,
    billFieldMuls: fieldMuls(bill[0]!),
    billCounts: bill[0]!.counts,
    tokenOnlineFieldMuls: median(online.map(fieldMuls)),
  },
  espruinoEstimateMs: {
    note: `counted field multiplications × ${ESPRUINO_FIELD_MUL_MS} ms (measured.md, desktop-class CPU): a lower bound, JS overhead of point formulas not included`,
    fold: round(median(fold.map(fieldMuls)) * ESPRUINO_FIELD_MUL_MS, 1),
    bill: round(fieldMuls(bill[0]!) * ESPRUINO_FIELD_MUL_MS, 1),
  },
};

const bench = new Bench('firmware');
const size_ = bench.target('bundle minified (B)', size.minifiedBytes, { max: size.targetMinifiedBytes });
const fold_ = bench.target('fold on Espruino (ms, est. lower bound)', result.espruinoEstimateMs.fold, { max: 150 });
const bill_ = bench.target('bill on Espruino (ms, est. lower bound)', result.espruinoEstimateMs.bill, { max: 1000 });
const mark = (t: { met: boolean }): string => (t.met ? 'met' : 'MISSED');
bench.table(['measure', 'value', 'target or reference'], [
  ['bundle minified (B)', String(size.minifiedBytes), `≤ ${size.targetMinifiedBytes}: ${mark(size_)}`],
  ['bundle gzipped (B)', String(size.gzippedBytes), ''],
  ['comb table, flash file (B)', String(size.combTableFlashBytes), 'excluded from the bundle'],
  ['meter RAM (Espruino vars, est.)', String(ram.meterVariables), `< ${ram.boardVariablesSmall} incl. code`],
  ['token online, Node (ms, median)', fmtNumber(result.node.tokenOnlineMs.median), `noble HMAC ${fmtNumber(result.node.noble.tokenOnlineMs)}`],
  ['fold per token, Node (ms, median)', fmtNumber(result.node.foldMs.median), `noble ${fmtNumber(result.node.noble.foldMs)}`],
  ['bill, Node (ms)', fmtNumber(result.node.billMs), `noble ${fmtNumber(result.node.noble.billMs)}`],
  ['fold field mults (count)', String(result.counted.foldFieldMulsMedian), ''],
  ['bill field mults (count)', String(result.counted.billFieldMuls), ''],
  ['fold on Espruino (ms, est. lower bound)', fmtNumber(result.espruinoEstimateMs.fold), `≤ 150: ${mark(fold_)}`],
  ['bill on Espruino (ms, est. lower bound)', fmtNumber(result.espruinoEstimateMs.bill), `≤ 1000: ${mark(bill_)}`],
]);
bench.save({ 'firmware.json': result }, { board: 'none: the bundle measured on the host, Espruino costs estimated from counted field operations' });
bench.finish();
