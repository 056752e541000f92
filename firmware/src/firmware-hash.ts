// The firmware hash in the boot record: SHA-256 of the code exactly as it is stored in flash and
// executed. The flasher writes dist/meter.min.js byte for byte to the Storage file FIRMWARE_FILE
// and makes the board boot it with `eval(require("Storage").read("sipster.js"))` (the Bangle.js
// `load()` pattern: the code runs from memory-mapped flash, not from RAM). At boot the meter
// hashes that file with the native SHA-256, so the value is computed by the device over the
// bytes it runs, and a household compares it with SHA-256(dist/meter.min.js) of the published,
// reproducible build (`npm run build`; `sha256sum dist/meter.min.js`). If the code did not come
// from that file (e.g. sent to RAM over the REPL during development), the hash is reported empty.
import { nativeSha256, storage } from './board.ts';
import { EMPTY } from './bytes.ts';

export const FIRMWARE_FILE = 'sipster.js';

export function firmwareHash(): Uint8Array {
  const code = storage().read(FIRMWARE_FILE);
  return code === undefined ? EMPTY : nativeSha256(code);
}
