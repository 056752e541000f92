// Test fixtures shared by the mint's tests: a store of either kind, and a mint served over
// real loopback HTTP.
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Db } from '../../store/db.ts';
import { openStore } from '../../store/open.ts';
import { postgresTestsEnabled, startPostgres } from '../../store/testing/postgres-server.ts';
import { TestPaymentBackend } from '../backend.ts';
import { close, listen } from '../http.ts';
import { silentLogger } from '../../common/log.ts';
import { Mint, type MintOptions } from '../mint.ts';
import { createMintServer } from '../server.ts';

export interface StoreFixture {
  readonly kind: 'sqlite' | 'postgres';
  readonly enabled: boolean;
  /** A fresh, empty store location (file path or URL). */
  location(): Promise<string>;
  cleanup(): Promise<void>;
}

export function storeFixtures(): StoreFixture[] {
  let dir = '';
  let n = 0;
  let pg: Awaited<ReturnType<typeof startPostgres>> | undefined;
  let dbCount = 0;
  return [
    {
      kind: 'sqlite',
      enabled: true,
      async location() {
        dir ||= mkdtempSync(join(tmpdir(), 'sipster-mint-'));
        return join(dir, `store-${++n}.sqlite`);
      },
      async cleanup() {
        if (dir) rmSync(dir, { recursive: true, force: true });
      },
    },
    {
      kind: 'postgres',
      enabled: postgresTestsEnabled(),
      async location() {
        pg ??= await startPostgres();
        // One database per location, so fixtures never share tables.
        const name = `t${++dbCount}`;
        const admin = await openStore(pg.url);
        await admin.run(`CREATE DATABASE ${name}`);
        await admin.close();
        return pg.url.replace(/\/sipster$/, `/${name}`);
      },
      async cleanup() {
        await pg?.stop();
      },
    },
  ];
}

export interface RunningMint {
  readonly url: string;
  readonly mint: Mint;
  readonly db: Db;
  readonly backend: TestPaymentBackend;
  stop(): Promise<void>;
}

export async function serveMint(location: string, options: MintOptions & { autoPay?: boolean } = {}): Promise<RunningMint> {
  const db = await openStore(location);
  const backend = new TestPaymentBackend(options.autoPay ?? true);
  const mint = await Mint.open(db, backend, options);
  const server: Server = createMintServer(mint, silentLogger);
  const port = await listen(server, 0);
  return {
    url: `http://127.0.0.1:${port}`,
    mint,
    db,
    backend,
    async stop() {
      await close(server);
      await db.close();
    },
  };
}
