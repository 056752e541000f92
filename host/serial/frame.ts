// Frames of the serial record format (coordination.md):
//   "\r\n" "@S1:" base64(payload) "*" hex8(crc32(payload)) "\r\n"
// The decoder scans for the marker, reads to CRLF, checks base64 (strict, canonical), payload
// length (at most 1024 bytes) and the CRC, and resynchronizes on the next marker whatever
// happened before: console text between frames is skipped, a frame cut short by a new marker
// (a reset, a power cut, line noise) is counted and dropped. It never looks further than one
// frame ahead, so any input, however hostile, is decoded in linear time and bounded memory.
import { crc32 } from 'node:zlib';

export const MARKER = '@S1:';
export const MAX_PAYLOAD = 1024;
/** Longest frame body after the marker: base64 of MAX_PAYLOAD, '*', 8 hex digits. */
const MAX_BODY = 4 * Math.ceil(MAX_PAYLOAD / 3) + 9;
const BODY = /^([A-Za-z0-9+/]*={0,2})\*([0-9a-f]{8})$/;
const MARKER_BYTES = Buffer.from(MARKER, 'latin1');
const CR = 0x0d, LF = 0x0a, AT = 0x40;

export type FrameFault = 'crc' | 'base64' | 'length' | 'truncated';

export interface FrameStats {
  frames: number;
  crc: number;
  base64: number;
  length: number;
  truncated: number;
  /** Bytes outside frames (console output, noise). */
  noiseBytes: number;
}

export type FrameEvent = { readonly ok: true; readonly payload: Uint8Array } | { readonly ok: false; readonly fault: FrameFault; readonly detail: string };

export function encodeFrame(payload: Uint8Array): Buffer {
  if (payload.length > MAX_PAYLOAD) throw new RangeError(`payload of ${payload.length} bytes exceeds ${MAX_PAYLOAD}`);
  const crc = (crc32(payload) >>> 0).toString(16).padStart(8, '0');
  return Buffer.from(`\r\n${MARKER}${Buffer.from(payload).toString('base64')}*${crc}\r\n`, 'latin1');
}

export class FrameDecoder {
  readonly stats: FrameStats = { frames: 0, crc: 0, base64: 0, length: 0, truncated: 0, noiseBytes: 0 };
  /**
   * Undecoded bytes carried to the next chunk: at most MARKER.length − 1 bytes of noise that may
   * begin a marker, or a frame body in progress (at most MAX_BODY + 1 bytes), so memory is bounded.
   */
  private carry: Buffer = Buffer.alloc(0);
  private inFrame = false;
  /** Bytes of a carried frame body already scanned for its end (each byte is looked at once). */
  private scanned = 0;

  /** Feeds bytes; returns the frames (and faults) they complete, in order. */
  push(chunk: Uint8Array): FrameEvent[] {
    const out: FrameEvent[] = [];
    this.feed(chunk, (ev) => out.push(ev));
    return out;
  }

  /**
   * Feeds bytes and hands each completed frame (or fault) to `sink` as it is found, so a chunk of
   * any size holds no list of events. Linear in the input: every byte is scanned once, plus at most
   * MARKER.length − 1 again at a resynchronization.
   */
  feed(chunk: Uint8Array, sink: (ev: FrameEvent) => void): void {
    const input = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const data = this.carry.length ? Buffer.concat([this.carry, input]) : input;
    let pos = 0;
    for (;;) {
      if (!this.inFrame) {
        const m = data.indexOf(MARKER_BYTES, pos);
        if (m < 0) {
          // Keep a tail that could be the start of a marker split across chunks.
          const keep = Math.max(pos, data.length - (MARKER.length - 1));
          this.stats.noiseBytes += keep - pos;
          this.carry = Buffer.from(data.subarray(keep));
          return;
        }
        this.stats.noiseBytes += m - pos;
        pos = m + MARKER.length;
        this.inFrame = true;
        this.scanned = 0;
      }
      const end = this.scanBody(data, pos);
      if (end.kind === 'more') {
        this.carry = Buffer.from(data.subarray(pos));
        this.scanned = end.at - pos;
        return;
      }
      this.inFrame = false;
      if (end.kind === 'marker') {
        sink(this.fault('truncated', 'a new frame started before this one ended'));
        pos = end.at;
      } else if (end.kind === 'overlong') {
        sink(this.fault('length', `no frame end within ${MAX_BODY} characters`));
        pos = end.at - (MARKER.length - 1);
      } else {
        sink(this.decodeBody(data.toString('latin1', pos, end.at)));
        pos = end.at + 2;
      }
    }
  }

  /**
   * The first CRLF or marker of the frame body starting at `start`, looking at no more than
   * MAX_BODY + 2 bytes: 'more' when the data ends first (resume scanning at `at`).
   */
  private scanBody(data: Buffer, start: number): { kind: 'crlf' | 'marker' | 'overlong' | 'more'; at: number } {
    const limit = start + MAX_BODY + 1; // a CR at MAX_BODY ends a body of MAX_BODY bytes
    for (let j = start + this.scanned; j < data.length; j++) {
      if (j >= limit) return { kind: 'overlong', at: j };
      const b = data[j];
      if (b === CR) {
        if (j + 1 >= data.length) return { kind: 'more', at: j };
        if (data[j + 1] === LF) return { kind: 'crlf', at: j };
      } else if (b === AT) {
        if (j + MARKER.length > data.length) return { kind: 'more', at: j };
        if (data[j + 1] === MARKER_BYTES[1] && data[j + 2] === MARKER_BYTES[2] && data[j + 3] === MARKER_BYTES[3]) return { kind: 'marker', at: j };
      }
    }
    return { kind: 'more', at: data.length };
  }

  private decodeBody(body: string): FrameEvent {
    if (body.length > MAX_BODY) return this.fault('length', `frame body of ${body.length} characters`);
    const m = BODY.exec(body);
    if (!m && /^[A-Za-z0-9+/=]*$/.test(body)) return this.fault('truncated', 'frame ended before its checksum');
    if (!m) return this.fault('base64', 'frame body is not base64 "*" hex8');
    const b64 = m[1]!;
    if (b64.length % 4 !== 0) return this.fault('base64', 'base64 length is not a multiple of 4');
    const payload = Buffer.from(b64, 'base64');
    if (payload.toString('base64') !== b64) return this.fault('base64', 'non-canonical base64');
    if (payload.length > MAX_PAYLOAD) return this.fault('length', `payload of ${payload.length} bytes`);
    const crc = (crc32(payload) >>> 0).toString(16).padStart(8, '0');
    if (crc !== m[2]) return this.fault('crc', `crc ${m[2]} but payload has ${crc}`);
    this.stats.frames++;
    return { ok: true, payload: new Uint8Array(payload) };
  }

  private fault(fault: FrameFault, detail: string): FrameEvent {
    this.stats[fault]++;
    return { ok: false, fault, detail };
  }
}
