// Exactly-once delivery of records over a lossy, repeating link. Each record is numbered
// (bootSeq, recordSeq) by the meter: recordSeq is persisted and counts every record ever emitted,
// bootSeq counts boots. The same record seen twice (a port reopened and the device's buffer sent
// again, a stale pty buffer) is dropped; a jump in recordSeq is reported as a gap (records lost
// while unplugged: the meter replays them on the troubleshooting signal, as fresh records flagged
// replay). A recordSeq reused with a different payload (after a power cut before the counter was
// persisted) is a new record, kept and reported as a rewind. Numbers are not authenticated (anyone
// on the line can reuse one), so a rewind is passed on, never trusted to replace what came first:
// the wallet decides on content (host/wallet).
//
// Memory is bounded whatever the link carries: the highest recordSeq, and the digests of the last
// WINDOW records (a repeat older than that is delivered again as a rewind, which every consumer
// already takes idempotently).
import { createHash } from 'node:crypto';

export type SequenceVerdict =
  | { readonly kind: 'new'; readonly gap?: { readonly from: number; readonly to: number }; readonly rewind?: boolean }
  | { readonly kind: 'duplicate' };

export interface SequencerStats {
  accepted: number;
  duplicates: number;
  gaps: number;
  missing: number;
  rewinds: number;
}

/** Records remembered for duplicate detection: far more than a device's output buffer re-sends. */
export const WINDOW = 4096;

export class Sequencer {
  readonly stats: SequencerStats = { accepted: 0, duplicates: 0, gaps: 0, missing: 0, rewinds: 0 };
  /** Digest by "bootSeq:recordSeq", oldest first (a Map keeps insertion order). */
  private readonly seen = new Map<string, string>();
  private highest = -1;

  /** Records currently remembered (at most WINDOW). */
  get remembered(): number {
    return this.seen.size;
  }

  accept(bootSeq: number, recordSeq: number, payload: Uint8Array): SequenceVerdict {
    const key = `${bootSeq}:${recordSeq}`;
    const digest = createHash('sha256').update(payload).digest('hex');
    const prev = this.seen.get(key);
    if (prev === digest) {
      this.stats.duplicates++;
      return { kind: 'duplicate' };
    }
    this.remember(key, digest);
    this.stats.accepted++;
    let verdict: SequenceVerdict = { kind: 'new' };
    if (this.highest >= 0 && recordSeq > this.highest + 1) {
      const gap = { from: this.highest + 1, to: recordSeq - 1 };
      this.stats.gaps++;
      this.stats.missing += gap.to - gap.from + 1;
      verdict = { kind: 'new', gap };
    } else if (this.highest >= 0 && recordSeq <= this.highest) {
      this.stats.rewinds++;
      verdict = { kind: 'new', rewind: true };
    }
    if (recordSeq > this.highest) this.highest = recordSeq;
    return verdict;
  }

  private remember(key: string, digest: string): void {
    this.seen.delete(key); // re-inserted as the newest
    this.seen.set(key, digest);
    if (this.seen.size > WINDOW) this.seen.delete(this.seen.keys().next().value!);
  }
}
