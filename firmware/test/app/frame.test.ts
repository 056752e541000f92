// The firmware's serial frame against the host's decoder (host/serial/frame.ts), the other side of
// the framing contract: every CRC is 8 hex digits, those below 0x10000000 with their leading zeros.
import { expect, it } from 'vitest';
import { crc32 } from 'node:zlib';
import { FrameDecoder, encodeFrame } from '../../../host/serial/frame.ts';
import { VirtualBoard } from './harness.ts';

it('frames as the host encodes them, leading zeros of the CRC included', async () => {
  new VirtualBoard().installGlobals(globalThis as unknown as Record<string, unknown>);
  const { frame } = await import('../../src/frame.ts');
  const payloads: Uint8Array[] = [];
  // Payloads until one's CRC-32 has two leading zero hex digits (about 1 in 256).
  for (let k = 0; payloads.length < 3 || !payloads.some((p) => crc32(p) < 0x1000000); k++) payloads.push(new Uint8Array([k & 255, k >> 8, 7, 9]));
  const decoder = new FrameDecoder();
  for (const p of payloads) {
    const text = frame(p);
    expect(text).toBe(encodeFrame(p).toString('latin1'));
    expect(decoder.push(Buffer.from(text, 'latin1'))).toEqual([{ ok: true, payload: p }]);
  }
  expect(payloads.some((p) => /\*00[0-9a-f]{6}\r\n$/.test(frame(p)))).toBe(true);
});
