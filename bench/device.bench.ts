// On-device latency: the board's own timing records (TokenGen online part, background fold, bill
// generation and signing, boot KAT), timed with the board's clock, collected over a run, and the
// variables in use (process.memory(), read on the console while the meter runs).
//   npm run bench:device                 virtual board (flashed here, clock at 1x, pulses by the rig)
//   npm run bench:device -- --board espruino-linux [--espruino PATH] [--period S]
//                                        Espruino's own Linux interpreter (your build, or
//                                        SIPSTER_ESPRUINO), flashed as a board is: it meters its test
//                                        load and the period ends as time passes (default 90 s)
//   npm run bench:device -- --board espruino-linux --sustained MIN [--load-ms MS] [--bucket N]
//                                        sustained load on the interpreter: one period of MIN minutes
//                                        with a unit every MS ms (default 250); whether the meter kept
//                                        up (backlog, bill after the period's end), token online per
//                                        N tokens (default 1,000); --save adds the run to
//                                        device-espruino-linux-sustained.json (+ .svg)
//   npm run bench:device -- --port P     a real board already flashed with timing on and a test
//                                        load (meter.json: "timing": true, "testLoadMs": > 0);
//                                        listens for --seconds S (default 120)
// Prints min/median/p95/max per operation beside the last saved run of the other board and, for the
// interpreter, a Pico-class estimate (x70, labelled as one); --save writes bench/results/
// device.json (virtual) or device-espruino-linux.json, each with an SVG of histograms.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkInterpreter, espruinoPath } from '../host/elinux/interpreter.ts';
import { flashMeter } from '../host/flash/flash.ts';
import { MemoryUc } from '../host/protocol/memory-uc.ts';
import { getReferenceSuite } from '../host/protocol/suite.ts';
import { tokenPoint } from '../host/protocol/derive.ts';
import { signTariff, type Tariff } from '../host/protocol/tariff.ts';
import type { TimingRecord } from '../host/records/decode.ts';
import { spawnInterpreterBoard } from '../host/vboard/rig-client.ts';
import { VirtualBoard } from '../host/vboard/board.ts';
import { flash, Listener, PINS, startTarget, writeMeterFile } from '../hil-tests/rig.ts';

const RESULTS = join(import.meta.dirname, 'results');
const ORIGIN = 1_767_225_600;
const TARIFF: Tariff = { version: 1, bands: [{ startMinute: 0, microUnitsPerWh: 1_000_000 }] };
/**
 * An Espruino Pico runs the interpreter about 70x slower than this CPU (the Leibniz loop: 6.4 µs an
 * iteration here, 458 µs on a Pico; Espruino's Linux build on a 2-core Xeon VM, a public forum
 * figure for the Pico): estimates only.
 */
const PICO_FACTOR = 70;

const { values: args } = parseArgs({
  options: {
    port: { type: 'string' }, seconds: { type: 'string' }, tokens: { type: 'string' }, board: { type: 'string' },
    espruino: { type: 'string' }, period: { type: 'string' }, save: { type: 'boolean' }, sustained: { type: 'string' },
    'load-ms': { type: 'string' }, bucket: { type: 'string' },
  },
  strict: true,
});
const TOKENS = Number(args.tokens ?? 40);
const rand = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
const boardKind = args.port ? 'port' : (args.board ?? 'virtual');
if (!['virtual', 'espruino-linux', 'port'].includes(boardKind)) {
  console.error(`bench:device: --board must be virtual or espruino-linux, got ${JSON.stringify(args.board)}`);
  process.exit(2);
}

interface Run {
  readonly timings: TimingRecord[];
  readonly board: string;
  /** process.memory() read on the console while the meter runs, or null where the console is not ours. */
  readonly memory: { usage: number; total: number } | null;
  /** The interpreter's progress samples and when its bill came (ms after the period's end). */
  readonly load?: { readonly trace: Progress[]; readonly billAfterEndMs: number };
}

/** Reads process.memory() on the board's (development) console, alongside the meter's records. */
async function readMemory(link: Listener): Promise<{ usage: number; total: number }> {
  const from = link.raw.length;
  await link.port.write('\x10print("MEM="+JSON.stringify(process.memory()))\n');
  for (let t = 0; t < 600; t++) {
    const m = /MEM=(\{[^\r\n]*\})/.exec(link.raw.slice(from));
    if (m) return JSON.parse(m[1]!) as { usage: number; total: number };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the board did not answer process.memory() on its console');
}

const timingsOf = (link: Listener): TimingRecord[] => link.records.map((r) => r.record).filter((r): r is TimingRecord => r.kind === 'timing');
const waitTiming = (link: Listener, op: TimingRecord['op'], timeoutMs: number, match: (t: TimingRecord) => boolean = () => true): Promise<unknown> =>
  link.waitFor((r) => r.record.kind === 'timing' && (r.record as TimingRecord).op === op && match(r.record as TimingRecord), timeoutMs, 0);

async function onPort(port: string): Promise<Run> {
  const link = new Listener(port);
  await link.open();
  const seconds = Number(args.seconds ?? 120);
  console.log(`listening on ${port} for ${seconds} s ...`);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  await link.close();
  return { timings: timingsOf(link), board: port, memory: null };
}

async function onVirtualBoard(): Promise<Run> {
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
    // Pulses a second apart in real time (clock at 1x): the fold of each token finishes before the next.
    await target.rig!.pulses(TOKENS, 1000);
    await waitTiming(link, 'fold', TOKENS * 3000 + 30_000, (t) => t.i === TOKENS - 1);
    const memory = await readMemory(link);
    await target.rig!.post('/pulse', { pin: PINS.finalBill, count: 1, periodMs: 100 });
    await waitTiming(link, 'billgen', 120_000);
    await link.close();
    return { timings: timingsOf(link), board: 'virtual board (QuickJS, clock 1x)', memory };
  } finally {
    await target.close();
  }
}

/** A positive number from a flag, or exit 2 saying what was wrong. */
function positiveFlag(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const x = Number(value);
  if (!Number.isFinite(x) || x <= 0) {
    console.error(`bench:device: ${name} must be a positive number, got ${JSON.stringify(value)}`);
    process.exit(2);
  }
  return x;
}

const sustainedMinutes = args.sustained === undefined ? undefined : positiveFlag('--sustained', args.sustained, 0);
if (sustainedMinutes !== undefined && boardKind !== 'espruino-linux') {
  console.error('bench:device: --sustained runs on the interpreter only (--board espruino-linux)');
  process.exit(2);
}
const loadMs = Math.round(positiveFlag('--load-ms', args['load-ms'], sustainedMinutes ? 250 : 1500));

/** Tokens issued and folded, sampled on the host while the interpreter meters its test load. */
interface Progress { readonly s: number; readonly issued: number; readonly folded: number }

async function onInterpreter(): Promise<Run> {
  const espruino = espruinoPath(args.espruino);
  if (!espruino) {
    console.error('bench:device --board espruino-linux needs your build of the interpreter: --espruino PATH or SIPSTER_ESPRUINO');
    process.exit(2);
  }
  const version = checkInterpreter(espruino);
  const period = sustainedMinutes ? Math.round(sustainedMinutes * 60) : positiveFlag('--period', args.period, 90);
  const dir = mkdtempSync(join(tmpdir(), 'bench-el-'));
  const board = await spawnInterpreterBoard(join(dir, 'board'), espruino);
  const link = new Listener(board.device);
  try {
    await link.open();
    // Period 0 lasts until one period after flashing starts: the first boot falls inside it.
    const origin = Math.floor(Date.now() / 1000) + 60;
    const suite = getReferenceSuite('P256-SHA256');
    const uc = new MemoryUc({ suite, ucName: 'bench-uc', epochs: [0], tariff: TARIFF, epochLength: 24, periodSeconds: period, originUnix: origin }, rand);
    const meterFile = writeMeterFile(dir, {
      suiteId: 'P256-SHA256', meterId: 'bench-meter-el', production: false, epochLength: 24, periodSeconds: period, periodOrigin: origin,
      pulsePin: '', replayPin: '', finalBillPin: '', testLoadMs: loadMs, timing: true,
      ucKey: uc.logKey.vk, tariff: signTariff(suite, TARIFF, uc.logKey, rand(32)),
    });
    console.log(`flashing Espruino ${version} (${espruino}) with espruino-tools ...`);
    const f = await flashMeter({ port: board.console, meterFile, bootTimeoutMs: 300_000 });
    if (f.problems.length) throw new Error(`flash: ${f.problems.join('; ')}`);
    const end = (origin + period) * 1000;
    const booted = Date.now();
    console.log(`booted; metering the test load (one unit every ${loadMs} ms) until the period ends in ${((end - booted) / 1000).toFixed(0)} s ...`);
    const trace: Progress[] = [];
    const sample = (): Progress => {
      let issued = 0, folded = 0;
      for (const { record: r } of link.records) {
        if (r.kind === 'token' && !r.replay) issued++;
        else if (r.kind === 'timing' && r.op === 'fold') folded++;
      }
      return { s: Math.round((Date.now() - booted) / 1000), issued, folded };
    };
    let shown = '';
    const progress = setInterval(() => {
      const p = sample();
      if (trace.length === 0 || p.s - trace[trace.length - 1]!.s >= 10) trace.push(p);
      const line = `  ${p.issued} tokens issued, ${p.folded} folded (backlog ${p.issued - p.folded}), ${Math.max(0, (end - Date.now()) / 1000).toFixed(0)} s to the period's end`;
      if (line !== shown) process.stdout.write(`\r${(shown = line).padEnd(90)}`);
    }, 1000);
    try {
      await new Promise((r) => setTimeout(r, Math.max(0, end - Date.now()) / 2));
      const memory = await readMemory(link);
      await waitTiming(link, 'billgen', Math.max(0, end - Date.now()) + 300_000);
      const billAfterEndMs = Date.now() - end;
      trace.push(sample());
      // A power cut and power-on: a boot with identity, state and a tariff it verified before.
      const firstBoot = timingsOf(link).find((t) => t.op === 'boot')?.bootSeq ?? 0;
      await board.rig.power('off');
      await board.rig.power('on');
      await waitTiming(link, 'boot', 300_000, (t) => t.bootSeq > firstBoot);
      return { timings: timingsOf(link), board: `Espruino ${version} Linux interpreter (this CPU; bundle evaluated from Storage, as flashed)`, memory, load: { trace, billAfterEndMs } };
    } finally {
      clearInterval(progress);
      process.stdout.write('\n');
    }
  } finally {
    await link.close();
    await board.stop();
  }
}

interface Stats { op: string; n: number; min: number; median: number; p95: number; max: number }

function stats(op: string, xs: number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
  return { op, n: s.length, min: s[0]!, median: q(0.5), p95: q(0.95), max: s[s.length - 1]! };
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

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** One histogram per operation: counts over ms on the board's clock, axes with ticks, median and p95 marked. */
function svg(board: string, groups: Record<string, number[]>, rows: Stats[]): string {
  const W = 720, H = 170, TOP = 56, L = 56, R = 24, BINS = 30;
  const parts: string[] = [`<text x="${L}" y="24" font-size="15" font-family="sans-serif" font-weight="bold">${esc(board)}</text>`,
    `<text x="${L}" y="42" font-size="11" font-family="sans-serif">the board's own timing records (its clock), ms; dashed: median, dotted: p95</text>`];
  rows.forEach((row, gi) => {
    const xs = groups[row.op]!.map((us) => us / 1000);
    const lo = Math.min(...xs), hi = Math.max(...xs);
    const span = hi - lo || Math.max(1, hi * 0.1);
    const width = span / BINS;
    const counts = new Array<number>(BINS).fill(0);
    for (const x of xs) counts[Math.min(BINS - 1, Math.floor((x - lo) / width))]!++;
    const top = Math.max(...counts);
    const y0 = TOP + gi * (H + 40);
    const plotH = H - 40;
    const xAt = (ms: number): number => L + ((ms - lo) / span) * (W - L - R);
    parts.push(`<text x="${L}" y="${y0 + 4}" font-size="13" font-family="sans-serif">${esc(row.op)}: ${xs.length} samples, median ${(row.median / 1000).toFixed(1)} ms, p95 ${(row.p95 / 1000).toFixed(1)} ms</text>`);
    const base = y0 + 14 + plotH;
    counts.forEach((c, b) => {
      const h = (c / top) * plotH;
      parts.push(`<rect x="${(L + (b * (W - L - R)) / BINS).toFixed(1)}" y="${(base - h).toFixed(1)}" width="${((W - L - R) / BINS - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="#4a7bd0"/>`);
    });
    parts.push(`<line x1="${L}" y1="${base}" x2="${W - R}" y2="${base}" stroke="#333"/><line x1="${L}" y1="${base}" x2="${L}" y2="${base - plotH}" stroke="#333"/>`);
    for (let k = 0; k <= 4; k++) {
      const ms = lo + (span * k) / 4;
      parts.push(`<line x1="${xAt(ms)}" y1="${base}" x2="${xAt(ms)}" y2="${base + 4}" stroke="#333"/><text x="${xAt(ms)}" y="${base + 16}" font-size="10" font-family="sans-serif" text-anchor="middle">${ms.toFixed(ms < 10 ? 2 : 0)}</text>`);
    }
    parts.push(`<text x="${L - 6}" y="${base - plotH + 8}" font-size="10" font-family="sans-serif" text-anchor="end">${top}</text><text x="${L - 6}" y="${base}" font-size="10" font-family="sans-serif" text-anchor="end">0</text>`);
    parts.push(`<text x="${W - R}" y="${base + 28}" font-size="10" font-family="sans-serif" text-anchor="end">ms</text><text x="12" y="${base - plotH / 2}" font-size="10" font-family="sans-serif">count</text>`);
    for (const [v, dash] of [[row.median, '6 3'], [row.p95, '2 2']] as const) {
      parts.push(`<line x1="${xAt(v / 1000)}" y1="${base}" x2="${xAt(v / 1000)}" y2="${base - plotH}" stroke="#c0392b" stroke-dasharray="${dash}"/>`);
    }
  });
  const total = TOP + rows.length * (H + 40);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${total}" viewBox="0 0 ${W} ${total}"><rect width="100%" height="100%" fill="white"/>${parts.join('')}</svg>\n`;
}

/** Kept up: the fold caught up with the period's tokens and the bill went out this soon after the period's end. */
const KEEP_UP_BILL_MS = 10_000;
/** Token online per this many tokens, for its flatness over a long period. */
const BUCKET = Math.round(positiveFlag('--bucket', args.bucket, 1000));
/** A 10 kW household's energy per second (Wh), for the unit per token a board keeps up with. */
const HOUSEHOLD_WH_PER_S = 10_000 / 3600;

interface Sustained {
  readonly date: string;
  readonly loadAverage: number[];
  readonly minutes: number;
  readonly loadMs: number;
  readonly unitsPerS: number;
  readonly issued: number;
  readonly maxBacklog: number;
  readonly billAfterEndMs: number;
  readonly keptUp: boolean;
  /** Token online per BUCKET tokens (by token index): median and p95, µs. */
  readonly tokenOnline: { from: number; n: number; median: number; p95: number }[];
  /** Fold per BUCKET tokens, likewise. */
  readonly foldByIndex: { from: number; n: number; median: number; p95: number }[];
  readonly fold: Stats;
  readonly trace: Progress[];
}

/** The sustained run's figures: printed, and returned for --save. */
function report(timings: TimingRecord[], r: NonNullable<Run['load']>): Sustained {
  // The loaded period only: units metered while its bill was made are held and counted in the next.
  const c = timings.find((t) => t.op === 'token-online')?.c;
  const byIndex = (op: string): { from: number; n: number; median: number; p95: number }[] => {
    const xs = timings.filter((t) => t.op === op && t.c === c);
    const out = [];
    for (let from = 0; from <= Math.max(...xs.map((t) => t.i)); from += BUCKET) {
      const st = stats(op, xs.filter((t) => t.i >= from && t.i < from + BUCKET).map((t) => t.micros));
      if (st.n) out.push({ from, n: st.n, median: st.median, p95: st.p95 });
    }
    return out;
  };
  const tokenOnline = byIndex('token-online');
  const foldByIndex = byIndex('fold');
  const last = r.trace[r.trace.length - 1]!;
  const out: Sustained = {
    date: new Date().toISOString(), loadAverage: loadavg(), minutes: sustainedMinutes!, loadMs, unitsPerS: Math.round((1000 / loadMs) * 100) / 100,
    issued: last.issued, maxBacklog: Math.max(...r.trace.map((p) => p.issued - p.folded)), billAfterEndMs: r.billAfterEndMs,
    keptUp: r.billAfterEndMs <= KEEP_UP_BILL_MS, tokenOnline, foldByIndex, fold: stats('fold', timings.filter((t) => t.op === 'fold' && t.c === c).map((t) => t.micros)), trace: r.trace,
  };
  console.log(`\nsustained load: ${out.minutes} min, a unit every ${loadMs} ms (${out.unitsPerS}/s): ${out.issued} tokens`);
  console.log(`  largest backlog (issued - folded, sampled every 10 s): ${out.maxBacklog}; bill ${(out.billAfterEndMs / 1000).toFixed(1)} s after the period's end: ${out.keptUp ? 'kept up' : 'FELL BEHIND'}`);
  console.log(`  by token index (ms)  ${'tokens'.padEnd(12)} ${'online median'.padStart(14)} ${'p95'.padStart(7)} ${'fold median'.padStart(12)} ${'p95'.padStart(7)}`);
  tokenOnline.forEach((b, k) => {
    const f = foldByIndex[k];
    console.log(`${''.padEnd(22)}${`${b.from}-${b.from + BUCKET - 1}`.padEnd(12)} ${(b.median / 1000).toFixed(2).padStart(14)} ${(b.p95 / 1000).toFixed(2).padStart(7)} ${f ? (f.median / 1000).toFixed(1).padStart(12) : ''} ${f ? (f.p95 / 1000).toFixed(1).padStart(7) : ''}`);
  });
  const picoRate = out.unitsPerS / PICO_FACTOR;
  console.log(`  Pico-class estimate (x${PICO_FACTOR}): ${picoRate.toFixed(3)} units/s, so a 10 kW household needs >= ${(HOUSEHOLD_WH_PER_S / picoRate).toFixed(0)} Wh per unit (an estimate)`);
  return out;
}

/** Token online p95 per BUCKET tokens, one line per run, and each run's backlog over time. */
function sustainedSvg(runs: Sustained[]): string {
  const W = 720, H = 220, L = 60, R = 24;
  const parts: string[] = [`<text x="${L}" y="24" font-size="15" font-family="sans-serif" font-weight="bold">Sustained load on the Espruino interpreter (as flashed)</text>`];
  const panel = (y0: number, title: string, unit: string, series: { name: string; pts: [number, number][] }[]): void => {
    const xs = series.flatMap((s) => s.pts.map((p) => p[0])), ys = series.flatMap((s) => s.pts.map((p) => p[1]));
    const xHi = Math.max(1, ...xs), yHi = Math.max(1e-9, ...ys) * 1.1;
    const X = (x: number): number => L + (x / xHi) * (W - L - R), Y = (y: number): number => y0 + H - (y / yHi) * H;
    parts.push(`<text x="${L}" y="${y0 - 8}" font-size="12" font-family="sans-serif">${esc(title)}</text>`);
    parts.push(`<line x1="${L}" y1="${y0 + H}" x2="${W - R}" y2="${y0 + H}" stroke="#333"/><line x1="${L}" y1="${y0}" x2="${L}" y2="${y0 + H}" stroke="#333"/>`);
    for (let k = 0; k <= 4; k++) {
      parts.push(`<text x="${X((xHi * k) / 4)}" y="${y0 + H + 14}" font-size="10" font-family="sans-serif" text-anchor="middle">${Math.round((xHi * k) / 4)}</text>`);
      parts.push(`<text x="${L - 6}" y="${Y((yHi * k) / 4) + 3}" font-size="10" font-family="sans-serif" text-anchor="end">${((yHi * k) / 4).toFixed(yHi < 10 ? 1 : 0)}</text>`);
    }
    parts.push(`<text x="${W - R}" y="${y0 + H + 28}" font-size="10" font-family="sans-serif" text-anchor="end">${esc(unit)}</text>`);
    const colours = ['#4a7bd0', '#c0392b', '#27ae60', '#8e44ad', '#d35400', '#16a085'];
    series.forEach((s, k) => {
      const c = colours[k % colours.length]!;
      parts.push(`<polyline fill="none" stroke="${c}" stroke-width="1.5" points="${s.pts.map(([x, y]) => `${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(' ')}"/>`);
      parts.push(`<text x="${W - R - 4}" y="${y0 + 12 + k * 13}" font-size="10" font-family="sans-serif" text-anchor="end" fill="${c}">${esc(s.name)}</text>`);
    });
  };
  panel(56, `token online (ms) by token index: p95 per ${BUCKET} tokens`, 'token index', runs.map((r) => ({ name: `${r.unitsPerS}/s, ${r.minutes} min: p95`, pts: r.tokenOnline.map((b) => [b.from + b.n / 2, b.p95 / 1000] as [number, number]) })));
  panel(56 + H + 70, 'backlog (tokens issued, not yet folded) over time', 'seconds since boot', runs.map((r) => ({ name: `${r.unitsPerS}/s${r.keptUp ? '' : ' (fell behind)'}`, pts: r.trace.map((p) => [p.s, p.issued - p.folded] as [number, number]) })));
  const total = 56 + 2 * (H + 70);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${total}" viewBox="0 0 ${W} ${total}"><rect width="100%" height="100%" fill="white"/>${parts.join('')}</svg>\n`;
}

const resultsFile = (kind: string): string => join(RESULTS, kind === 'espruino-linux' ? 'device-espruino-linux.json' : 'device.json');

const engine = boardKind === 'virtual' ? await engineCosts() : undefined;
const run = boardKind === 'port' ? await onPort(args.port!) : boardKind === 'espruino-linux' ? await onInterpreter() : await onVirtualBoard();
if (run.timings.length === 0) {
  console.error('no timing records received (is timing on in the provisioning record?)');
  process.exit(1);
}
const groups: Record<string, number[]> = {};
// The first boot after flashing makes the identity and verifies the tariff; a later one (after a power cut) does neither.
const firstBootSeq = Math.min(...run.timings.filter((t) => t.op === 'boot').map((t) => t.bootSeq));
for (const t of run.timings) (groups[t.op === 'boot' && t.bootSeq > firstBootSeq ? 'reboot' : t.op] ??= []).push(t.micros);
const reference = hostReference();
const rows = Object.entries(groups).map(([op, xs]) => stats(op, xs));
// The other board's last saved run, side by side.
const otherKind = boardKind === 'espruino-linux' ? 'virtual' : 'espruino-linux';
const other = existsSync(resultsFile(otherKind)) ? (JSON.parse(readFileSync(resultsFile(otherKind), 'utf8')) as { board: string; operations: Stats[]; memory?: { usage: number } | null }) : undefined;
const pico = boardKind === 'espruino-linux';
const ms = (us: number | undefined): string => (us === undefined ? '' : (us / 1000).toFixed(1));
console.log(`\nboard: ${run.board}; host reference (noble H(ρ)+add): ${reference.toFixed(0)} µs`);
if (other) console.log(`beside: ${other.board} (last saved run)`);
console.log(`\n${'operation'.padEnd(13)} ${'n'.padStart(4)} ${'median ms'.padStart(10)} ${'p95 ms'.padStart(9)} ${'max ms'.padStart(9)} ${'/host'.padStart(7)} ${(other ? 'other med' : '').padStart(10)} ${(pico ? 'Pico est. s' : '').padStart(12)}`);
for (const r of rows) {
  const o = other?.operations.find((x) => x.op === r.op);
  const ratio = r.op === 'fold' ? `${(r.median / reference).toFixed(0)}x` : '';
  console.log(`${r.op.padEnd(13)} ${String(r.n).padStart(4)} ${ms(r.median).padStart(10)} ${ms(r.p95).padStart(9)} ${ms(r.max).padStart(9)} ${ratio.padStart(7)} ${ms(o?.median).padStart(10)} ${(pico ? ((r.median * PICO_FACTOR) / 1e6).toFixed(1) : '').padStart(12)}`);
}
if (groups.reboot) console.log('boot: the first after flashing (makes the identity, verifies the tariff); reboot: after a power cut');
if (run.memory) console.log(`variables in use  ${run.memory.usage} of ${run.memory.total}${other?.memory ? `   (other: ${other.memory.usage})` : ''}${pico ? '   (with the "ram" functions\' RAM copies, which a board makes too)' : ''}`);
/** Issue 11's targets, for the interpreter on this CPU as flashed (bill record: BillGen, which includes both signatures, each verified). */
const of = (op: string): Stats | undefined => rows.find((r) => r.op === op);
const targets = [
  { name: 'token online, p95 ms', value: (of('token-online')?.p95 ?? NaN) / 1000, max: 5 },
  { name: 'fold, median ms', value: (of('fold')?.median ?? NaN) / 1000, max: 150 },
  { name: 'bill record (BillGen), median ms', value: (of('billgen')?.median ?? NaN) / 1000, max: 1000 },
  { name: 'boot KAT, ms', value: (of('boot-kat')?.median ?? NaN) / 1000, max: 2000 },
  { name: 'boot to ready for the first token, ms', value: (of('reboot')?.median ?? of('boot')?.median ?? NaN) / 1000, max: 2000 },
  { name: 'variables in use', value: run.memory?.usage ?? NaN, max: 1500 },
].map((t) => ({ ...t, met: t.value <= t.max }));
if (pico) {
  console.log('\ntargets (issue 11: the interpreter, this CPU, as flashed)');
  for (const t of targets) console.log(`  ${t.name.padEnd(38)} ${t.value.toFixed(1).padStart(8)}  target <= ${String(t.max).padEnd(6)} ${t.met ? 'met' : 'MISSED'}`);
}
if (pico) console.log(`Pico est.: the interpreter's median x${PICO_FACTOR} (an estimate from the Leibniz-loop ratio, not a measurement)`);
if (engine) {
  console.log('\nvirtual board engine (µs per operation, guest clock):');
  for (const [k, v] of Object.entries(engine)) console.log(`  ${k.padEnd(30)} ${v.toFixed(2).padStart(8)}`);
}
const sustained = run.load && sustainedMinutes !== undefined ? report(run.timings, run.load) : undefined;
if (args.save && sustained) {
  const file = join(RESULTS, 'device-espruino-linux-sustained.json');
  const prev = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { runs: Sustained[] }).runs : [];
  const runs = [...prev.filter((r) => r.loadMs !== sustained.loadMs || r.minutes !== sustained.minutes), sustained].sort((a, b) => b.loadMs - a.loadMs);
  writeFileSync(file, JSON.stringify({ board: run.board, machine: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`, keptUpIf: `the bill out within ${KEEP_UP_BILL_MS / 1000} s of the period's end`, picoFactor: PICO_FACTOR, runs }, null, 2) + '\n');
  writeFileSync(file.replace(/\.json$/, '.svg'), sustainedSvg(runs));
  console.log(`\nwrote ${file} and its .svg`);
} else if (args.save && boardKind !== 'port') {
  mkdirSync(RESULTS, { recursive: true });
  const file = resultsFile(boardKind);
  const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`;
  const estimate = pico ? { picoFactor: PICO_FACTOR, picoMedianSeconds: Object.fromEntries(rows.map((r) => [r.op, (r.median * PICO_FACTOR) / 1e6])) } : null;
  writeFileSync(file, JSON.stringify({ board: run.board, machine, date: new Date().toISOString(), loadAverage: loadavg(), targets: pico ? targets : null, hostReferenceMicros: reference, engineMicros: engine ?? null, memory: run.memory, estimate, operations: rows, samples: groups }, null, 2) + '\n');
  writeFileSync(file.replace(/\.json$/, '.svg'), svg(run.board, groups, rows));
  console.log(`\nwrote ${file} and its .svg`);
} else if (!args.save) console.log('\n(not saved: --save writes bench/results/)');
