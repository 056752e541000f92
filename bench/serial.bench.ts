/**
 * The serial reader under volume (issue 14, item 3):
 *
 *   heap after N frames   RecordReader fed N valid records (1,000 frames per chunk), heap used
 *                         after a full GC, at 1M and 10M frames: flat, since the reader keeps
 *                         only a window (it kept every record before: ~536 MB at 1M)
 *   markers, S MB         one chunk of S MB of bare "@S1:" markers (no line end) through
 *                         RecordReader.push: linear (4 MB took 53 s before)
 *
 * Writes bench/results/serial.json. Run with `npm run bench -- serial`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { recordHeader, replayBody, REC_REPLAY } from '../firmware/src/records.ts';
import { encodeFrame } from '../host/serial/frame.ts';
import { RecordReader } from '../host/serial/records.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapMb = (): number => {
  gc();
  gc();
  return Math.round(process.memoryUsage().heapUsed / 1e5) / 10;
};

const reader = new RecordReader();
let delivered = 0;
reader.on('record', () => delivered++);
const heap: { frames: number; heapMb: number; seconds: number }[] = [{ frames: 0, heapMb: heapMb(), seconds: 0 }];
const t0 = performance.now();
for (const target of [1_000_000, 10_000_000]) {
  for (let s = delivered; s < target; s += 1000) {
    const frames: Buffer[] = [];
    for (let k = s; k < s + 1000; k++) frames.push(encodeFrame(Uint8Array.from([...recordHeader(REC_REPLAY, 1, k), ...replayBody(0, 1, 0xffffffff, k)])));
    reader.push(Buffer.concat(frames));
  }
  heap.push({ frames: delivered, heapMb: heapMb(), seconds: Math.round((performance.now() - t0) / 100) / 10 });
}

const markers: { mb: number; seconds: number; faults: number }[] = [];
for (const mb of [4, 16, 64]) {
  const r = new RecordReader();
  let faults = 0;
  r.on('fault', () => faults++);
  const chunk = Buffer.alloc(mb << 20, '@S1:', 'latin1');
  const t = performance.now();
  r.push(chunk);
  markers.push({ mb, seconds: Math.round((performance.now() - t) / 10) / 100, faults });
}

console.log('RecordReader heap (MB, after GC):');
for (const h of heap) console.log(`  ${String(h.frames).padStart(10)} frames  ${String(h.heapMb).padStart(7)} MB  (${h.seconds} s)`);
console.log('one chunk of bare markers:');
for (const m of markers) console.log(`  ${String(m.mb).padStart(4)} MB  ${m.seconds.toFixed(2)} s  ${m.faults} faults`);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/serial.json', import.meta.url), JSON.stringify({ node: process.version, cpu: os.cpus()[0]?.model, heap, markers }, null, 2) + '\n');
