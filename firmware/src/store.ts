// Crash-safe A/B store in flash (Storage files `<name>.a` and `<name>.b`). Each save writes the
// same sequence-numbered, checksummed image to both files in turn and reads each back, so a power
// cut during one write leaves the other copy whole, and a later flipped byte in one copy is
// tolerated. Load takes the valid copy with the highest sequence number; if both copies exist
// and neither is valid, the state is corrupt (the caller fails closed).
//
// A store saved for every token has slots: each file is `slots` fixed-size slots, created erased,
// and a save writes the next erased slot in place (Storage.write at an offset), so the flash gets
// no new file version. A new version of a file makes Espruino walk every file header in flash,
// discarded versions included, until it compacts: on the 2v29 interpreter a save then grew from
// 3 to 45 ms over 1,400 saves. A full file is recreated (one new version per `slots` saves). Only
// the slot written last in each file counts: an older one holds an older count, or period.
//
// Image: "SIP1" ‖ u32 seq ‖ u16 bodyLength ‖ body ‖ u32 crc32(everything before).
import { ascii, equal, readU32, u32 } from './bytes.ts';
import { crc32, fromBinary, storage, toBinary } from './board.ts';

const MAGIC = ascii('SIP1');

/**
 * One A/B store: the name of its two files (without ".a"/".b"), the sequence number of the copy
 * last loaded or saved, and for a slotted store its slot size and count and the next slot to write.
 */
export interface ABStore {
  file: string;
  seq: number;
  slot: number;
  slots: number;
  next: number;
}

/** A store of whole-file images, or with `slots` slots of `slot` bytes (each image must fit one). */
export const abStore = (file: string, slot?: number, slots?: number): ABStore =>
  ({ file: file, seq: 0, slot: slot || 0, slots: slots || 0, next: 0 });

/** The image that `image` is (a whole file) or starts with (a slot: erased bytes follow it); null if not valid. */
function parse(image: string | undefined, slot: boolean): { seq: number; body: Uint8Array } | null {
  if (!image || image.length < 14) return null;
  const b = fromBinary(image);
  const len = (b[8]! << 8) | b[9]!;
  if (!equal(b.subarray(0, 4), MAGIC) || (slot ? b.length < 14 + len : b.length !== 14 + len)) return null;
  if (crc32(image.substring(0, 10 + len)) !== readU32(b, 10 + len)) return null;
  return { seq: readU32(b, 4), body: b.subarray(10, 10 + len) };
}

/** The slot written last in a file (the highest one not starting erased); -1 if none or no file; 0 without slots. */
function lastSlot(store: ABStore, file: string | undefined): number {
  if (file === undefined) return -1;
  if (!store.slots) return 0;
  for (let k = store.slots - 1; k >= 0; k--) {
    if (file.substring(k * store.slot, k * store.slot + 4) !== ERASED) return k;
  }
  return -1;
}
const ERASED = '\xff\xff\xff\xff';

/** The image in slot k of a file (the whole file without slots). */
const slotImage = (store: ABStore, file: string | undefined, k: number): string | undefined =>
  k < 0 || !file || !store.slots ? file : file.substring(k * store.slot, (k + 1) * store.slot);

/** The body of the valid copy with the highest sequence number; null if none was ever stored; false if the store is corrupt. */
export function load(store: ABStore): Uint8Array | null | false {
  const s = storage();
  const a = s.read(store.file + '.a');
  const b = s.read(store.file + '.b');
  const la = lastSlot(store, a);
  const lb = lastSlot(store, b);
  const pa = la < 0 ? null : parse(slotImage(store, a, la), store.slots > 0);
  const pb = lb < 0 ? null : parse(slotImage(store, b, lb), store.slots > 0);
  const best = pa && (!pb || pa.seq >= pb.seq) ? pa : pb;
  // The next save goes after both files' last slots; a full, missing or unslotted file is recreated.
  const size = store.slot * store.slots;
  store.next = a !== undefined && b !== undefined && a.length === size && b.length === size ? (la > lb ? la : lb) + 1 : store.slots;
  if (best) {
    store.seq = best.seq;
    return best.body;
  }
  // Copy B is first written only after copy A was written and read back, so a lone bad copy is
  // the very first save, torn by a power cut: nothing was ever emitted that depends on it.
  return la < 0 || lb < 0 ? null : false;
}

/** Writes both copies and reads each back; false if flash did not hold what was written. */
export function save(store: ABStore, body: Uint8Array): boolean {
  'ram';
  store.seq = (store.seq + 1) >>> 0;
  // "SIP1" ‖ u32 seq ‖ u16 length ‖ body in one buffer (saved for every token: no per-field arrays).
  const head = new Uint8Array(10 + body.length);
  const v = new DataView(head.buffer);
  head.set(MAGIC, 0);
  v.setUint32(4, store.seq);
  v.setUint16(8, body.length);
  head.set(body, 10);
  const bin = toBinary(head);
  const image = bin + toBinary(u32(crc32(bin)));
  const s = storage();
  // A full slotted file (or none yet) is recreated erased with the image in slot 0.
  if (store.slots && store.next >= store.slots) store.next = 0;
  const off = store.next * store.slot;
  for (let k = 0; k < 2; k++) {
    const name = store.file + (k ? '.b' : '.a');
    if (!store.slots) s.write(name, image);
    else s.write(name, image, off, off ? 0 : store.slot * store.slots);
    if (s.read(name, off, image.length) !== image) return false;
  }
  if (store.slots) store.next++;
  return true;
}
