// Feeds meter records into the wallet: from the serial transport (a device path or tcp://) or
// from a recorded stream (a file of framed records, as captured from a port). Frames, strict
// decoding and exactly-once delivery are the serial layer's (host/serial/records.ts). Both paths
// read as a stream through one bounded reader, and log link faults rate-limited.
import { createReadStream } from 'node:fs';
import type { Logger } from '../common/log.ts';
import { faultLog } from '../serial/fault-log.ts';
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

/** Follows a live port; records are ingested one at a time, in arrival order. */
export function followPort(daemon: WalletDaemon, path: string, log: Logger): { stop(): Promise<void> } {
  const port = new ResilientPort({ path });
  const reader = new RecordReader({ history: 0 });
  const faults = faultLog(log, 'link fault');
  let chain: Promise<void> = Promise.resolve();
  reader.on('fault', faults.fault);
  reader.on('record', (r: ReceivedRecord) => {
    if (r.gap) log.warn('records missing from the meter stream', { from: r.gap.from, to: r.gap.to });
    chain = chain.then(() => daemon.ingest(r.record, r.payload)).catch((err) => log.error('cannot store a meter record', { error: (err as Error).message }));
  });
  port.on('data', (d: Buffer) => reader.push(d));
  port.on('open', () => log.info('meter port open', { path }));
  port.on('close', (reason: string) => log.warn('meter port lost; reopening', { reason }));
  port.start();
  return {
    async stop() {
      await port.close();
      await chain;
      faults.flush();
    },
  };
}
