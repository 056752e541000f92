// Opens the store named by a location string, as given on a command line or in an environment
// variable: a postgres:// (or postgresql://) URL, or a SQLite file path (optionally `sqlite:path`).
// Only the commands that start a service create a store; every other one opens an existing store
// that holds the schema it needs (openExistingStore), so that a mistyped location is an error
// and not a second, empty store.
import { existsSync } from 'node:fs';
import type { Logger } from '../common/log.ts';
import type { Db } from './db.ts';
import { StoreError } from './db.ts';
import { securePrivateFile } from './file-mode.ts';
import { openPostgres } from './postgres.ts';
import { openSqlite } from './sqlite.ts';

/**
 * A SQLite file is made private to its owner first (host/store/file-mode.ts); `log` hears about
 * any file whose mode had to be narrowed.
 */
export async function openStore(location: string, log?: Logger): Promise<Db> {
  if (typeof location !== 'string' || location.trim() === '') {
    throw new StoreError('bad-location', 'store location is empty (give a SQLite file path or a postgres:// URL)');
  }
  if (/^postgres(ql)?:\/\//.test(location)) {
    try {
      new URL(location);
    } catch {
      throw new StoreError('bad-location', 'malformed PostgreSQL URL');
    }
    return openPostgres(location);
  }
  const path = location.startsWith('sqlite:') ? location.slice('sqlite:'.length) : location;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    throw new StoreError('bad-location', `unsupported store URL scheme in ${JSON.stringify(location.split(':')[0])}`);
  }
  if (path !== ':memory:') {
    securePrivateFile(path, (file, was) =>
      (log?.warn ?? ((m: string) => process.stderr.write(`${m}\n`)))(`store file ${file} was readable by other users (mode ${was}); changed to 600. Its secrets may have been read: rotate them if others had access`, { file, was }),
    );
  }
  return openSqlite(path);
}

/**
 * Opens a store that already holds `schema` (created by the service that owns it); creates
 * nothing. A missing SQLite file, or a store without that schema, is a StoreError 'missing'.
 */
export async function openExistingStore(location: string, schema: string): Promise<Db> {
  const path = /^postgres(ql)?:\/\//.test(location) ? undefined : location.replace(/^sqlite:/, '');
  if (path !== undefined && path !== '' && !existsSync(path)) throw new StoreError('missing', `no such file ${path}`);
  const db = await openStore(location);
  let rows: { version: number }[] = [];
  try {
    rows = await db.all<{ version: number }>('SELECT version FROM sipster_schema WHERE name = ?', [schema]);
  } catch {
    // no sipster_schema table: not a Sipster store (or an empty one)
  }
  if (rows.length === 0) {
    await db.close();
    throw new StoreError('missing', `${describeLocation(location)} holds no ${schema} store`);
  }
  return db;
}

/** For logs: the location without any password. */
export function describeLocation(location: string): string {
  if (!/^postgres(ql)?:\/\//.test(location)) return `SQLite ${location.replace(/^sqlite:/, '')}`;
  try {
    const u = new URL(location);
    if (u.password) u.password = '***';
    return `PostgreSQL ${u.toString()}`;
  } catch {
    return 'PostgreSQL (malformed URL)';
  }
}

/** openStore for a command: a store that cannot be opened is logged (without any password) and gives undefined. */
export async function openStoreOrLog(location: string, log: Logger): Promise<Db | undefined> {
  try {
    return await openStore(location, log);
  } catch (err) {
    log.error('cannot open store', { store: describeLocation(location), error: (err as Error).message });
    return undefined;
  }
}
