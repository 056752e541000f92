// SQLite-file implementation of the store: one better-sqlite3 connection per process, WAL
// journal (readers never block the writer, and other processes may open the same file),
// synchronous=FULL so a committed receipt or spent proof survives a power cut, not only a crash.
//
// better-sqlite3 is synchronous, but a transaction's callback is async (it may await crypto or
// other services' code). An async mutex therefore serializes work on the connection: while one
// transaction is open, no other statement of this process can slip into it. Transactions that
// queue up meanwhile are committed together (group commit), one fsync for all of them.
import Database from 'better-sqlite3';
import type { Db, Sql, SqlValue } from './db.ts';
import { StoreError } from './db.ts';
import { stageEnd, stageStart } from '../common/stage-times.ts';

export interface SqliteOptions {
  /** 'FULL' (default) or 'NORMAL' (WAL: a power cut may lose the last commits, a crash never). */
  synchronous?: 'FULL' | 'NORMAL';
}

type Statement = Database.Statement<unknown[], unknown>;

interface PendingTx {
  fn: (q: Sql) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

/** Most transactions one commit may carry (bounds the latency a group adds). */
const MAX_GROUP = 256;

class SqliteDb implements Db {
  readonly kind = 'sqlite' as const;
  private readonly statements = new Map<string, Statement>();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly pending: PendingTx[] = [];
  private commitCount = 0;

  private readonly readerStatements = new Map<string, Statement | null>();

  constructor(
    private readonly conn: Database.Database,
    private readonly reader: Database.Database,
  ) {}

  all<R extends object>(sql: string, params: readonly SqlValue[] = []): Promise<R[]> {
    if (this.closed) return Promise.reject(new StoreError('unavailable', 'store is closed'));
    // A read outside any transaction goes to the reader connection at once: WAL lets it see the
    // last committed state without waiting for a group commit (and its fsync) in progress.
    try {
      const stmt = this.readerStatement(sql);
      if (stmt) return Promise.resolve(stmt.all(...params) as R[]);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.exclusive(async () => this.allNow<R>(sql, params));
  }

  /** The statement prepared on the reader connection, or null if it writes (then it needs the writer). */
  private readerStatement(sql: string): Statement | null {
    let stmt = this.readerStatements.get(sql);
    if (stmt === undefined) {
      const candidate = this.reader.prepare(sql);
      stmt = candidate.readonly ? candidate : null;
      this.readerStatements.set(sql, stmt);
    }
    return stmt;
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.exclusive(async () => this.runNow(sql, params));
  }

  tx<T>(fn: (q: Sql) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new StoreError('unavailable', 'store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn, resolve, reject } as PendingTx);
      // The group opens after the current event-loop turn (setImmediate), not at once: requests
      // read in the same I/O phase do their CPU work (a pay: coin check and receipt, ~2 ms) and
      // join it, instead of each waiting for a commit (and fsync) of its own.
      if (this.pending.length === 1) setImmediate(() => void this.exclusive(() => this.commitGroup()));
    });
  }

  /** Commits so far (a group of transactions counts once); for tests of the grouping. */
  get commits(): number {
    return this.commitCount;
  }

  /**
   * Group commit: every transaction queued while the previous group ran goes into one SQLite
   * transaction, each in its own SAVEPOINT (a failing one rolls back alone, as if run by
   * itself), then one COMMIT, so one fsync serves the whole group. Results are handed out only
   * after that COMMIT: nothing is acknowledged before it is durable.
   */
  private async commitGroup(): Promise<void> {
    const group = this.pending.splice(0, MAX_GROUP);
    if (this.pending.length) void this.exclusive(() => this.commitGroup());
    // IMMEDIATE takes the write lock now, so a concurrent writer in another process waits
    // (busy_timeout) instead of failing at commit time.
    let t = stageStart();
    try {
      this.conn.exec('BEGIN IMMEDIATE');
      t = stageEnd('sqlite: BEGIN IMMEDIATE (lock wait)', t);
    } catch (err) {
      for (const t of group) t.reject(err);
      return;
    }
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      for (const t of group) {
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
        this.conn.exec('SAVEPOINT tx');
        try {
          const value = await t.fn(inner);
          this.conn.exec('RELEASE tx');
          outcomes.push({ ok: true, value });
        } catch (error) {
          // If SQLite itself abandoned the transaction, the outer catch fails the whole group.
          this.conn.exec('ROLLBACK TO tx');
          this.conn.exec('RELEASE tx');
          outcomes.push({ ok: false, error });
        } finally {
          open = false;
        }
      }
      t = stageEnd('sqlite: group body', t);
      this.conn.exec('COMMIT');
      stageEnd('sqlite: COMMIT (with its fsync)', t);
      this.commitCount++;
    } catch (err) {
      if (this.conn.inTransaction) this.conn.exec('ROLLBACK');
      for (const t of group) t.reject(err);
      return;
    }
    group.forEach((t, k) => {
      const o = outcomes[k]!;
      if (o.ok) t.resolve(o.value);
      else t.reject(o.error);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.catch(() => undefined);
    this.reader.close();
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
  let conn: Database.Database | undefined;
  try {
    conn = new Database(path);
    conn.pragma('journal_mode = WAL');
    conn.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    conn.pragma('busy_timeout = 10000');
    conn.pragma('foreign_keys = ON');
    const reader = new Database(path, { readonly: true, fileMustExist: true });
    reader.pragma('busy_timeout = 10000');
    reader.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    return new SqliteDb(conn, reader);
  } catch (err) {
    // A file that is not a database fails at the first pragma, not at the open.
    conn?.close();
    throw new StoreError('unavailable', `cannot open SQLite file ${path}: ${(err as Error).message}`);
  }
}
