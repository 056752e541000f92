// Per-client rate limit (a token bucket per client address): quote creation is unauthenticated,
// so without it one client can fill the store with quotes. Memory is bounded: at most MAX_CLIENTS
// buckets, the least recently used dropped first (a dropped client starts again with a full bucket).
const MAX_CLIENTS = 10_000;

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  /** `perMinute` requests a minute per client, in bursts of up to `burst`. */
  constructor(
    private readonly perMinute: number,
    private readonly burst: number = perMinute,
    private readonly now: () => number = Date.now,
  ) {}

  /** True if `client` may make one more request now (and counts it). */
  take(client: string): boolean {
    const now = this.now();
    const b = this.buckets.get(client) ?? { tokens: this.burst, at: now };
    this.buckets.delete(client); // re-inserted as the most recently used
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) * this.perMinute) / 60_000);
    b.at = now;
    const ok = b.tokens >= 1;
    if (ok) b.tokens -= 1;
    this.buckets.set(client, b);
    if (this.buckets.size > MAX_CLIENTS) this.buckets.delete(this.buckets.keys().next().value!);
    return ok;
  }
}
