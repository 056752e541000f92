// The board's clock as the host sees it, so the wallet's payment and settlement windows run on
// the same time as the meter's billing periods while the rig jumps or accelerates that clock.
// Re-anchored on every rig answer (each carries the board's clock reading and speed).
export interface ClockReading {
  readonly clockMs: number;
  readonly speed?: number;
}

export class BoardClock {
  private clockMs: number;
  private at: number;
  private speed: number;

  constructor(reading: ClockReading) {
    this.clockMs = reading.clockMs;
    this.at = performance.now();
    this.speed = reading.speed ?? 1;
  }

  anchor(reading: ClockReading): void {
    this.clockMs = reading.clockMs;
    this.at = performance.now();
    if (reading.speed !== undefined) this.speed = reading.speed;
  }

  /** Milliseconds since the UNIX epoch on the board's clock. */
  now = (): number => this.clockMs + (performance.now() - this.at) * this.speed;
}
