/**
 * Typed errors of the protocol core. Every rejection carries a stable `code` so callers
 * (HTTP layer, CLI, tests) can tell one failure from another without parsing messages.
 */
export type DecodeErrorCode =
  | 'wrong-length'
  | 'non-canonical-scalar'
  | 'non-canonical-field'
  | 'bad-prefix'
  | 'off-curve'
  | 'not-in-subgroup'
  | 'identity'
  | 'wrong-suite'
  | 'wrong-tag'
  | 'unknown-epoch'
  | 'bad-encoding';

export type ProtocolErrorCode =
  | 'bad-signature'
  | 'high-s'
  | 'unknown-meter'
  | 'retired-meter'
  | 'duplicate-bill'
  | 'already-settled'
  | 'broken-chain'
  | 'missing-previous-bill'
  | 'label-not-increasing'
  | 'wrong-epoch'
  | 'combined-receipt-mismatch'
  | 'bad-receipt'
  | 'receipt-key-mismatch'
  | 'self-check-failed'
  | 'period-mismatch'
  | 'dispute-mismatch'
  | 'bad-params-log'
  | 'zero-scalar';

export type SipsterErrorCode = DecodeErrorCode | ProtocolErrorCode;

export class SipsterError extends Error {
  readonly code: SipsterErrorCode;
  constructor(code: SipsterErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = 'SipsterError';
    this.code = code;
  }
}

/** Decoding failures are SipsterErrors with a decode code; a distinct class lets callers map them to 4xx. */
export class DecodeError extends SipsterError {
  constructor(code: DecodeErrorCode, message: string) {
    super(code, message);
    this.name = 'DecodeError';
  }
}

export function fail(code: SipsterErrorCode, message: string): never {
  throw new SipsterError(code, message);
}

export function decodeFail(code: DecodeErrorCode, message: string): never {
  throw new DecodeError(code, message);
}
