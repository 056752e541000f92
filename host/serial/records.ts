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

export interface ReaderOptions {
  /**
   * Records kept for `log`, `waitFor` and `records` to look back through (default 256). Tools and
   * tests that read a short run back whole (the Listener) pass Infinity; a long-lived reader keeps
   * the default, so its memory does not grow with the stream.
   */
  readonly history?: number;
}

/** Events: 'record' (ReceivedRecord), 'fault' (LinkFault). */
export class RecordReader extends EventEmitter {
  private readonly frames = new FrameDecoder();
  private readonly sequencer = new Sequencer();
  readonly stats: ReaderStats = { frame: this.frames.stats, sequence: this.sequencer.stats, rejected: 0 };
  private readonly history: number;
  /** The last `history` new records, in arrival order; log[0] is record number `dropped`. */
  readonly log: ReceivedRecord[] = [];
  private dropped = 0;
  private readonly waiters = new Set<{ match: (r: ReceivedRecord) => boolean; resolve: (r: ReceivedRecord) => void }>();

  constructor(options: ReaderOptions = {}) {
    super();
    this.history = options.history ?? 256;
  }

  /** New records delivered so far (the number the next one will get). */
  get count(): number {
    return this.dropped + this.log.length;
  }

  /** Records remembered by the sequencer for duplicate detection (bounded). */
  get remembered(): number {
    return this.sequencer.remembered;
  }

  push(chunk: Uint8Array): void {
    this.frames.feed(chunk, (ev) => {
      if (!ev.ok) {
        this.emit('fault', { layer: 'frame', fault: ev.fault, detail: ev.detail } satisfies LinkFault);
        return;
      }
      let record: MeterRecord;
      try {
        record = decodeRecord(ev.payload);
      } catch (e) {
        if (!(e instanceof RecordDecodeError)) throw e;
        this.stats.rejected++;
        this.emit('fault', { layer: 'record', code: e.code, detail: e.message } satisfies LinkFault);
        return;
      }
      const verdict = this.sequencer.accept(record.bootSeq, record.recordSeq, ev.payload);
      if (verdict.kind === 'duplicate') return;
      const rec: ReceivedRecord = { record, payload: ev.payload, ...(verdict.gap ? { gap: verdict.gap } : {}), ...(verdict.rewind ? { rewind: true } : {}) };
      this.keep(rec);
      this.emit('record', rec);
      for (const w of [...this.waiters]) {
        if (w.match(rec)) {
          this.waiters.delete(w);
          w.resolve(rec);
        }
      }
    });
  }

  private keep(rec: ReceivedRecord): void {
    this.log.push(rec);
    // Trimmed in batches, so keeping the last `history` costs O(1) per record.
    if (this.log.length >= 2 * this.history && this.log.length > 64) {
      const cut = this.log.length - this.history;
      this.log.splice(0, cut);
      this.dropped += cut;
    }
  }

  /** Kept records numbered `since` and later. */
  private keptSince(since: number): ReceivedRecord[] {
    return this.log.slice(Math.max(0, since - this.dropped));
  }

  /**
   * New records as an async iterator, from record number `since` (default: from now; records
   * no longer kept are skipped). Records arriving while the consumer is busy are queued for it.
   */
  async *records(since = this.count): AsyncGenerator<ReceivedRecord> {
    const queue = this.keptSince(since);
    let wake: (() => void) | undefined;
    const onRecord = (r: ReceivedRecord): void => {
      queue.push(r);
      wake?.();
    };
    this.on('record', onRecord);
    try {
      for (;;) {
        while (queue.length) yield queue.shift()!;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      this.off('record', onRecord);
    }
  }

  /**
   * The first record matching `match` that arrives from now on (or is kept with number
   * >= `since`), or a rejection after `timeoutMs`.
   */
  waitFor(match: (r: ReceivedRecord) => boolean, timeoutMs: number, since = this.count): Promise<ReceivedRecord> {
    const found = this.keptSince(since).find(match);
    if (found) return Promise.resolve(found);
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
        reject(new Error(`no matching record within ${timeoutMs} ms (${this.count} records so far)`));
      }, timeoutMs);
      this.waiters.add(w);
    });
  }
}
