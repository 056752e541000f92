// A throwaway PostgreSQL server for tests and benchmarks: initdb + pg_ctl from Debian's
// `postgresql` package (/usr/lib/postgresql/<version>/bin), data in a fresh temp dir, listening
// on a free loopback port only, trust auth, fsync off (a killed *client* process must lose
// nothing, which does not need fsync; the server itself is never crashed here).
//
// initdb and postgres refuse to run as root, and CI runs as root: then both run as the
// `postgres` system user that the Debian package creates (`runuser -u postgres --`).
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PostgresServer {
  /** postgres://sipster@127.0.0.1:PORT/sipster */
  readonly url: string;
  stop(): Promise<void>;
}

/** Directory holding initdb/pg_ctl: $SIPSTER_PG_BIN, else the newest /usr/lib/postgresql/N/bin. */
export function findPostgresBin(): string | null {
  const fromEnv = process.env.SIPSTER_PG_BIN;
  if (fromEnv) return existsSync(join(fromEnv, 'initdb')) ? fromEnv : null;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')) && existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(root, versions[0]!, 'bin') : null;
}

/**
 * True when PostgreSQL tests should run. Without binaries they are skipped locally, but under
 * CI=true a missing server is a failure, never a silent skip: the caller's test then throws.
 */
export function postgresTestsEnabled(): boolean {
  return findPostgresBin() !== null || process.env.CI === 'true';
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function runAs(user: string | null, bin: string, args: string[]): void {
  const [cmd, argv] = user ? ['runuser', ['-u', user, '--', bin, ...args]] : [bin, args];
  const res = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 60_000 });
  if (res.status !== 0) {
    throw new Error(`${[cmd, ...argv].join(' ')} failed (${res.status ?? res.signal ?? res.error?.message}):\n${res.stdout}\n${res.stderr}`);
  }
}

function postgresUser(): { name: string; uid: number; gid: number } {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { name: 'postgres', uid, gid };
  } catch {
    throw new Error('running as root, but there is no `postgres` system user to run the test server as (apt-get install postgresql creates it; .ci/run makes sure it exists)');
  }
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = findPostgresBin();
  if (!bin) {
    throw new Error('PostgreSQL server binaries not found (apt-get install postgresql, or set SIPSTER_PG_BIN)');
  }
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? postgresUser() : null;
  const dir = mkdtempSync(join(tmpdir(), 'sipster-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const ctl = join(bin, 'pg_ctl');
  try {
    runAs(user?.name ?? null, join(bin, 'initdb'), ['-D', data, '-U', 'sipster', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  let port = 0;
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    const opts = `-F -p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=32MB`;
    try {
      runAs(user?.name ?? null, ctl, ['-D', data, '-l', join(dir, 'log'), '-o', opts, '-w', '-t', '60', 'start']);
      break;
    } catch (err) {
      if (attempt >= 2) {
        rmSync(dir, { recursive: true, force: true });
        throw err;
      }
    }
  }
  let stopped = false;
  const stopNow = (): void => {
    if (stopped) return;
    stopped = true;
    spawnSync(user ? 'runuser' : ctl, user ? ['-u', user.name, '--', ctl, '-D', data, '-m', 'immediate', 'stop'] : ['-D', data, '-m', 'immediate', 'stop'], { timeout: 30_000 });
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stopNow);
  runAs(user?.name ?? null, join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'sipster', 'sipster']);
  return {
    url: `postgres://sipster@127.0.0.1:${port}/sipster`,
    async stop() {
      process.removeListener('exit', stopNow);
      stopNow();
    },
  };
}
