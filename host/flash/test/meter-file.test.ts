import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getSuite } from '../../protocol/suite.ts';
import { meterKeyFromSeed } from '../../protocol/signature.ts';
import { signTariff } from '../../protocol/tariff.ts';
import { encodeProvisioning, type ProvisioningFields } from '../../records/provisioning.ts';
import { MeterFileError, readMeterFile } from '../meter-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'meter-file-'));
const key = meterKeyFromSeed(new Uint8Array(32).fill(7));
const fields: ProvisioningFields = {
  suiteId: 'P256-SHA256', meterId: 'm-42', production: false, epochLength: 24, periodSeconds: 3600, periodOrigin: 1_767_225_600,
  pulsePin: 'D5', replayPin: 'D6', finalBillPin: 'D7', testLoadMs: 0, timing: true, ucKey: key.vk,
  tariff: signTariff(getSuite('P256-SHA256'), { version: 1, bands: [{ startMinute: 0, microUnitsPerWh: 1000 }] }, key, new Uint8Array(32)),
};
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const write = (name: string, v: unknown): string => {
  const p = join(dir, name);
  writeFileSync(p, typeof v === 'string' ? v : JSON.stringify(v));
  return p;
};
const asJson = {
  ...fields, ucKey: hex(fields.ucKey), tariff: { message: hex(fields.tariff.message), signature: hex(fields.tariff.signature) },
};

describe('meter.json', () => {
  it('reads the record form and the fields form to the same bytes; --production flips only the flag', () => {
    const rec = encodeProvisioning(fields);
    const a = readMeterFile(write('a.json', { meterId: 'm-42', provisioning: hex(rec) }));
    const b = readMeterFile(write('b.json', asJson));
    expect(a.record).toEqual(rec);
    expect(b.record).toEqual(rec);
    expect(a).toMatchObject({ meterId: 'm-42', production: false });
    const p = readMeterFile(write('c.json', { provisioning: hex(rec) }), { production: true });
    expect(p.production).toBe(true);
    expect(p.record).toEqual(encodeProvisioning({ ...fields, production: true }));
  });

  it('rejects bad input with a typed error', () => {
    const rec = encodeProvisioning(fields);
    const bad: [string, unknown][] = [
      ['not json', '{nope'],
      ['array', [1]],
      ['odd hex', { provisioning: 'abc' }],
      ['wrong magic', { provisioning: hex(rec).replace(/^53/, '54') }],
      ['truncated', { provisioning: hex(rec.subarray(0, 10)) }],
      ['meterId mismatch', { meterId: 'other', provisioning: hex(rec) }],
      ['short ucKey', { ...asJson, ucKey: 'aa' }],
      ['bad suite', { ...asJson, suiteId: 'BLS12381-SHA256' }],
      ['non-integer', { ...asJson, periodSeconds: 1.5 }],
      ['bad pin', { ...asJson, pulsePin: 'D 5' }],
    ];
    for (const [what, v] of bad) expect(() => readMeterFile(write(`${what}.json`, v)), what).toThrow(MeterFileError);
    expect(() => readMeterFile(join(dir, 'missing.json'))).toThrow(MeterFileError);
  });
});
