import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMeterFile } from '../../flash/meter-file.ts';
import { createLogger } from '../../common/log.ts';
import { TestPaymentBackend } from '../../mint/backend.ts';
import { Mint } from '../../mint/mint.ts';
import { toHex } from '../../protocol/bytes.ts';
import { openStore } from '../../store/open.ts';
import { UcService } from '../../uc/service.ts';

const sipster = join(import.meta.dirname, '..', '..', '..', 'bin', 'sipster.mjs');
const provision = (args: string[]) => spawnSync(process.execPath, [sipster, 'provision', '--log-level', 'warn', ...args], { encoding: 'utf8', timeout: 60_000 });

async function openUc(db: string, genesis = false): Promise<{ uc: UcService; close: () => Promise<void> }> {
  const store = await openStore(db);
  const log = createLogger('test', 'error');
  const uc = await UcService.open(store, await Mint.open(store, new TestPaymentBackend(true)), {
    log,
    ...(genesis && { genesis: { suite: 'P256-SHA256', ucName: 'Test', epochLength: 12, periodSeconds: 3600, originUnix: 1_767_225_600 } }),
  });
  return { uc, close: () => store.close() };
}

describe('sipster provision', () => {
  it('writes meter.json with the UC’s key and a tariff it signed and published; a changed rate under the same version is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sipster-provision-'));
    const db = join(dir, 'uc.sqlite');
    const created = await openUc(db, true);
    const logVk = toHex(created.uc.logVk);
    await created.close();

    const out = join(dir, 'm.json');
    const ok = provision(['--db', db, '--meter-id', 'M-0001', '--out', out, '--rate', '250000', '--timing', '--json']);
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ meterId: 'M-0001', file: out, logVk, tariffVersion: 1, rate: 250_000 });
    const meter = readMeterFile(out);
    expect(meter.meterId).toBe('M-0001');
    expect(meter.production).toBe(false);
    expect(toHex(meter.record)).toContain(logVk);

    const reopened = await openUc(db);
    expect(reopened.uc.params.tariffs.get(1)).toEqual({ version: 1, bands: [{ startMinute: 0, microUnitsPerWh: 250_000 }] });
    await reopened.close();

    // the same version again is reused; another rate under it is refused
    expect(provision(['--db', db, '--meter-id', 'M-0002', '--out', join(dir, 'm2.json'), '--rate', '250000']).status).toBe(0);
    const clash = provision(['--db', db, '--meter-id', 'M-0003', '--out', join(dir, 'm3.json'), '--rate', '1']);
    expect(clash.status).toBe(1);
    expect(clash.stderr).toMatch(/published with other bands/);
  });

  it('refuses bad flags and a store without a UC', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sipster-provision-'));
    expect(provision(['--meter-id', 'bad id']).status).toBe(2);
    expect(provision(['--db', join(dir, 'x.sqlite')]).status).toBe(2);
    const empty = provision(['--db', join(dir, 'empty.sqlite'), '--meter-id', 'M', '--out', join(dir, 'm.json')]);
    expect(empty.status).toBe(1);
    expect(empty.stderr).toBe(`sipster provision: no UC store at ${join(dir, 'empty.sqlite')}: no such file ${join(dir, 'empty.sqlite')} (\`sipster uc serve --db ${join(dir, 'empty.sqlite')}\` creates it)\n`);
    expect(existsSync(join(dir, 'empty.sqlite'))).toBe(false);
  });
});
