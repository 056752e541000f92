// Test helpers: a console client that collects what a board sends and waits for patterns.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualBoard, type BoardOptions } from '../board.ts';

export function tempFlash(): string {
  return join(mkdtempSync(join(tmpdir(), 'vboard-test-')), 'flash.json');
}

export class Terminal {
  text = '';
  constructor(readonly board: VirtualBoard) {
    board.on('data', (d: Buffer) => {
      this.text += d.toString('latin1');
    });
  }

  type(s: string): void {
    this.board.input(Buffer.from(s, 'latin1'));
  }

  /** Waits until the output since `from` matches; returns the output since `from`. */
  async until(re: RegExp, from = 0, timeoutMs = 5000): Promise<string> {
    const t0 = Date.now();
    while (!re.test(this.text.slice(from))) {
      if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${re} in ${JSON.stringify(this.text.slice(from))}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    return this.text.slice(from);
  }

  /** Runs a line with echo and returns the "=value" the console prints. */
  async eval(code: string): Promise<string> {
    const from = this.text.length;
    this.type(code + '\n');
    const out = await this.until(/\r\n(=[^]*?|Uncaught [^]*?)\r\n>$/, from);
    const m = /\r\n(=([^]*?)|(Uncaught [^]*?))\r\n>$/.exec(out)!;
    return m[2] !== undefined ? m[2] : m[3]!;
  }

  async settle(ms = 30): Promise<void> {
    await new Promise((r) => setTimeout(r, ms));
  }
}

export async function startBoard(opts: Partial<BoardOptions> = {}): Promise<{ board: VirtualBoard; term: Terminal }> {
  const board = new VirtualBoard({ flashPath: tempFlash(), ...opts });
  const term = new Terminal(board);
  await board.powerOn();
  await term.until(/>$/);
  return { board, term };
}
