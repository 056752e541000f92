// The serial stack against the virtual board's real pseudo-terminal: records emitted by the guest,
// the device unplugged and replugged, line noise and repeats on the wire.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordHeader, replayBody, REC_REPLAY } from '../../../firmware/src/records.ts';
import { serveBoard, type ServedBoard } from '../../vboard/serve.ts';
import { tempFlash, Terminal } from '../../vboard/test/helpers.ts';
import { encodeFrame } from '../frame.ts';
import { ResilientPort } from '../port.ts';
import { RecordReader, type LinkFault } from '../records.ts';

let served: ServedBoard;
let term: Terminal;
let port: ResilientPort;
const reader = new RecordReader();
const faults: LinkFault[] = [];

const frameOf = (seq: number): Buffer => {
  const header = recordHeader(REC_REPLAY, 1, seq);
  const body = replayBody(0, 3, 0xffffffff, seq);
  const payload = new Uint8Array(header.length + body.length);
  payload.set(header);
  payload.set(body, header.length);
  return encodeFrame(payload);
};
/** The guest sends these bytes on its USB link, as the firmware's output does. */
const emit = (bytes: Buffer): void => term.type(`\x10USB.write(atob("${bytes.toString('base64')}"))\n`);
const seqs = (): number[] => reader.log.map((r) => r.record.recordSeq);

beforeAll(async () => {
  served = await serveBoard({ flashPath: tempFlash() });
  term = new Terminal(served.board);
  port = new ResilientPort({ path: served.pty!.path, minBackoffMs: 20, maxBackoffMs: 200 });
  port.on('data', (d: Buffer) => reader.push(d));
  reader.on('fault', (f: LinkFault) => faults.push(f));
  port.start();
  await port.waitOpen();
});
afterAll(async () => {
  await port.close();
  await served.close();
});

describe('serial transport over a real pseudo-terminal', () => {
  it('delivers framed records in order, typed by host/records', async () => {
    for (let s = 0; s < 5; s++) emit(frameOf(s));
    await reader.waitFor((r) => r.record.recordSeq === 4, 5000, 0);
    expect(seqs()).toEqual([0, 1, 2, 3, 4]);
    expect(reader.log[0]!.record).toMatchObject({ kind: 'replay', bootSeq: 1, phase: 'begin', c: 3, closedC: null });
  });

  it('reopens after unplug/replug and reports the records sent while unplugged as a gap', async () => {
    await served.pty!.unplug();
    for (let s = 5; s < 8; s++) emit(frameOf(s));
    await served.pty!.plug();
    await port.waitOpen();
    expect(port.opens).toBe(2);
    emit(frameOf(8));
    const r = await reader.waitFor((x) => x.record.recordSeq === 8, 5000);
    expect(r.gap).toEqual({ from: 5, to: 7 });
    // Records 5..7 arriving late (sent again under their own numbers) are accepted, not taken for repeats.
    for (let s = 5; s < 8; s++) emit(frameOf(s));
    await reader.waitFor((x) => x.record.recordSeq === 7, 5000);
    expect([...new Set(seqs())].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('drops repeats and survives line noise without accepting a corrupted frame', async () => {
    const before = reader.log.length;
    const corrupted = Buffer.from(frameOf(10));
    corrupted[12] ^= 0x04;
    emit(Buffer.concat([frameOf(8), Buffer.from([0, 0xff, 0x40, 0x53, 0x31, 0x0d]), corrupted, Buffer.from('noise @S1:%%%\r\n'), frameOf(9), frameOf(9)]));
    await reader.waitFor((x) => x.record.recordSeq === 9, 5000);
    await new Promise((r) => setTimeout(r, 50));
    expect(reader.log.slice(before).map((x) => x.record.recordSeq)).toEqual([9]);
    expect(reader.stats.sequence.duplicates).toBeGreaterThanOrEqual(2);
    expect(faults.some((f) => f.layer === 'frame')).toBe(true);
    expect(reader.log.some((x) => x.record.recordSeq === 10)).toBe(false);
  });
});
