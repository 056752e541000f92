// Boots the freshly flashed board and reads its boot record: the device itself reports the hash of
// the code it runs, its meter id, its public key vkM and its known-answer tests.
import { randomBytes } from 'node:crypto';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { BootRecord } from '../records/decode.ts';
import { withTimeout } from '../common/timeout.ts';
import { ResilientPort } from '../serial/port.ts';
import { RecordReader } from '../serial/records.ts';

export class ConfirmError extends Error {
  override readonly name = 'ConfirmError';
}

export interface Expected {
  readonly firmwareSha256: Uint8Array;
  readonly meterId: string;
  readonly production: boolean;
}

/**
 * Waits until the board has executed everything sent before (it prints a fresh marker once its
 * input queue reaches it), then sends load() (the board boots its new code) and waits for the boot
 * record. A slow board may still be taking in an upload that the tool finished sending (a network
 * console has no flow control): a Ctrl-C then would interrupt the upload's last Storage writes.
 */
export async function bootAndReadBootRecord(port: string, timeoutMs: number, baudRate?: number): Promise<BootRecord> {
  const p = new ResilientPort({ path: port, baudRate });
  const reader = new RecordReader();
  const marker = `SIPSTER-SYNC-${randomBytes(6).toString('hex')}`;
  let seen = '';
  let synced: () => void = () => undefined;
  const sync = new Promise<void>((resolve) => (synced = resolve));
  p.on('data', (d: Buffer) => {
    reader.push(d);
    seen = (seen + d.toString('latin1')).slice(-256);
    if (seen.includes(marker)) synced();
  });
  p.start();
  try {
    await p.waitOpen(timeoutMs);
    await p.write(`\x10print(${JSON.stringify(marker.slice(0, 13))}+${JSON.stringify(marker.slice(13))})\n`);
    await withTimeout(sync, timeoutMs, 'the board to finish taking the upload').catch((e: Error) => {
      throw new ConfirmError(e.message);
    });
    const booted = reader.waitFor((r) => r.record.kind === 'boot', timeoutMs);
    await p.write('\x03\x10load()\n');
    return (await booted).record as BootRecord;
  } finally {
    await p.close();
  }
}

/** Every mismatch between the boot record and what was flashed; empty when all is as expected. */
export function checkBootRecord(rec: BootRecord, want: Expected): string[] {
  const problems: string[] = [];
  if (!rec.fwHash) problems.push('the board reports no firmware hash (code not running from the flashed file)');
  else if (bytesToHex(rec.fwHash) !== bytesToHex(want.firmwareSha256)) {
    problems.push(`firmware hash ${bytesToHex(rec.fwHash)} differs from the build's ${bytesToHex(want.firmwareSha256)}`);
  }
  if (rec.meterId !== want.meterId) problems.push(`meter id ${JSON.stringify(rec.meterId)}, expected ${JSON.stringify(want.meterId)}`);
  if (!rec.vkM) problems.push('no vkM in the boot record (identity key missing)');
  if (!rec.katOk) problems.push('known-answer tests failed on the board');
  if (rec.production !== want.production) problems.push(`production flag is ${rec.production}, expected ${want.production}`);
  if (rec.status !== 'operating') problems.push(`meter status is ${rec.status}`);
  return problems;
}
