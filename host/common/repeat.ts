// A warning about a condition that persists (a port that cannot be opened, a UC that cannot be
// reached): said at once, then again only at growing intervals with how often it recurred, and
// once more in its own words when it clears. A daemon that retries every second must not print
// the same line every second.
import type { Logger } from './log.ts';

export interface RepeatOptions {
  /** First repeat of an unchanged warning after this long; each later one waits twice as long. */
  readonly firstRepeatMs?: number;
  /** Longest wait between repeats. */
  readonly maxRepeatMs?: number;
  readonly now?: () => number;
}

export class RepeatedWarning {
  private current: string | undefined;
  private count = 0;
  private since = 0;
  private nextAt = 0;
  private gap = 0;
  private readonly now: () => number;

  constructor(private readonly log: Logger, private readonly o: RepeatOptions = {}) {
    this.now = o.now ?? Date.now;
  }

  /** The condition holds (again): logged if new or changed, else only when its repeat is due. */
  warn(message: string, fields?: Record<string, unknown>): void {
    const t = this.now();
    if (message !== this.current) {
      this.current = message;
      this.count = 1;
      this.since = t;
      this.gap = this.o.firstRepeatMs ?? 30_000;
      this.nextAt = t + this.gap;
      this.log.warn(message, fields);
      return;
    }
    this.count++;
    if (t < this.nextAt) return;
    this.gap = Math.min(this.gap * 2, this.o.maxRepeatMs ?? 600_000);
    this.nextAt = t + this.gap;
    this.log.warn(message, { ...fields, still: `${this.count} times since ${new Date(this.since).toISOString()}` });
  }

  /** The condition cleared: says so once (only if it had been warned about). */
  clear(message: string, fields?: Record<string, unknown>): void {
    if (this.current === undefined) return;
    this.current = undefined;
    this.log.info(message, fields);
  }

  get active(): string | undefined {
    return this.current;
  }
}
