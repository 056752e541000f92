// The common windows every household uses, from the UC's published schedule, so that the time of
// a payment says nothing about its household: period `label` runs [start(label), start(label+1));
// its tokens are paid in the first half of the next period, its bill settled in the second half.
import type { Schedule } from '../protocol/index.ts';

export interface Window {
  readonly from: number;
  readonly to: number;
}

/** Milliseconds since the epoch at which period `label` starts. */
export function periodStart(s: Schedule, label: number): number {
  return (s.originUnix + label * s.periodSeconds) * 1000;
}

export function paymentWindow(s: Schedule, label: number): Window {
  const from = periodStart(s, label + 1);
  return { from, to: from + (s.periodSeconds * 1000) / 2 };
}

export function settlementWindow(s: Schedule, label: number): Window {
  return { from: paymentWindow(s, label).to, to: periodStart(s, label + 2) };
}

/** A uniformly random instant in what is left of `w` after `now` (now itself if it has passed). */
export function randomInstant(w: Window, now: number, random: () => number): number {
  const from = Math.max(w.from, now);
  if (from >= w.to) return now;
  return Math.floor(from + random() * (w.to - from));
}
