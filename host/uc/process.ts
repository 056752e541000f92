// Runs `sipster uc serve` (optionally with a fault injected) or `sipster relay serve` as a real
// subprocess, for the crash tests, the benchmark and the demo.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const sipster = join(import.meta.dirname, '..', '..', 'bin', 'sipster.mjs');

export interface UcProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything it wrote to stderr so far (its log). */
  output(): string;
  /** Resolves with the exit signal or code once the process is gone. */
  readonly exited: Promise<string>;
  stop(): Promise<void>;
}

/** Every process started here is killed when the test process exits, even after a failure. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * `uc serve` on `db`. Its mint gives e-cash away (--payments test) unless `extraArgs` choose
 * another payment backend: these processes serve tests, benchmarks and the demo, never households.
 */
export async function startUcProcess(db: string, env: Record<string, string> = {}, extraArgs: string[] = [], nodeArgs: string[] = []): Promise<UcProcess> {
  const payments = extraArgs.includes('--payments') ? [] : ['--payments', 'test'];
  return startSipsterProcess(['uc', 'serve', '--db', db, '--port', '0', '--epochs-ahead', '0', ...payments, ...extraArgs], env, nodeArgs);
}

/**
 * `sipster ARGS` as a subprocess, once it logs `serving url=…` (any of the serve commands).
 * `nodeArgs` go to node itself (e.g. `--cpu-prof`; cluster workers inherit them).
 */
export async function startSipsterProcess(args: string[], env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<UcProcess> {
  const child = spawn(process.execPath, [...nodeArgs, sipster, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  running.add(child);
  let stderr = '';
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve(signal ?? `exit ${code}`);
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /serving url=(\S+)/.exec(stderr);
      if (m) resolve(m[1]!);
    });
    void exited.then((how) => reject(new Error(`sipster ${args.slice(0, 2).join(' ')} ended (${how}) before serving:\n${stderr}`)));
  });
  return {
    url,
    child,
    exited,
    output: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
