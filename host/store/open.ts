// Opens the store named by a location string, as given on a command line or in an environment
// variable: a postgres:// (or postgresql://) URL, or a SQLite file path (optionally `sqlite:path`).
import type { Logger } from '../mint/log.ts';
import type { Db } from './db.ts';
import { StoreError } from './db.ts';
import { openPostgres } from './postgres.ts';
import { openSqlite } from './sqlite.ts';

export async function openStore(location: string): Promise<Db> {
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
  return openSqlite(path);
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
    return await openStore(location);
  } catch (err) {
    log.error('cannot open store', { store: describeLocation(location), error: (err as Error).message });
    return undefined;
  }
}
