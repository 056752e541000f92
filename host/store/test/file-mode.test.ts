// Store files hold secrets (issue 14, item 2): created 0600 with their -wal/-shm in a 0700
// directory, whatever the umask; an existing store readable by others is narrowed loudly; a
// world-writable directory is refused.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../common/log.ts';
import { openStore } from '../open.ts';

const dir = mkdtempSync(join(tmpdir(), 'sipster-modes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const mode = (p: string): string => (statSync(p).mode & 0o777).toString(8);

async function withUmask<T>(mask: number, fn: () => Promise<T>): Promise<T> {
  const old = process.umask(mask);
  try {
    return await fn();
  } finally {
    process.umask(old);
  }
}

describe('store file modes', () => {
  it('creates the store, its -wal and -shm 0600 in a new 0700 directory, even under umask 000', async () => {
    const path = join(dir, 'fresh', 'keys', 'uc.sqlite');
    await withUmask(0, async () => {
      const db = await openStore(path);
      await db.run('CREATE TABLE secret (k TEXT)');
      await db.run("INSERT INTO secret VALUES ('log signing key')");
      expect(existsSync(`${path}-wal`)).toBe(true);
      expect([mode(path), mode(`${path}-wal`), mode(`${path}-shm`)]).toEqual(['600', '600', '600']);
      await db.close();
    });
    expect(mode(join(dir, 'fresh', 'keys'))).toBe('700');
  });

  it('narrows an existing store readable by others to 0600 and says so', async () => {
    const path = join(dir, 'old.sqlite');
    await withUmask(0o022, async () => {
      const db = await openStore(path);
      await db.run('CREATE TABLE t (k TEXT)');
      await db.close();
    });
    chmodSync(path, 0o644); // as the stores were created before
    writeFileSync(`${path}-wal`, '');
    chmodSync(`${path}-wal`, 0o664);
    const lines: string[] = [];
    const db = await openStore(path, createLogger('wallet', 'info', (l) => lines.push(l)));
    await db.close();
    expect(mode(path)).toBe('600');
    expect(lines.filter((l) => /WARN .*was readable by other users \(mode (644|664)\); changed to 600/.test(l))).toHaveLength(2);
  });

  it('refuses a store in a directory every user can write to (without the sticky bit)', async () => {
    const open = join(dir, 'open-to-all');
    mkdirSync(open);
    chmodSync(open, 0o777);
    await expect(openStore(join(open, 'w.sqlite'))).rejects.toThrow(/writable by every user \(mode 777\)/);
    expect(existsSync(join(open, 'w.sqlite'))).toBe(false);
  });
});
