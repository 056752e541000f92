/** A progress bar on a TTY; on a pipe or in CI, a line every 10 %. */
export class Progress {
  private lastDecile = -1;
  private readonly tty = Boolean(process.stderr.isTTY) && !process.env.CI;

  constructor(private readonly label: string, private readonly total: number) {}

  update(done: number): void {
    const frac = this.total === 0 ? 1 : done / this.total;
    if (this.tty) {
      const width = 30;
      const fill = Math.round(frac * width);
      process.stderr.write(`\r${this.label} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${done}/${this.total}`);
      if (done === this.total) process.stderr.write('\n');
      return;
    }
    const decile = Math.floor(frac * 10);
    if (decile !== this.lastDecile) {
      this.lastDecile = decile;
      process.stderr.write(`${this.label}: ${done}/${this.total} (${decile * 10}%)\n`);
    }
  }
}
