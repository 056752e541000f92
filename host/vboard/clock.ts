// The board's clock in virtual milliseconds. It runs at `speed` × real time and can be jumped
// forward by the rig; it keeps running through power cuts (a battery-backed RTC), so the meter's
// notion of the billing period survives them as on a board with an RTC.
export class VirtualClock {
  private baseVirtual: number;
  private baseReal: number;
  private rate: number;

  constructor(startMs: number = Date.now(), speed = 1) {
    this.baseVirtual = startMs;
    this.baseReal = performance.now();
    this.rate = speed;
  }

  now(): number {
    return this.baseVirtual + (performance.now() - this.baseReal) * this.rate;
  }

  get speed(): number {
    return this.rate;
  }

  set speed(s: number) {
    if (!(s > 0 && Number.isFinite(s))) throw new RangeError(`clock speed must be a positive number, got ${s}`);
    this.rebase(this.now());
    this.rate = s;
  }

  /** Sets the clock (setTime on the board, or the rig jumping time forward). */
  set(ms: number): void {
    if (!Number.isFinite(ms)) throw new RangeError(`clock time must be finite, got ${ms}`);
    this.rebase(ms);
  }

  /** Real milliseconds until the clock reads `ms` (0 if past). */
  realDelayUntil(ms: number): number {
    return Math.max(0, (ms - this.now()) / this.rate);
  }

  private rebase(v: number): void {
    this.baseVirtual = v;
    this.baseReal = performance.now();
  }
}
