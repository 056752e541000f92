// PostgreSQL implementation of the store, for a utility that outgrows one machine: a pg Pool,
// each transaction on its own pooled connection (READ COMMITTED; the services rely on primary
// keys and INSERT ... ON CONFLICT DO NOTHING, never on read-then-write, so that suffices).
import pg from 'pg';
import type { Db, Sql, SqlValue } from './db.ts';
import { StoreError } from './db.ts';

const INT8_OID = 20;

// BIGINT columns hold counters and millisecond timestamps, all below 2^53: hand them back as
// numbers, as SQLite does. Scoped to our pools, not set globally on the pg module.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as 'text');
  },
} as pg.CustomTypesConfig;

const placeholders = new Map<string, string>();

/** `?` → `$1, $2, …` (our statements never hold a `?` inside a literal). Portable DDL → PostgreSQL. */
function translate(sql: string): string {
  let out = placeholders.get(sql);
  if (out === undefined) {
    let n = 0;
    out = sql.replace(/\?/g, () => `$${++n}`).replace(/\bBLOB\b/g, 'BYTEA');
    placeholders.set(sql, out);
  }
  return out;
}

function bind(params: readonly SqlValue[]): unknown[] {
  return params.map((p) => (p instanceof Uint8Array && !Buffer.isBuffer(p) ? Buffer.from(p.buffer, p.byteOffset, p.byteLength) : p));
}

function onClient(client: pg.Pool | pg.PoolClient): Sql {
  return {
    async all<R extends object>(sql: string, params: readonly SqlValue[] = []) {
      const res = await client.query(translate(sql), bind(params));
      return res.rows as R[];
    },
    async run(sql: string, params: readonly SqlValue[] = []) {
      const res = await client.query(translate(sql), bind(params));
      return res.rowCount ?? 0;
    },
  };
}

class PostgresDb implements Db {
  readonly kind = 'postgres' as const;
  private readonly direct: Sql;

  constructor(private readonly pool: pg.Pool) {
    this.direct = onClient(pool);
  }

  all<R extends object>(sql: string, params?: readonly SqlValue[]): Promise<R[]> {
    return this.direct.all<R>(sql, params);
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.direct.run(sql, params);
  }

  async tx<T>(fn: (q: Sql) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await fn(onClient(client));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true; // connection lost mid-transaction: the server rolls back by itself
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

export interface PostgresOptions {
  /** Pool size (default 10). */
  max?: number;
}

/** Opens a pool on `url` (postgres://user@host:port/db) and checks the server answers. */
export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, types, connectionTimeoutMillis: 10_000 });
  // An idle pooled connection dropped by the server must not crash the process.
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new StoreError('unavailable', `cannot reach PostgreSQL: ${(err as Error).message}`);
  }
  return new PostgresDb(pool);
}
