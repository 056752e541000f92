// Named steps with clear failures, and everything started torn down on exit, error or Ctrl-C.
export class StepError extends Error {
  constructor(readonly step: string, cause: unknown) {
    super(`${step} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

export class Steps {
  private readonly cleanups: { what: string; fn: () => Promise<void> }[] = [];
  private readonly t0 = performance.now();
  readonly times = new Map<string, number>();

  constructor(private readonly say: (line: string) => void) {}

  /** Runs `fn` as step `name`, timing it; any error becomes a StepError naming the step. */
  async run<T>(name: string, fn: () => Promise<T>): Promise<T> {
    this.say(`▸ ${name}`);
    const t0 = performance.now();
    try {
      return await fn();
    } catch (err) {
      throw err instanceof StepError ? err : new StepError(name, err);
    } finally {
      this.times.set(name, performance.now() - t0);
    }
  }

  /** Registers something to stop on exit (stopped last-started first). */
  defer(what: string, fn: () => Promise<void>): void {
    this.cleanups.push({ what, fn });
  }

  get elapsedMs(): number {
    return performance.now() - this.t0;
  }

  /** Stops everything registered; a failing stop is reported, the others still run. */
  async close(): Promise<void> {
    for (const c of this.cleanups.splice(0).reverse()) {
      try {
        await c.fn();
      } catch (err) {
        this.say(`  (stopping ${c.what}: ${(err as Error).message})`);
      }
    }
  }
}

/**
 * Runs a demo's steps with its output on stdout: an error is one line on stderr and exit 1, and
 * everything started is stopped on return, error, SIGINT or SIGTERM.
 */
export async function runSteps(body: (steps: Steps, say: (line: string) => void) => Promise<number>, toStderr = false): Promise<number> {
  // With --json the steps go to stderr: stdout holds only the summary object.
  const say = (line: string): void => void (toStderr ? process.stderr : process.stdout).write(line + '\n');
  const steps = new Steps(say);
  const onSignal = (sig: NodeJS.Signals): void => {
    say(`\n${sig}: stopping everything started ...`);
    void steps.close().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await body(steps, say);
  } catch (err) {
    process.stderr.write(`\nsipster demo: ${(err as Error).message}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await steps.close();
  }
}

/** Resolves when `done()` holds (re-checked on every `poke()`), rejects when it throws or after `timeoutMs`. */
export class Condition {
  private waiters: (() => void)[] = [];

  poke(): void {
    for (const w of [...this.waiters]) w();
  }

  wait(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const finish = (err?: unknown): void => {
        clearTimeout(t);
        this.waiters = this.waiters.filter((x) => x !== check);
        if (err === undefined) resolve();
        else reject(err instanceof Error ? err : new Error(String(err)));
      };
      const check = (): void => {
        try {
          if (done()) finish();
        } catch (err) {
          finish(err);
        }
      };
      const t = setTimeout(() => finish(new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`)), timeoutMs);
      this.waiters.push(check);
      check();
    });
  }
}
