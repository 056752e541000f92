// `sipster uc serve --workers 2`: two processes on one port and one SQLite store. Pays spread
// over both stay exactly-once: every token one receipt, every coin spent once, and a coin raced
// through both workers is accepted once.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodePayRequest, toHex } from '../../protocol/index.ts';
import { openStore } from '../../store/open.ts';
import { UcClient, UcHttpError } from '../../wallet/uc-client.ts';
import { withdraw } from './helpers.ts';
import { startUcProcess } from '../process.ts';

const dir = mkdtempSync(join(tmpdir(), 'sipster-uc-workers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('uc serve --workers 2', () => {
  it('serves pays from both processes exactly once and stops cleanly', async () => {
    const location = join(dir, 'uc.sqlite');
    const proc = await startUcProcess(location, {}, ['--workers', '2', '--period-seconds', '3600', '--origin-unix', '0', '--epoch-length', '1000000']);
    try {
      const client = new UcClient({ ucUrl: proc.url });
      const coins = await withdraw(proc.url, 24);
      const rhos = coins.map(() => new Uint8Array(randomBytes(32)));
      const receipts = await Promise.all(coins.slice(0, 16).map((coin, k) => client.pay(encodePayRequest({ e: 0, rho: rhos[k]! }), coin)));
      expect(receipts.every((r) => !r.replay)).toBe(true);
      // The same requests again: the stored receipts, from whichever worker answers.
      const again = await Promise.all(coins.slice(0, 16).map((coin, k) => client.pay(encodePayRequest({ e: 0, rho: rhos[k]! }), coin)));
      expect(again.map((r) => toHex(r.receipt))).toEqual(receipts.map((r) => toHex(r.receipt)));
      // One coin raced for 8 different tokens over many connections: accepted once.
      const raced = await Promise.allSettled(rhos.slice(16).map((rho) => client.pay(encodePayRequest({ e: 0, rho }), coins[16]!)));
      expect(raced.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of raced) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(UcHttpError);
    } finally {
      await proc.stop();
    }
    expect(await proc.exited).toBe('exit 0');
    const db = await openStore(location);
    const [spent] = await db.all<{ n: number }>('SELECT COUNT(*) AS n FROM mint_spent');
    const [paid] = await db.all<{ n: number }>('SELECT COUNT(*) AS n FROM uc_paid');
    await db.close();
    expect({ spent: Number(spent!.n), paid: Number(paid!.n) }).toEqual({ spent: 17, paid: 17 });
  });
});
