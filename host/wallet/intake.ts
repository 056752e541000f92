// Feeds meter records into the wallet: from the serial transport (a device path or tcp://) or
// from a recorded stream (a file of framed records, as captured from a port). Frames, strict
// decoding and exactly-once delivery are the serial layer's (host/serial/records.ts). Both paths
// read as a stream through one bounded reader, and log link faults rate-limited.
import { createReadStream } from 'node:fs';
import type { Logger } from '../common/log.ts';
import { faultLog } from '../serial/fault-log.ts';
import { RepeatedWarning } from '../common/repeat.ts';
import { ResilientPort } from '../serial/port.ts';
import { RecordReader, type ReceivedRecord } from '../serial/records.ts';
import type { WalletDaemon } from './daemon.ts';

/** Ingests every record of a recorded stream file, in order, chunk by chunk. Returns how many were new. */
export async function ingestFile(daemon: WalletDaemon, path: string, log: Logger): Promise<number> {
  const reader = new RecordReader({ history: 0 });
  const faults = faultLog(log, 'bad frame in recorded stream');
  const batch: ReceivedRecord[] = [];
  reader.on('fault', faults.fault);
  reader.on('record', (r: ReceivedRecord) => batch.push(r));
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 64 * 1024 })) {
      reader.push(chunk as Buffer);
      for (const r of batch.splice(0)) await daemon.ingest(r.record, r.payload);
    }
  } finally {
    faults.flush();
  }
  return reader.count;
}

/**
 * Follows a live port; records are ingested one at a time, in arrival order. A port that cannot
 * be opened (or is lost) is said at once, then again at growing intervals while it is retried,
 * and recorded for `wallet status`.
 */
export function followPort(daemon: WalletDaemon, path: string, log: Logger): { stop(): Promise<void> } {
  const port = new ResilientPort({ path, maxBackoffMs: 5_000 });
  const reader = new RecordReader({ history: 0 });
  const faults = faultLog(log, 'link fault');
  const trouble = new RepeatedWarning(log);
  let chain: Promise<void> = Promise.resolve();
  let state = Promise.resolve();
  const note = (open: boolean, problem?: string): void => {
    state = state.then(() => daemon.notePort({ path, open, problem, since: Date.now() })).catch((err) => log.error('cannot record the meter port state', { error: (err as Error).message }));
  };
  reader.on('fault', faults.fault);
  reader.on('record', (r: ReceivedRecord) => {
    if (r.gap) log.warn('records missing from the meter stream', { from: r.gap.from, to: r.gap.to });
    chain = chain.then(() => daemon.ingest(r.record, r.payload)).catch((err) => log.error('cannot store a meter record', { error: (err as Error).message }));
  });
  port.on('data', (d: Buffer) => reader.push(d));
  port.on('open', () => {
    trouble.clear('meter port open again', { path });
    log.info('meter port open', { path });
    note(true);
  });
  port.on('retry', (_attempt: number, _delay: number, reason: string) => {
    const message = `meter port cannot be used, retrying: ${reason}`;
    if (trouble.active !== message) note(false, reason);
    trouble.warn(message);
  });
  port.start();
  return {
    async stop() {
      await port.close();
      await chain;
      faults.flush();
      await state;
    },
  };
}
