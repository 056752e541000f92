// The serial reader under hostile volume (issue 14, item 3): a long-lived reader's memory does not
// grow with the stream, and framing is linear in the input whatever it holds.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { recordHeader, replayBody, REC_REPLAY } from '../../../firmware/src/records.ts';
import { encodeFrame, MAX_PAYLOAD } from '../frame.ts';
import { RecordReader } from '../records.ts';
import { WINDOW } from '../sequencer.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapMb = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1e6;
};

/** Frames of records (bootSeq 1, recordSeq from..to-1), 1000 to a chunk as a port delivers them. */
function feed(reader: RecordReader, from: number, to: number): void {
  for (let s = from; s < to; s += 1000) {
    const frames: Buffer[] = [];
    for (let k = s; k < Math.min(to, s + 1000); k++) frames.push(encodeFrame(Uint8Array.from([...recordHeader(REC_REPLAY, 1, k), ...replayBody(0, 1, 0xffffffff, k)])));
    reader.push(Buffer.concat(frames));
  }
}

describe('RecordReader memory', () => {
  it('keeps flat memory over 10x more frames: heap after 10k and after 100k frames differ by a few MB', () => {
    const reader = new RecordReader();
    let delivered = 0;
    reader.on('record', () => delivered++);
    feed(reader, 0, 10_000);
    const after10k = heapMb();
    feed(reader, 10_000, 100_000);
    const after100k = heapMb();
    expect(delivered).toBe(100_000);
    // Keeping every record (the reader before this bound) grew ~0.5 KB per frame: ~48 MB here.
    expect(after100k - after10k).toBeLessThan(8);
    expect(reader.count).toBe(100_000);
    expect(reader.log.length).toBeLessThanOrEqual(2 * 256);
    expect(reader.remembered).toBe(WINDOW);
  });

  it('still drops a repeat inside its window and still finds a kept record by number', async () => {
    const reader = new RecordReader();
    feed(reader, 0, 3000);
    feed(reader, 2000, 3000); // the last 1000 again: a reopened port re-sending its buffer
    expect(reader.stats.sequence).toMatchObject({ accepted: 3000, duplicates: 1000, rewinds: 0 });
    const r = await reader.waitFor((x) => x.record.recordSeq === 2990, 10, 2900);
    expect(r.record.recordSeq).toBe(2990);
  });
});

describe('FrameDecoder on hostile input', () => {
  it('frames a 64 MB chunk of markers, stray CRs and endless bodies in one push, then the next frame', () => {
    // Each block: a run of bare markers (the repro), a marker with a CR but no LF, and a
    // body longer than any frame; no line end anywhere. Before the fix every marker searched the rest of the chunk for
    // a line end: 4 MB of markers took 53 s, so this would not finish at all.
    const block = Buffer.from('@S1:'.repeat(4000) + '@S1:AAAA\rAAAA' + '@S1:' + 'B'.repeat(MAX_PAYLOAD * 2), 'latin1');
    const chunk = Buffer.alloc(64 << 20);
    for (let at = 0; at < chunk.length; at += block.length) block.copy(chunk, at);
    const good = Uint8Array.from([...recordHeader(REC_REPLAY, 1, 7), ...replayBody(0, 1, 0xffffffff, 7)]);
    const reader = new RecordReader();
    let faults = 0;
    reader.on('fault', () => faults++);
    reader.push(chunk);
    reader.push(encodeFrame(good));
    const s = reader.stats.frame;
    const blocks = Math.ceil(chunk.length / block.length);
    expect(s.truncated).toBeGreaterThan(4000 * (blocks - 1));
    expect(s.length).toBeGreaterThanOrEqual(blocks - 1);
    expect(faults).toBe(s.truncated + s.length + s.crc + s.base64);
    expect(reader.log.map((r) => r.record.recordSeq)).toEqual([7]);
  });
});
