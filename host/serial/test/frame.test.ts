import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameDecoder, MAX_PAYLOAD, type FrameEvent } from '../frame.ts';

const payload = (n: number, seed = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255);
const ok = (evs: FrameEvent[]): Uint8Array[] => evs.filter((e) => e.ok).map((e) => (e as { payload: Uint8Array }).payload);
const frameText = (p: Uint8Array, crc?: string, b64?: string): string =>
  `\r\n@S1:${b64 ?? Buffer.from(p).toString('base64')}*${crc ?? (crc32(p) >>> 0).toString(16).padStart(8, '0')}\r\n`;

describe('FrameDecoder', () => {
  it('decodes frames split at every byte boundary, with console text around them', () => {
    const a = payload(9), b = payload(200, 7), c = payload(MAX_PAYLOAD, 3);
    const stream = Buffer.concat([Buffer.from('>echo junk @S\r\n'), encodeFrame(a), Buffer.from('=undefined\r\n>'), encodeFrame(b), encodeFrame(c)]);
    const d = new FrameDecoder();
    const got: Uint8Array[] = [];
    for (const byte of stream) got.push(...ok(d.push(Uint8Array.of(byte))));
    expect(got).toEqual([a, b, c]);
    expect(d.stats.frames).toBe(3);
    expect(d.stats.crc + d.stats.base64 + d.stats.length + d.stats.truncated).toBe(0);
    expect(d.stats.noiseBytes).toBeGreaterThan(20);
  });

  it('counts a CRC mismatch and keeps decoding the next frame', () => {
    const a = payload(40), b = payload(41, 9);
    const d = new FrameDecoder();
    const evs = d.push(Buffer.from(frameText(a, '00000000') + frameText(b), 'latin1'));
    expect(evs[0]).toMatchObject({ ok: false, fault: 'crc' });
    expect(ok(evs)).toEqual([b]);
    expect(d.stats).toMatchObject({ frames: 1, crc: 1 });
  });

  it('rejects bad and non-canonical base64 and uppercase CRCs', () => {
    const a = payload(4);
    const d = new FrameDecoder();
    const good = Buffer.from(a).toString('base64'); // "AQAfPg==" style, 8 chars with padding
    const nonCanonical = good.slice(0, 6) + String.fromCharCode(good.charCodeAt(6) + 1) + '=';
    const evs = d.push(Buffer.from(
      frameText(a, undefined, 'AB$D') + frameText(a, undefined, 'ABC') + frameText(a, undefined, nonCanonical) +
        frameText(a, (crc32(a) >>> 0).toString(16).padStart(8, '0').toUpperCase()) + frameText(a), 'latin1'));
    expect(d.stats.base64).toBe(4);
    expect(ok(evs)).toEqual([a]);
  });

  it('rejects an oversized payload and a frame that never ends, then resynchronizes', () => {
    const big = payload(MAX_PAYLOAD + 3);
    const a = payload(12);
    const d = new FrameDecoder();
    const evs = d.push(Buffer.from(frameText(big) + '@S1:' + 'A'.repeat(3000) + frameText(a), 'latin1'));
    expect(d.stats.length).toBe(2);
    expect(ok(evs)).toEqual([a]);
  });

  it('drops a frame cut short by the next marker (power cut mid-line) and keeps the next', () => {
    const a = payload(30), b = payload(31, 5);
    const cut = frameText(a).slice(0, 20);
    const d = new FrameDecoder();
    const evs = d.push(Buffer.from(cut + frameText(b), 'latin1'));
    expect(evs[0]).toMatchObject({ ok: false, fault: 'truncated' });
    expect(ok(evs)).toEqual([b]);
  });

  it('survives random line noise: every intact frame decodes, no corrupted frame is accepted', () => {
    let seed = 42;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const sent: Uint8Array[] = [];
    const chunks: Buffer[] = [];
    const intact = new Set<string>();
    for (let k = 0; k < 300; k++) {
      const p = payload(9 + Math.floor(rnd() * 300), k);
      sent.push(p);
      const f = Buffer.from(encodeFrame(p));
      if (rnd() < 0.2) f[4 + Math.floor(rnd() * (f.length - 6))] ^= 1 << Math.floor(rnd() * 8);
      else intact.add(Buffer.from(p).toString('hex'));
      chunks.push(f);
      if (rnd() < 0.3) chunks.push(Buffer.from(Array.from({ length: Math.floor(rnd() * 40) }, () => Math.floor(rnd() * 256))));
    }
    const d = new FrameDecoder();
    const all = Buffer.concat(chunks);
    const got: Uint8Array[] = [];
    for (let i = 0; i < all.length; i += 97) got.push(...ok(d.push(all.subarray(i, i + 97))));
    const gotHex = got.map((p) => Buffer.from(p).toString('hex'));
    for (const h of gotHex) expect(sent.some((p) => Buffer.from(p).toString('hex') === h)).toBe(true);
    // Noise bytes can land inside a frame too, so "intact" is a lower bound on what may be lost.
    expect(gotHex.filter((h) => intact.has(h)).length).toBeGreaterThan(intact.size * 0.8);
    expect(d.stats.crc + d.stats.base64 + d.stats.truncated + d.stats.length).toBeGreaterThan(0);
  });
});

describe('RecordReader as an async iterator', () => {
  it('yields each new record once, in order, across chunk boundaries and repeats', async () => {
    const { RecordReader } = await import('../records.ts');
    const { recordHeader, replayBody, REC_REPLAY } = await import('../../../firmware/src/records.ts');
    const frameOf = (seq: number): Buffer => encodeFrame(Uint8Array.from([...recordHeader(REC_REPLAY, 1, seq), ...replayBody(0, 1, 0xffffffff, seq)]));
    const reader = new RecordReader();
    const it = reader.records();
    const wire = Buffer.concat([frameOf(0), frameOf(1), frameOf(1), Buffer.from('junk'), frameOf(2)]);
    setTimeout(() => {
      for (let i = 0; i < wire.length; i += 7) reader.push(wire.subarray(i, i + 7));
    }, 10);
    const seen: number[] = [];
    for await (const r of it) {
      seen.push(r.record.recordSeq);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual([0, 1, 2]);
  });
});
