// Crash-safe A/B store in flash (Storage files `<name>.a` and `<name>.b`). Each save writes the
// same sequence-numbered, checksummed image to both files in turn and reads each back, so a power
// cut during one write leaves the other copy whole, and a later flipped byte in one copy is
// tolerated. Load takes the valid copy with the highest sequence number; if both copies exist
// and neither is valid, the state is corrupt (the caller fails closed).
//
// Image: "SIP1" ‖ u32 seq ‖ u16 bodyLength ‖ body ‖ u32 crc32(everything before).
import { ascii, concat, equal, lp, readU32, u32 } from './bytes.ts';
import { crc32, fromBinary, storage, toBinary } from './board.ts';

const MAGIC = ascii('SIP1');

/** One A/B store: the name of its two files (without ".a"/".b") and the sequence number of the copy last loaded or saved. */
export interface ABStore {
  file: string;
  seq: number;
}

export const abStore = (file: string): ABStore => ({ file: file, seq: 0 });

function parse(image: string | undefined): { seq: number; body: Uint8Array } | null {
  if (!image || image.length < 14) return null;
  const b = fromBinary(image);
  const len = (b[8]! << 8) | b[9]!;
  if (!equal(b.subarray(0, 4), MAGIC) || b.length !== 14 + len) return null;
  if (crc32(image.substring(0, 10 + len)) !== readU32(b, 10 + len)) return null;
  return { seq: readU32(b, 4), body: b.subarray(10, 10 + len) };
}

/** The body of the valid copy with the highest sequence number; null if none was ever stored; false if the store is corrupt. */
export function load(store: ABStore): Uint8Array | null | false {
  const s = storage();
  const a = s.read(store.file + '.a');
  const b = s.read(store.file + '.b');
  const pa = parse(a);
  const pb = parse(b);
  const best = pa && (!pb || pa.seq >= pb.seq) ? pa : pb;
  if (best) {
    store.seq = best.seq;
    return best.body;
  }
  // Copy B is first written only after copy A was written and read back, so a lone bad copy is
  // the very first save, torn by a power cut: nothing was ever emitted that depends on it.
  return a === undefined || b === undefined ? null : false;
}

/** Writes both copies and reads each back; false if flash did not hold what was written. */
export function save(store: ABStore, body: Uint8Array): boolean {
  store.seq = (store.seq + 1) >>> 0;
  const head = concat([MAGIC, u32(store.seq), lp(body)]);
  const bin = toBinary(head);
  const image = bin + toBinary(u32(crc32(bin)));
  const s = storage();
  for (let k = 0; k < 2; k++) {
    const name = store.file + (k ? '.b' : '.a');
    s.write(name, image);
    if (s.read(name) !== image) return false;
  }
  return true;
}
