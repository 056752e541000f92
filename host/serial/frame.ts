// Frames of the serial record format (coordination.md):
//   "\r\n" "@S1:" base64(payload) "*" hex8(crc32(payload)) "\r\n"
// The decoder scans for the marker, reads to CRLF, checks base64 (strict, canonical), payload
// length (at most 1024 bytes) and the CRC, and resynchronizes on the next marker whatever
// happened before: console text between frames is skipped, a frame cut short by a new marker
// (a reset, a power cut, line noise) is counted and dropped.
import { crc32 } from 'node:zlib';

export const MARKER = '@S1:';
export const MAX_PAYLOAD = 1024;
/** Longest frame body after the marker: base64 of MAX_PAYLOAD, '*', 8 hex digits. */
const MAX_BODY = 4 * Math.ceil(MAX_PAYLOAD / 3) + 9;
const BODY = /^([A-Za-z0-9+/]*={0,2})\*([0-9a-f]{8})$/;

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
  /** Undecoded text: either noise (searching for a marker) or a frame body in progress. */
  private buf = '';
  private inFrame = false;

  /** Feeds bytes; returns the frames (and faults) they complete, in order. */
  push(chunk: Uint8Array): FrameEvent[] {
    this.buf += Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
    const out: FrameEvent[] = [];
    for (;;) {
      if (!this.inFrame) {
        const m = this.buf.indexOf(MARKER);
        if (m < 0) {
          // Keep a tail that could be the start of a marker split across chunks.
          const keep = Math.min(this.buf.length, MARKER.length - 1);
          this.stats.noiseBytes += this.buf.length - keep;
          this.buf = this.buf.slice(this.buf.length - keep);
          return out;
        }
        this.stats.noiseBytes += m;
        this.buf = this.buf.slice(m + MARKER.length);
        this.inFrame = true;
      }
      const end = this.buf.indexOf('\r\n');
      const next = this.buf.indexOf(MARKER);
      if (next >= 0 && (end < 0 || next < end)) {
        out.push(this.fault('truncated', 'a new frame started before this one ended'));
        this.buf = this.buf.slice(next);
        this.inFrame = false;
        continue;
      }
      if (end < 0) {
        if (this.buf.length > MAX_BODY + 1) { // +1: the CR of a CRLF still to come
          out.push(this.fault('length', `no frame end within ${MAX_BODY} characters`));
          this.buf = this.buf.slice(this.buf.length - (MARKER.length - 1));
          this.inFrame = false;
          continue;
        }
        return out;
      }
      const body = this.buf.slice(0, end);
      this.buf = this.buf.slice(end + 2);
      this.inFrame = false;
      out.push(this.decodeBody(body));
    }
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
