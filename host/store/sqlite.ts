// SQLite-file implementation of the store: one better-sqlite3 connection per process, WAL
// journal (readers never block the writer, and other processes may open the same file),
// synchronous=FULL so a committed receipt or spent proof survives a power cut, not only a crash.
//
// better-sqlite3 is synchronous, but a transaction's callback is async (it may await crypto or
// other services' code). An async mutex therefore serializes work on the connection: while one
// transaction is open, no other statement of this process can slip into it.
import Database from 'better-sqlite3';
import type { Db, Sql, SqlValue } from './db.ts';
import { StoreError } from './db.ts';

export interface SqliteOptions {
  /** 'FULL' (default) or 'NORMAL' (WAL: a power cut may lose the last commits, a crash never). */
  synchronous?: 'FULL' | 'NORMAL';
}

type Statement = Database.Statement<unknown[], unknown>;

class SqliteDb implements Db {
  readonly kind = 'sqlite' as const;
  private readonly statements = new Map<string, Statement>();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly conn: Database.Database) {}

  all<R extends object>(sql: string, params: readonly SqlValue[] = []): Promise<R[]> {
    return this.exclusive(async () => this.allNow<R>(sql, params));
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.exclusive(async () => this.runNow(sql, params));
  }

  tx<T>(fn: (q: Sql) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      // IMMEDIATE takes the write lock now, so a concurrent writer in another process waits
      // (busy_timeout) instead of failing at commit time.
      this.conn.exec('BEGIN IMMEDIATE');
      let open = true;
      const inner: Sql = {
        all: async <R extends object>(sql: string, params: readonly SqlValue[] = []) => {
          if (!open) throw new Error('transaction already finished');
          return this.allNow<R>(sql, params);
        },
        run: async (sql: string, params: readonly SqlValue[] = []) => {
          if (!open) throw new Error('transaction already finished');
          return this.runNow(sql, params);
        },
      };
      try {
        const result = await fn(inner);
        this.conn.exec('COMMIT');
        return result;
      } catch (err) {
        if (this.conn.inTransaction) this.conn.exec('ROLLBACK');
        throw err;
      } finally {
        open = false;
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.catch(() => undefined);
    this.conn.close();
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new StoreError('unavailable', 'store is closed'));
    const result = this.queue.then(work, work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private prepare(sql: string): Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.conn.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  private allNow<R>(sql: string, params: readonly SqlValue[]): R[] {
    return this.prepare(sql).all(...params) as R[];
  }

  private runNow(sql: string, params: readonly SqlValue[]): number {
    return this.prepare(sql).run(...params).changes;
  }
}

export function openSqlite(path: string, options: SqliteOptions = {}): Db {
  let conn: Database.Database;
  try {
    conn = new Database(path);
  } catch (err) {
    throw new StoreError('unavailable', `cannot open SQLite file ${path}: ${(err as Error).message}`);
  }
  conn.pragma('journal_mode = WAL');
  conn.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
  conn.pragma('busy_timeout = 10000');
  conn.pragma('foreign_keys = ON');
  return new SqliteDb(conn);
}
