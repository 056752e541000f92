// Feeds meter records into the wallet: from the serial transport (a device path or tcp://) or
// from a recorded stream (a file of framed records, as captured from a port). Frames, strict
// decoding and exactly-once delivery are the serial layer's (host/serial/records.ts).
import { readFile } from 'node:fs/promises';
import type { Logger } from '../mint/log.ts';
import { ResilientPort } from '../serial/port.ts';
import { RecordReader, type LinkFault, type ReceivedRecord } from '../serial/records.ts';
import type { WalletDaemon } from './daemon.ts';

/** Ingests every record of a recorded stream file, in order. Returns how many were new. */
export async function ingestFile(daemon: WalletDaemon, path: string, log: Logger): Promise<number> {
  const reader = new RecordReader();
  reader.on('fault', (f: LinkFault) => log.warn('bad frame in recorded stream', { layer: f.layer, detail: f.detail }));
  reader.push(await readFile(path));
  for (const r of reader.log) await daemon.ingest(r.record, r.payload);
  return reader.log.length;
}

/** Follows a live port; records are ingested one at a time, in arrival order. */
export function followPort(daemon: WalletDaemon, path: string, log: Logger): { stop(): Promise<void> } {
  const port = new ResilientPort({ path });
  const reader = new RecordReader();
  let chain: Promise<void> = Promise.resolve();
  reader.on('fault', (f: LinkFault) => log.warn('link fault', { layer: f.layer, detail: f.detail }));
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
    },
  };
}
