// The board's own timing records (measured with its clock), summarised per operation.
import type { MeterRecord, TimingRecord } from '../records/decode.ts';

export interface OpStats {
  readonly n: number;
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly maxMs: number;
}

function stats(micros: number[]): OpStats {
  const s = [...micros].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))]! / 1000;
  return { n: s.length, medianMs: at(0.5), p95Ms: at(0.95), maxMs: s[s.length - 1]! / 1000 };
}

export function boardTimings(records: readonly MeterRecord[]): Map<TimingRecord['op'], OpStats> {
  const by = new Map<TimingRecord['op'], number[]>();
  for (const r of records) if (r.kind === 'timing') by.set(r.op, [...(by.get(r.op) ?? []), r.micros]);
  return new Map([...by].map(([op, v]) => [op, stats(v)]));
}

export function formatOp(s: OpStats | undefined): string {
  if (!s) return 'no record';
  return s.n === 1 ? `${s.medianMs.toFixed(1)} ms` : `median ${s.medianMs.toFixed(1)} ms, p95 ${s.p95Ms.toFixed(1)} ms, max ${s.maxMs.toFixed(1)} ms (${s.n} records)`;
}
