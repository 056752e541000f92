// A SQLite store holds secrets (the UC's log signing key and epoch secrets, the mint's keys, a
// wallet's seed and spendable coins), so only its owner may read it: the file is created 0600
// before SQLite opens it (SQLite gives its -wal, -shm and -journal files the database file's
// mode), in a directory created 0700 when it does not exist yet. An existing store that others
// can read is fixed loudly; one owned by another user, or in a directory every user may write
// to (they could swap the files), is refused.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { StoreError } from './db.ts';

const COMPANIONS = ['', '-wal', '-shm', '-journal'];
const S_ISVTX = 0o1000;

const octal = (mode: number): string => (mode & 0o7777).toString(8).padStart(3, '0');

/**
 * Prepares `path` for SQLite: creates its directory (0700) and the empty file (0600) if missing,
 * narrows the mode of an existing store and its companion files to 0600 (calling `fixed` for
 * each, to be logged), and throws a StoreError where no mode change can make it private.
 */
export function securePrivateFile(path: string, fixed: (file: string, was: string) => void): void {
  const dir = dirname(resolve(path));
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  const d = statSync(dir);
  if ((d.mode & 0o002) !== 0 && (d.mode & S_ISVTX) === 0) {
    throw new StoreError('unavailable', `store directory ${dir} is writable by every user (mode ${octal(d.mode)}): they could replace the store; use a directory only you can write to`);
  }
  const uid = process.getuid?.();
  if (!existsSync(path)) closeSync(openSync(path, 'wx', 0o600));
  for (const suffix of COMPANIONS) {
    const file = path + suffix;
    if (!existsSync(file)) continue;
    const st = statSync(file);
    if (uid !== undefined && st.uid !== uid) throw new StoreError('unavailable', `store file ${file} belongs to another user (uid ${st.uid})`);
    if ((st.mode & 0o077) !== 0) {
      chmodSync(file, 0o600);
      fixed(file, octal(st.mode));
    }
  }
}
