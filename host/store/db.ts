// The one store interface every Sipster service talks to. Two implementations: SQLite files
// (sqlite.ts) and PostgreSQL (postgres.ts). SQL is written once, with `?` placeholders and the
// portable subset both engines share (ON CONFLICT DO NOTHING, RETURNING, BLOB/BIGINT columns);
// each implementation adapts placeholders and column types.

/** A value bound to a placeholder: text, integer (safe range), bytes or NULL. */
export type SqlValue = string | number | Uint8Array | null;

/** Something that runs statements: the database itself, or one open transaction. */
export interface Sql {
  /** Rows of a SELECT or of a statement with RETURNING. Bytes come back as Uint8Array (Buffer). */
  all<R extends object>(sql: string, params?: readonly SqlValue[]): Promise<R[]>;
  /** Runs a statement; resolves to the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

export type DbKind = 'sqlite' | 'postgres';

export interface Db extends Sql {
  readonly kind: DbKind;
  /**
   * Runs `fn` in one transaction: committed if `fn` resolves, rolled back if it throws (the error
   * is rethrown). Every multi-step change of every service goes through here.
   */
  tx<T>(fn: (q: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A named schema: DDL statements in the portable dialect, applied once per version. */
export interface Schema {
  readonly name: string;
  readonly version: number;
  readonly statements: readonly string[];
}

/** Typed failure of the storage layer (bad URL, unreachable server, schema too new, no such store). */
export class StoreError extends Error {
  constructor(
    readonly code: 'bad-location' | 'unavailable' | 'schema-mismatch' | 'missing',
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

/**
 * Serializes the transaction `q` of `db` with every other one that takes the same `key`, in any
 * process, until it ends: for check-then-create steps that several processes may run at once
 * on a new store (`uc serve` on several machines). PostgreSQL: an advisory transaction lock;
 * SQLite: nothing to do, its write transactions are serialized by the file's write lock.
 */
export async function serializeTx(db: Db, q: Sql, key: number): Promise<void> {
  if (db.kind === 'postgres') await q.all('SELECT pg_advisory_xact_lock(?::bigint) AS locked', [key]);
}

/** Lock keys of serializeTx (any fixed numbers; ASCII of a word). */
export const TxLock = { migrate: 0x6d696772, mintKeyset: 0x6d696e74 } as const;

/** Creates the schema's tables if this database has not got them yet; refuses a newer version. */
export async function migrate(db: Db, schema: Schema): Promise<void> {
  await db.tx(async (q) => {
    await serializeTx(db, q, TxLock.migrate);
    await q.run('CREATE TABLE IF NOT EXISTS sipster_schema (name TEXT PRIMARY KEY, version BIGINT NOT NULL)');
    const rows = await q.all<{ version: number }>('SELECT version FROM sipster_schema WHERE name = ?', [schema.name]);
    const have = rows[0]?.version;
    if (have === schema.version) return;
    if (have !== undefined) {
      throw new StoreError('schema-mismatch', `store holds schema ${schema.name} v${have}, this program knows v${schema.version}`);
    }
    for (const statement of schema.statements) await q.run(statement);
    await q.run('INSERT INTO sipster_schema (name, version) VALUES (?, ?) ON CONFLICT DO NOTHING', [schema.name, schema.version]);
  });
}
