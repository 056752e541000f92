// On-device latency: the board's own timing records (TokenGen online part, background fold, bill
// generation and signing, boot KAT), timed with the board's clock, collected over a run.
//   npm run bench:device                 virtual board (flashed here, clock at 1x, pulses by the rig)
//   npm run bench:device -- --port P     a real board already flashed with timing on and a test
//                                        load (meter.json: "timing": true, "testLoadMs": > 0);
//                                        listens for --seconds S (default 120)
// Prints min/median/p95/max per operation and writes bench/results/device.json and device.svg.
// Reference measured in the same run: the host computing the same per-token work with
// @noble/curves (H(ρ) by RFC 9380 hash_to_curve plus one point addition).
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MemoryUc } from '../host/protocol/memory-uc.ts';
import { getReferenceSuite } from '../host/protocol/suite.ts';
import { tokenPoint } from '../host/protocol/derive.ts';
import { signTariff, type Tariff } from '../host/protocol/tariff.ts';
import type { TimingRecord } from '../host/records/decode.ts';
import { flash, Listener, PINS, startTarget, writeMeterFile } from '../hil-tests/rig.ts';
import { VirtualBoard } from '../host/vboard/board.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

const RESULTS = join(import.meta.dirname, 'results');
const ORIGIN = 1_767_225_600;
const TARIFF: Tariff = { version: 1, bands: [{ startMinute: 0, microUnitsPerWh: 1_000_000 }] };

const { values: args } = parseArgs({ options: { port: { type: 'string' }, seconds: { type: 'string' }, tokens: { type: 'string' } }, strict: true });
const TOKENS = Number(args.tokens ?? 40);
const rand = (n: number): Uint8Array => new Uint8Array(randomBytes(n));

async function collect(): Promise<{ timings: TimingRecord[]; board: string }> {
  if (args.port) {
    const link = new Listener(args.port);
    await link.open();
    const seconds = Number(args.seconds ?? 120);
    console.log(`listening on ${args.port} for ${seconds} s ...`);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    await link.close();
    return { timings: link.records.map((r) => r.record).filter((r): r is TimingRecord => r.kind === 'timing'), board: args.port };
  }
  const target = await startTarget();
  try {
    const suite = getReferenceSuite('P256-SHA256');
    const uc = new MemoryUc({ suite, ucName: 'bench-uc', epochs: [0], tariff: TARIFF, epochLength: 24, periodSeconds: 3600, originUnix: ORIGIN }, rand);
    await target.rig!.setClock((ORIGIN + 60) * 1000);
    const link = new Listener(target.port);
    await link.open();
    const meterFile = writeMeterFile(target.dir, {
      suiteId: 'P256-SHA256', meterId: 'bench-meter', production: false, epochLength: 24, periodSeconds: 3600, periodOrigin: ORIGIN,
      pulsePin: PINS.pulse, replayPin: PINS.replay, finalBillPin: PINS.finalBill, testLoadMs: 0, timing: true,
      ucKey: uc.logKey.vk, tariff: signTariff(suite, TARIFF, uc.logKey, rand(32)),
    });
    const f = await flash(target, meterFile);
    if (f.problems.length) throw new Error(`flash: ${f.problems.join('; ')}`);
    console.log(`virtual board flashed (upload ${f.uploadSeconds.toFixed(1)} s); metering ${TOKENS} units in real time ...`);
    const mark = link.records.length;
    // Pulses a second apart in real time (clock at 1x): the fold of each token finishes before the next.
    await target.rig!.pulses(TOKENS, 1000);
    await link.waitFor((r) => r.record.kind === 'timing' && (r.record as TimingRecord).op === 'fold' && (r.record as TimingRecord).i === TOKENS - 1, TOKENS * 3000 + 30_000, mark);
    await target.rig!.post('/pulse', { pin: PINS.finalBill, count: 1, periodMs: 100 });
    await link.waitFor((r) => r.record.kind === 'timing' && (r.record as TimingRecord).op === 'billgen', 120_000, mark);
    await link.close();
    return { timings: link.records.map((r) => r.record).filter((r): r is TimingRecord => r.kind === 'timing'), board: 'virtual board (QuickJS, clock 1x)' };
  } finally {
    await target.close();
  }
}

function stats(xs: number[]): { n: number; min: number; median: number; p95: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
  return { n: s.length, min: s[0]!, median: q(0.5), p95: q(0.95), max: s[s.length - 1]! };
}

/** The host's time for one token's background work (H(ρ) + one addition), noble, in µs. */
function hostReference(): number {
  const suite = getReferenceSuite('P256-SHA256');
  const rhos = Array.from({ length: 200 }, () => rand(32));
  let acc = suite.zero;
  for (const rho of rhos.slice(0, 20)) acc = suite.sum([acc, tokenPoint(suite, rho)]);
  const t0 = performance.now();
  for (const rho of rhos) acc = suite.sum([acc, tokenPoint(suite, rho)]);
  return ((performance.now() - t0) * 1000) / rhos.length;
}

/** What the virtual board's engine costs: a bridged host call, plain guest JS, the natives. µs per op. */
async function engineCosts(): Promise<Record<string, number>> {
  const board = new VirtualBoard({ flashPath: join(mkdtempSync(join(tmpdir(), 'bench-vb-')), 'flash.json') });
  let out = '';
  board.on('data', (d: Buffer) => (out += d.toString('latin1')));
  await board.powerOn();
  const probes: Record<string, [string, number]> = {
    'host call (E.hwRand)': ['E.hwRand()', 100_000],
    'empty guest loop step': ['0', 1_000_000],
    'E.convolve 11x21 (guest JS)': ['E.convolve(a11, b21, 3)', 100_000],
    'SHA256 of 64 B (host)': ['sha(m64)', 20_000],
    'E.CRC32 of 300 B (host)': ['E.CRC32(m300)', 20_000],
  };
  const res: Record<string, number> = {};
  const setup = 'var a11 = new Float64Array(11).fill(3), b21 = new Float64Array(21).fill(5), sha = require("crypto").SHA256, m64 = new Uint8Array(64), m300 = new Uint8Array(300);';
  for (const [name, [expr, n]] of Object.entries(probes)) {
    const from = out.length;
    board.input(Buffer.from(`\x10${setup} var t0 = getTime(); for (var k = 0; k < ${n}; k++) ${expr}; print("T=" + (getTime() - t0));\n`, 'latin1'));
    while (!/T=[0-9.e-]+\r\n/.test(out.slice(from))) await new Promise((r) => setTimeout(r, 5));
    const secs = Number(/T=([0-9.e-]+)/.exec(out.slice(from))![1]);
    res[name] = (secs * 1e6) / n;
  }
  board.powerOff();
  return res;
}

function svg(groups: Record<string, number[]>): string {
  const names = Object.keys(groups).filter((k) => groups[k]!.length > 0);
  const W = 640, H = 150, PAD = 40, BINS = 24;
  const parts: string[] = [];
  names.forEach((name, gi) => {
    const xs = groups[name]!.map((us) => us / 1000);
    const lo = Math.min(...xs), hi = Math.max(...xs);
    const width = (hi - lo) / BINS || 1;
    const counts = new Array<number>(BINS).fill(0);
    for (const x of xs) counts[Math.min(BINS - 1, Math.floor((x - lo) / width))]!++;
    const top = Math.max(...counts);
    const y0 = gi * (H + PAD) + PAD;
    parts.push(`<text x="10" y="${y0 - 10}" font-size="13" font-family="sans-serif">${name}: ${xs.length} samples, ms on the board's clock</text>`);
    counts.forEach((c, b) => {
      const h = (c / top) * (H - 20);
      parts.push(`<rect x="${PAD + (b * (W - 2 * PAD)) / BINS}" y="${y0 + H - 20 - h}" width="${(W - 2 * PAD) / BINS - 2}" height="${h}" fill="#4a7bd0"/>`);
    });
    parts.push(`<text x="${PAD}" y="${y0 + H - 4}" font-size="11" font-family="sans-serif">${lo.toFixed(1)}</text>`);
    parts.push(`<text x="${W - PAD}" y="${y0 + H - 4}" font-size="11" font-family="sans-serif" text-anchor="end">${hi.toFixed(1)}</text>`);
  });
  const total = names.length * (H + PAD) + PAD;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${total}" viewBox="0 0 ${W} ${total}">${parts.join('')}</svg>\n`;
}

const engine = args.port ? undefined : await engineCosts();
const { timings, board } = await collect();
if (timings.length === 0) {
  console.error('no timing records received (is timing on in the provisioning record?)');
  process.exit(1);
}
const groups: Record<string, number[]> = {};
for (const t of timings) (groups[t.op] ??= []).push(t.micros);
const reference = hostReference();
const rows = Object.entries(groups).map(([op, xs]) => ({ op, ...stats(xs) }));
console.log(`\nboard: ${board}; host reference (noble H(ρ)+add): ${reference.toFixed(0)} µs\n`);
console.log('operation        n     min ms   median ms     p95 ms     max ms   median/host-ref');
for (const r of rows) {
  const ratio = r.op === 'fold' ? (r.median / reference).toFixed(1) + 'x' : '';
  console.log(`${r.op.padEnd(14)} ${String(r.n).padStart(3)} ${(r.min / 1000).toFixed(2).padStart(10)} ${(r.median / 1000).toFixed(2).padStart(11)} ${(r.p95 / 1000).toFixed(2).padStart(10)} ${(r.max / 1000).toFixed(2).padStart(10)}   ${ratio}`);
}
if (engine) {
  console.log('\nvirtual board engine (µs per operation, guest clock):');
  for (const [k, v] of Object.entries(engine)) console.log(`  ${k.padEnd(30)} ${v.toFixed(2).padStart(8)}`);
}
mkdirSync(RESULTS, { recursive: true });
writeFileSync(join(RESULTS, 'device.json'), JSON.stringify({ board, hostReferenceMicros: reference, engineMicros: engine ?? null, operations: rows, samples: groups }, null, 2) + '\n');
writeFileSync(join(RESULTS, 'device.svg'), svg(groups));
console.log('\nwrote bench/results/device.json and bench/results/device.svg');
