// Bytes -> frames -> typed records, exactly once: the top layer of the serial transport. Feed it
// from any byte source (a ResilientPort, a socket); it reports frame faults, payloads the strict
// decoder rejects, duplicates dropped and gaps found, and hands out each new record once.
import { EventEmitter } from 'node:events';
import { decodeRecord, type MeterRecord } from '../records/decode.ts';
import { RecordDecodeError } from '../records/errors.ts';
import { FrameDecoder, type FrameFault, type FrameStats } from './frame.ts';
import { Sequencer, type SequencerStats } from './sequencer.ts';

export interface ReceivedRecord {
  readonly record: MeterRecord;
  readonly payload: Uint8Array;
  /** Records missing just before this one (recordSeq range, inclusive). */
  readonly gap?: { readonly from: number; readonly to: number };
  readonly rewind?: boolean;
}

export type LinkFault =
  | { readonly layer: 'frame'; readonly fault: FrameFault; readonly detail: string }
  | { readonly layer: 'record'; readonly code: string; readonly detail: string };

export interface ReaderStats {
  readonly frame: FrameStats;
  readonly sequence: SequencerStats;
  rejected: number;
}

/** Events: 'record' (ReceivedRecord), 'fault' (LinkFault). */
export class RecordReader extends EventEmitter {
  private readonly frames = new FrameDecoder();
  private readonly sequencer = new Sequencer();
  readonly stats: ReaderStats = { frame: this.frames.stats, sequence: this.sequencer.stats, rejected: 0 };
  /** Every new record, in arrival order (tests and tools look back through it). */
  readonly log: ReceivedRecord[] = [];
  private readonly waiters = new Set<{ match: (r: ReceivedRecord) => boolean; resolve: (r: ReceivedRecord) => void }>();

  push(chunk: Uint8Array): void {
    for (const ev of this.frames.push(chunk)) {
      if (!ev.ok) {
        this.emit('fault', { layer: 'frame', fault: ev.fault, detail: ev.detail } satisfies LinkFault);
        continue;
      }
      let record: MeterRecord;
      try {
        record = decodeRecord(ev.payload);
      } catch (e) {
        if (!(e instanceof RecordDecodeError)) throw e;
        this.stats.rejected++;
        this.emit('fault', { layer: 'record', code: e.code, detail: e.message } satisfies LinkFault);
        continue;
      }
      const verdict = this.sequencer.accept(record.bootSeq, record.recordSeq, ev.payload);
      if (verdict.kind === 'duplicate') continue;
      const rec: ReceivedRecord = { record, payload: ev.payload, ...(verdict.gap ? { gap: verdict.gap } : {}), ...(verdict.rewind ? { rewind: true } : {}) };
      this.log.push(rec);
      this.emit('record', rec);
      for (const w of [...this.waiters]) {
        if (w.match(rec)) {
          this.waiters.delete(w);
          w.resolve(rec);
        }
      }
    }
  }

  /** New records as an async iterator, from the first one logged after `since` (default: from now). */
  async *records(since = this.log.length): AsyncGenerator<ReceivedRecord> {
    let next = since;
    for (;;) {
      while (next < this.log.length) yield this.log[next++]!;
      await new Promise<void>((resolve) => this.once('record', () => resolve()));
    }
  }

  /**
   * The first record matching `match` that arrives from now on (or already in the log at index
   * >= `since`), or a rejection after `timeoutMs`.
   */
  waitFor(match: (r: ReceivedRecord) => boolean, timeoutMs: number, since = this.log.length): Promise<ReceivedRecord> {
    for (let i = since; i < this.log.length; i++) if (match(this.log[i]!)) return Promise.resolve(this.log[i]!);
    return new Promise((resolve, reject) => {
      const w = {
        match,
        resolve: (r: ReceivedRecord) => {
          clearTimeout(t);
          resolve(r);
        },
      };
      const t = setTimeout(() => {
        this.waiters.delete(w);
        reject(new Error(`no matching record within ${timeoutMs} ms (${this.log.length} records so far)`));
      }, timeoutMs);
      this.waiters.add(w);
    });
  }
}
