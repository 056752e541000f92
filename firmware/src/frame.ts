// Serial framing (the contract in coordination.md): "\r\n@S1:" base64(payload) "*" hex8(crc32) "\r\n".
import { toHex, u32 } from './bytes.ts';
import { base64, crc32, toBinary } from './board.ts';

export const MAX_PAYLOAD = 1024;

export function frame(payload: Uint8Array): string {
  'ram';
  if (payload.length > MAX_PAYLOAD) throw new Error('record too long');
  const bin = toBinary(payload);
  return '\r\n@S1:' + base64(bin) + '*' + toHex(u32(crc32(bin))) + '\r\n';
}
