// Emits framed records on the output port, numbering them (bootSeq, recordSeq).
import { concat } from './bytes.ts';
import { outputDevice } from './board.ts';
import { frame } from './frame.ts';
import { recordHeader } from './records.ts';

const dev = outputDevice();
let bootSeq = 0;
/** recordSeq of the next record. */
export let recordSeq = 0;

/** Numbers the records from here on: this boot's bootSeq, recordSeq as the state reserved it. */
export function numberRecords(boot: number, seq: number): void {
  bootSeq = boot;
  recordSeq = seq;
}

export function emit(type: number, body: Uint8Array): void {
  'ram';
  dev.write(frame(concat([recordHeader(type, bootSeq, recordSeq), body])));
  recordSeq = (recordSeq + 1) >>> 0;
}
