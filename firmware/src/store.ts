// Crash-safe A/B store in flash (Storage files `<name>.a` and `<name>.b`). Each save writes the
// same sequence-numbered, checksummed image to both files in turn and reads each back, so a power
// cut during one write leaves the other copy whole, and a later flipped byte in one copy is
// tolerated. Load takes the valid copy with the highest sequence number; if both copies exist
// and neither is valid, the state is corrupt (the caller fails closed).
//
// Image: "SIP1" ‖ u32 seq ‖ u16 bodyLength ‖ body ‖ u32 crc32(everything before).
import { ascii, concat, equal, readU32, u32 } from './bytes.ts';
import { crc32, fromBinary, storage, toBinary } from './board.ts';

const MAGIC = ascii('SIP1');
export const LOAD_EMPTY = 0;
export const LOAD_OK = 1;
export const LOAD_CORRUPT = 2;

export interface Loaded {
  status: number;
  body: Uint8Array | null;
}

function parse(image: string | undefined): { seq: number; body: Uint8Array } | null {
  if (image === undefined || image.length < 14) return null;
  const b = fromBinary(image);
  const len = (b[8]! << 8) | b[9]!;
  if (!equal(b.subarray(0, 4), MAGIC) || b.length !== 14 + len) return null;
  if (crc32(image.substring(0, 10 + len)) !== readU32(b, 10 + len)) return null;
  return { seq: readU32(b, 4), body: b.slice(10, 10 + len) };
}

/** One A/B store: its name and the sequence number of the copy last loaded or saved. */
export interface ABStore {
  name: string;
  seq: number;
}

export const abStore = (name: string): ABStore => ({ name: name, seq: 0 });

export function load(store: ABStore): Loaded {
  const s = storage();
  const a = s.read(store.name + '.a');
  const b = s.read(store.name + '.b');
  if (a === undefined && b === undefined) return { status: LOAD_EMPTY, body: null };
  const pa = parse(a);
  const pb = parse(b);
  const best = pa && (!pb || pa.seq >= pb.seq) ? pa : pb;
  // Copy B is first written only after copy A was written and read back, so a lone bad copy is
  // the very first save, torn by a power cut: nothing was ever emitted that depends on it.
  if (!best && (a === undefined || b === undefined)) return { status: LOAD_EMPTY, body: null };
  if (!best) return { status: LOAD_CORRUPT, body: null };
  store.seq = best.seq;
  return { status: LOAD_OK, body: best.body };
}

/** Writes both copies and reads each back; false if flash did not hold what was written. */
export function save(store: ABStore, body: Uint8Array): boolean {
  if (body.length > 0xffff) throw new Error('state too large');
  store.seq = (store.seq + 1) >>> 0;
  const head = concat([MAGIC, u32(store.seq), new Uint8Array([body.length >> 8, body.length & 255]), body]);
  const bin = toBinary(head);
  const image = bin + toBinary(u32(crc32(bin)));
  const s = storage();
  for (let k = 0; k < 2; k++) {
    const name = store.name + (k ? '.b' : '.a');
    s.write(name, image);
    if (s.read(name) !== image) return false;
  }
  return true;
}
