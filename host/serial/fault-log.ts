// Link faults into a log without flooding it: a hostile or broken line can produce a fault every
// few bytes (a megabyte of markers is a quarter of a million). The first BURST faults of each kind
// in a window are logged as they come; the rest are counted, and one line per window (or at
// flush) says how many of each were left out.
import type { Logger } from '../common/log.ts';
import type { LinkFault } from './records.ts';

const BURST = 5;
const WINDOW_MS = 10_000;

export interface FaultLog {
  fault(f: LinkFault): void;
  /** Logs the count of faults left out so far, if any. */
  flush(): void;
}

export function faultLog(log: Logger, message: string, now: () => number = Date.now): FaultLog {
  let windowStart = now();
  const logged = new Map<string, number>();
  const suppressed = new Map<string, number>();
  const flush = (): void => {
    if (suppressed.size) {
      const total = [...suppressed.values()].reduce((a, b) => a + b, 0);
      log.warn(`${message}: more of the same not logged`, { count: total, kinds: [...suppressed].map(([k, n]) => `${k}:${n}`).join(',') });
    }
    suppressed.clear();
    logged.clear();
    windowStart = now();
  };
  return {
    fault(f) {
      if (now() - windowStart >= WINDOW_MS) flush();
      const kind = `${f.layer}/${f.layer === 'frame' ? f.fault : f.code}`;
      const n = logged.get(kind) ?? 0;
      if (n < BURST) {
        logged.set(kind, n + 1);
        log.warn(message, { layer: f.layer, kind: f.layer === 'frame' ? f.fault : f.code, detail: f.detail });
      } else {
        suppressed.set(kind, (suppressed.get(kind) ?? 0) + 1);
      }
    },
    flush,
  };
}
