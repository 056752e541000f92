// Emits framed records on the output port, numbering them (bootSeq, recordSeq).
import { concat } from './bytes.ts';
import { outputDevice } from './board.ts';
import { frame } from './frame.ts';
import { recordHeader } from './records.ts';

export class Output {
  bootSeq: number;
  /** recordSeq of the next record. */
  seq: number;
  private readonly dev: { write(data: string): void };
  constructor() {
    this.dev = outputDevice();
    this.bootSeq = 0;
    this.seq = 0;
  }

  emit(type: number, body: Uint8Array): void {
    this.dev.write(frame(concat([recordHeader(type, this.bootSeq, this.seq), body])));
    this.seq = (this.seq + 1) >>> 0;
  }
}
