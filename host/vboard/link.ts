// The board's USB link as the host sees it: every attached transport (TCP console clients, the
// pseudo-terminal relay) receives what the board sends, and what any of them sends reaches the
// board's input, as several programs sharing one serial cable would.

/** What a link needs of a board: its console output, its console input, and being told a host connected. */
export interface ConsoleBoard {
  on(event: 'data', listener: (d: Buffer) => void): unknown;
  input(data: Buffer): void;
  hostConnected(): void;
}

export interface LinkEnd {
  write(data: Buffer): void;
}

export class Link {
  private readonly ends = new Set<LinkEnd>();
  /** Outgoing writes still to be hit by line noise (the rig's /noise). */
  private noisyWrites = 0;
  private noiseSeed = 1;

  constructor(private readonly board: ConsoleBoard) {
    board.on('data', (d: Buffer) => {
      const out = this.noisyWrites > 0 ? this.corrupt(d) : d;
      for (const end of this.ends) end.write(out);
    });
  }

  /** Line noise on the next `writes` board-to-host writes: one flipped bit each and a burst of garbage bytes. */
  addNoise(writes: number): void {
    this.noisyWrites += writes;
  }

  private rand(n: number): number {
    this.noiseSeed = (this.noiseSeed * 1103515245 + 12345) & 0x7fffffff;
    return this.noiseSeed % n;
  }

  private corrupt(d: Buffer): Buffer {
    this.noisyWrites--;
    const out = Buffer.from(d);
    out[this.rand(out.length)]! ^= 1 << this.rand(8);
    const garbage = Buffer.from(Array.from({ length: 8 + this.rand(24) }, () => this.rand(256)));
    return Buffer.concat([out, garbage]);
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
