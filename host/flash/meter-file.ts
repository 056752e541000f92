// meter.json: what `sipster provision` hands to `sipster flash` for one meter. Either the encoded
// provisioning record (host/records/provisioning.ts layout) as hex, or its fields:
//   { "meterId": "...", "provisioning": "<hex>" }
//   { "suiteId": "P256-SHA256", "meterId": "...", "production": false, "epochLength": 24,
//     "periodSeconds": 3600, "periodOrigin": 1767225600, "pulsePin": "D5", "replayPin": "BTN1",
//     "finalBillPin": "D7", "testLoadMs": 0, "timing": true, "ucKey": "<33 B hex>",
//     "tariff": { "message": "<hex>", "signature": "<64 B hex>" } }
// --production sets the record's production flag either way.
import { readFileSync } from 'node:fs';
import { encodeProvisioning, type ProvisioningFields } from '../records/provisioning.ts';

export class MeterFileError extends Error {
  override readonly name = 'MeterFileError';
}

export interface MeterProvisioning {
  readonly meterId: string;
  readonly production: boolean;
  readonly record: Uint8Array;
}

const MAGIC = 'SPV1';

function hex(v: unknown, what: string, len?: number): Uint8Array {
  if (typeof v !== 'string' || !/^([0-9a-fA-F]{2})*$/.test(v)) throw new MeterFileError(`${what} must be a hex string`);
  const b = new Uint8Array(Buffer.from(v, 'hex'));
  if (len !== undefined && b.length !== len) throw new MeterFileError(`${what} must be ${len} bytes, got ${b.length}`);
  return b;
}

/** Reads the production flag and meterId from an encoded record, checking its framing. */
function parseHead(rec: Uint8Array): { meterId: string; productionAt: number } {
  const take = (at: number, n: number): Uint8Array => {
    if (at + n > rec.length) throw new MeterFileError('provisioning record is truncated');
    return rec.subarray(at, at + n);
  };
  if (Buffer.from(take(0, 4)).toString('latin1') !== MAGIC) throw new MeterFileError('provisioning record does not start with SPV1');
  let at = 4;
  const lp = (): Uint8Array => {
    const h = take(at, 2);
    const n = (h[0]! << 8) | h[1]!;
    const v = take(at + 2, n);
    at += 2 + n;
    return v;
  };
  lp();
  const meterId = Buffer.from(lp()).toString('latin1');
  take(at, 1);
  return { meterId, productionAt: at };
}

export function readMeterFile(path: string, opts: { production?: boolean } = {}): MeterProvisioning {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new MeterFileError(`cannot read ${path}: ${(e as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new MeterFileError(`${path} must hold a JSON object`);
  const o = raw as Record<string, unknown>;
  let record: Uint8Array;
  if (o.provisioning !== undefined) {
    record = hex(o.provisioning, 'provisioning');
  } else {
    const t = o.tariff as Record<string, unknown> | undefined;
    if (typeof t !== 'object' || t === null) throw new MeterFileError('tariff must be an object with message and signature');
    const str = (k: string): string => {
      if (typeof o[k] !== 'string') throw new MeterFileError(`${k} must be a string`);
      return o[k] as string;
    };
    const int = (k: string): number => {
      if (typeof o[k] !== 'number' || !Number.isInteger(o[k])) throw new MeterFileError(`${k} must be an integer`);
      return o[k] as number;
    };
    const bool = (k: string): boolean => {
      if (typeof o[k] !== 'boolean') throw new MeterFileError(`${k} must be true or false`);
      return o[k] as boolean;
    };
    if (o.suiteId !== 'P256-SHA256') throw new MeterFileError('suiteId must be "P256-SHA256" (the meter signs and hashes to P-256)');
    const fields: ProvisioningFields = {
      suiteId: 'P256-SHA256', meterId: str('meterId'), production: bool('production'), epochLength: int('epochLength'),
      periodSeconds: int('periodSeconds'), periodOrigin: int('periodOrigin'), pulsePin: str('pulsePin'), replayPin: str('replayPin'),
      finalBillPin: str('finalBillPin'), testLoadMs: int('testLoadMs'), timing: bool('timing'), ucKey: hex(o.ucKey, 'ucKey', 33),
      tariff: { message: hex(t.message, 'tariff.message'), signature: hex(t.signature, 'tariff.signature', 64) },
    };
    try {
      record = encodeProvisioning(fields);
    } catch (e) {
      throw new MeterFileError(`invalid provisioning fields: ${(e as Error).message}`);
    }
  }
  const head = parseHead(record);
  if (o.meterId !== undefined && o.meterId !== head.meterId) throw new MeterFileError(`meterId ${JSON.stringify(o.meterId)} differs from the record's ${JSON.stringify(head.meterId)}`);
  if (opts.production) {
    record = record.slice();
    record[head.productionAt] = 1;
  }
  const production = record[head.productionAt] === 1;
  return { meterId: head.meterId, production, record };
}
