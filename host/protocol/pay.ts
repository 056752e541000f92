/**
 * The UC-facing pay message: (e, ρ) and nothing else from the meter's side — no counter, no
 * index, no amount — so all pay requests of all households have the same size and shape.
 *   payRequest = u32(e) ‖ ρ(32)       (the one-unit coin travels beside it)
 */
import { concat, Reader, u32 } from './bytes.ts';
import { fail } from './errors.ts';
import type { PinnedParams } from './params-log.ts';

export const PAY_REQUEST_LENGTH = 36;

export interface PayRequest {
  readonly e: number;
  readonly rho: Uint8Array;
}

export function encodePayRequest(p: PayRequest): Uint8Array {
  if (p.rho.length !== 32) throw new RangeError('ρ must be 32 bytes');
  return concat(u32(p.e), p.rho);
}

/** Strict: exact length, and an epoch the UC has published. */
export function decodePayRequest(params: PinnedParams, bytes: Uint8Array): PayRequest {
  const r = new Reader(bytes, 'pay request');
  const e = r.u32();
  const rho = r.bytes(32);
  r.end();
  if (!params.epochKeys.has(e)) fail('unknown-epoch', `no published key for epoch ${e}`);
  return { e, rho };
}
