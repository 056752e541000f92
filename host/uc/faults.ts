// Fault injection for crash tests: SIPSTER_UC_FAULT="point" or "point@N" makes the UC process
// SIGKILL itself the N-th time (default first) it reaches that point of a pay or a settle, so a
// test can check what a crash at exactly that instant leaves behind. Unset: no effect.
export const FAULT_POINTS = [
  'pay:before-tx',
  'pay:after-claim',
  'pay:after-spend',
  'pay:after-commit',
  'settle:before-tx',
  'settle:after-record',
  'settle:after-commit',
] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];

export type FaultHook = (point: FaultPoint) => void;

export const noFaults: FaultHook = () => undefined;

export function faultHookFromEnv(env: NodeJS.ProcessEnv = process.env): FaultHook {
  const spec = env.SIPSTER_UC_FAULT;
  if (!spec) return noFaults;
  const [point, nth] = spec.split('@');
  if (!(FAULT_POINTS as readonly string[]).includes(point!)) throw new Error(`SIPSTER_UC_FAULT: unknown fault point ${point}`);
  let remaining = nth === undefined ? 1 : Number(nth);
  if (!Number.isSafeInteger(remaining) || remaining < 1) throw new Error('SIPSTER_UC_FAULT: N must be a positive integer');
  return (at) => {
    if (at === point && --remaining === 0) process.kill(process.pid, 'SIGKILL');
  };
}
