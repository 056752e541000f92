// The board's USB link as the host sees it: every attached transport (TCP console clients, the
// pseudo-terminal relay) receives what the board sends, and what any of them sends reaches the
// board's input, as several programs sharing one serial cable would.
import type { VirtualBoard } from './board.ts';

export interface LinkEnd {
  write(data: Buffer): void;
}

export class Link {
  private readonly ends = new Set<LinkEnd>();

  constructor(private readonly board: VirtualBoard) {
    board.on('data', (d: Buffer) => {
      for (const end of this.ends) end.write(d);
    });
  }

  attach(end: LinkEnd): () => void {
    this.ends.add(end);
    this.board.hostConnected();
    return () => {
      this.ends.delete(end);
    };
  }

  receive(data: Buffer): void {
    this.board.input(data);
  }
}
