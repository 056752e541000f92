/**
 * What every benchmark shares, so that a run reads the same whichever one it is:
 *   - flags: `--save` writes bench/results/ (a plain run leaves the checkout clean), `--check`
 *     exits 1 when a target is missed (a plain run reports it and exits 0); the bench's own
 *     flags are passed through (`benchFlags`);
 *   - progress on one redrawn line on a terminal (a line every 30 s elsewhere), cleared before
 *     any table;
 *   - tables that fit in 100 columns;
 *   - targets recorded as they are measured and summed up at the end (`finish`);
 *   - saved results that say which machine (and which board) they came from.
 *
 *   const bench = new Bench('protocol');
 *   bench.progress('P-256 TokenGen 10');
 *   bench.table(['op', 'ms'], rows);
 *   bench.target('issue receipt, P-256 (median ms)', 0.8, { max: 1.0 });
 *   bench.save({ 'protocol.json': result, 'protocol.svg': svgText }, { board: 'none (host)' });
 *   bench.finish();
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';

export const RESULTS_DIR = join(import.meta.dirname, 'results');
export const WIDTH = 100;

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * --save and --check (also as SIPSTER_BENCH_SAVE=1 / SIPSTER_BENCH_CHECK=1, which `npm run bench`
 * sets for every bench it runs), plus the bench's own `options`; an unknown flag exits 2.
 */
export function benchFlags<const O extends Options>(options: O = {} as O, argv = process.argv.slice(2)) {
  try {
    const values = parseArgs({ args: argv, options: { ...options, save: { type: 'boolean' }, check: { type: 'boolean' } }, strict: true, allowPositionals: false }).values;
    const fromEnv = { ...(process.env.SIPSTER_BENCH_SAVE === '1' && { save: true }), ...(process.env.SIPSTER_BENCH_CHECK === '1' && { check: true }) };
    return { ...values, ...fromEnv } as typeof values & { save?: boolean; check?: boolean };
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message.split('\n')[0]}\n`);
    process.exit(2);
  }
}

/** The machine a result came from: enough to compare two runs, or to distrust one. */
export function machine(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadAverage: os.loadavg().map((x) => Number(x.toFixed(2))),
    at: new Date().toISOString(),
  };
}

export interface Target {
  readonly name: string;
  readonly value: number;
  readonly max?: number;
  readonly min?: number;
  readonly met: boolean;
}

export class Bench {
  readonly saving: boolean;
  readonly check: boolean;
  private readonly targets: Target[] = [];
  private readonly tty = Boolean(process.stderr.isTTY) && !process.env.CI;
  private shown = 0;
  private lastLineAt = 0;

  constructor(readonly name: string, flags: { save?: boolean; check?: boolean } = benchFlags()) {
    this.saving = flags.save === true;
    this.check = flags.check === true;
  }

  /** What is being measured now: one line, redrawn (on a pipe: at most one line every 30 s). */
  progress(message: string): void {
    if (this.tty) {
      const text = message.length > WIDTH - 1 ? `${message.slice(0, WIDTH - 2)}…` : message;
      process.stderr.write(`\r${text.padEnd(this.shown)}`);
      this.shown = text.length;
      return;
    }
    const now = performance.now();
    if (now - this.lastLineAt < 30_000) return;
    this.lastLineAt = now;
    process.stderr.write(`  … ${message}\n`);
  }

  /** Clears the progress line (before printing anything else). */
  clearProgress(): void {
    if (this.tty && this.shown > 0) process.stderr.write(`\r${' '.repeat(this.shown)}\r`);
    this.shown = 0;
  }

  /** Prints lines of text, each cut to the width. */
  say(...lines: string[]): void {
    this.clearProgress();
    for (const l of lines.join('\n').split('\n')) process.stdout.write(`${fit(l)}\n`);
  }

  /** A table: first column left-aligned, the others right-aligned, at most WIDTH columns wide. */
  table(head: string[], body: string[][]): void {
    this.say(formatTable(head, body));
  }

  /** A target, recorded for the summary (`max`: at most, `min`: at least). */
  target(name: string, value: number, bound: { max?: number; min?: number }): Target {
    const met = (bound.max === undefined || value <= bound.max) && (bound.min === undefined || value >= bound.min);
    const t: Target = { name, value, ...bound, met };
    this.targets.push(t);
    return t;
  }

  /**
   * Writes bench/results/<file> for each entry, only with --save. A JSON object gets the machine
   * and the board it was measured on (`board`: what ran the code, e.g. 'none (host only)').
   */
  save(files: Record<string, object | string>, meta: { board: string }): void {
    const names = Object.keys(files);
    if (!this.saving) {
      this.say(`not saved (\`npm run bench -- ${this.name} --save\` writes ${names.map((n) => `bench/results/${n}`).join(', ')})`);
      return;
    }
    mkdirSync(RESULTS_DIR, { recursive: true });
    for (const [file, content] of Object.entries(files)) {
      const text = typeof content === 'string' ? content : `${JSON.stringify({ machine: machine(), board: meta.board, targets: this.targets, ...content }, null, 2)}\n`;
      writeFileSync(join(RESULTS_DIR, file), text);
    }
    this.say(`wrote ${names.map((n) => `bench/results/${n}`).join(', ')}`);
  }

  /** The targets' summary; exits 1 if one was missed and --check was given, else 0. */
  finish(): never {
    const missed = this.targets.filter((t) => !t.met);
    const seconds = process.uptime().toFixed(0);
    if (this.targets.length) {
      this.say(`targets: ${this.targets.length - missed.length}/${this.targets.length} met${missed.length ? `; MISSED: ${missed.map((t) => `${t.name} ${fmtNumber(t.value)} (${t.max !== undefined ? `≤ ${t.max}` : `≥ ${t.min}`})`).join('; ')}` : ''}`);
    }
    this.say(`${this.name}: done in ${seconds} s${missed.length && !this.check ? ' (targets missed: exit 0 without --check)' : ''}`);
    process.exit(missed.length && this.check ? 1 : 0);
  }
}

function fit(line: string): string {
  return line.length > WIDTH ? `${line.slice(0, WIDTH - 1)}…` : line;
}

export function fmtNumber(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3);
}

/** Columns padded to their widest cell; the first column is shortened if the table is too wide. */
export function formatTable(head: string[], body: string[][]): string {
  const rows = [head, ...body];
  const widths = head.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const total = widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  if (total > WIDTH) widths[0] = Math.max(8, widths[0]! - (total - WIDTH));
  const cell = (c: string, i: number): string => {
    const w = widths[i]!;
    const t = c.length > w ? `${c.slice(0, w - 1)}…` : c;
    return i === 0 ? t.padEnd(w) : t.padStart(w);
  };
  const line = (r: string[]): string => r.map(cell).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
