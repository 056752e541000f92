// Opens the store named by a location string, as given on a command line or in an environment
// variable: a postgres:// (or postgresql://) URL, or a SQLite file path (optionally `sqlite:path`).
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
