/** Typed rejection of a record payload; `code` is stable for callers and tests. */
export type RecordErrorCode =
  | 'unknown-type'
  | 'truncated'
  | 'trailing-bytes'
  | 'bad-length'
  | 'bad-flags'
  | 'bad-value'
  | 'bad-message';

export class RecordDecodeError extends Error {
  readonly code: RecordErrorCode;
  constructor(code: RecordErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options);
    this.name = 'RecordDecodeError';
    this.code = code;
  }
}

export function recordFail(code: RecordErrorCode, message: string, cause?: unknown): never {
  throw new RecordDecodeError(code, message, cause === undefined ? undefined : { cause });
}
