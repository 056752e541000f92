// Serial framing (the contract in coordination.md): "\r\n@S1:" base64(payload) "*" hex8(crc32) "\r\n".
import { base64, crc32, toBinary } from './board.ts';

export const MAX_PAYLOAD = 1024;

export function frame(payload: Uint8Array): string {
  'ram';
  if (payload.length > MAX_PAYLOAD) throw new Error('record too long');
  const bin = toBinary(payload);
  // 8 hex digits, leading zeros kept: 2^32 + crc has 9, the first a 1 (native calls, no byte loop).
  return '\r\n@S1:' + base64(bin) + '*' + (crc32(bin) + 4294967296).toString(16).substring(1) + '\r\n';
}
