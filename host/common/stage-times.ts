// Wall-clock time per stage of a service's hot path, for the benchmark's breakdown (the UC's pay:
// HTTP in, validation, coin check, hash_to_curve, evaluation, proof, storage commit, response).
// On only when SIPSTER_STAGE_TIMES names a directory: each process then writes
// <dir>/stages-<pid>.json at exit ({stage: {n, ms}} and the process's CPU time). Off, a lap costs
// one branch.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.SIPSTER_STAGE_TIMES;
const totals = new Map<string, { n: number; ms: number }>();

export interface StageTotals {
  readonly pid: number;
  readonly cpuMs: number;
  readonly stages: Record<string, { n: number; ms: number }>;
}

if (dir) {
  process.once('exit', () => {
    const cpu = process.cpuUsage();
    const out: StageTotals = { pid: process.pid, cpuMs: (cpu.user + cpu.system) / 1000, stages: Object.fromEntries(totals) };
    writeFileSync(join(dir, `stages-${process.pid}.json`), JSON.stringify(out));
  });
}

/** A start time for `stage` (0 when timing is off). */
export function stageStart(): number {
  return dir ? performance.now() : 0;
}

/** Adds the time since `t0` to `stage`; returns now, the next stage's start. */
export function stageEnd(stage: string, t0: number): number {
  if (!dir) return 0;
  const now = performance.now();
  const s = totals.get(stage);
  if (s) {
    s.n++;
    s.ms += now - t0;
  } else {
    totals.set(stage, { n: 1, ms: now - t0 });
  }
  return now;
}
