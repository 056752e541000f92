// The UC's error codes: every protocol rejection (SipsterError code) maps to one HTTP status
// and one stable number, so a client can tell them apart without parsing text. Numbers are in
// 50000–52999, clear of the Cashu NUT table (the mint's codes pass through unchanged).
import { ApiError } from '../mint/http.ts';
import { SipsterError, type SipsterErrorCode } from '../protocol/index.ts';

const PROTOCOL: Record<SipsterErrorCode, [status: number, code: number]> = {
  'wrong-length': [400, 50001],
  'non-canonical-scalar': [400, 50002],
  'non-canonical-field': [400, 50003],
  'bad-prefix': [400, 50004],
  'off-curve': [400, 50005],
  'not-in-subgroup': [400, 50006],
  identity: [400, 50007],
  'wrong-suite': [400, 50008],
  'wrong-tag': [400, 50009],
  'unknown-epoch': [400, 50010],
  'bad-encoding': [400, 50011],
  'bad-signature': [400, 51001],
  'high-s': [400, 51002],
  'unknown-meter': [404, 51003],
  'retired-meter': [409, 51004],
  'duplicate-bill': [409, 51005],
  'already-settled': [409, 51006],
  'broken-chain': [409, 51007],
  'missing-previous-bill': [409, 51008],
  'label-not-increasing': [409, 51009],
  'wrong-epoch': [400, 51010],
  'combined-receipt-mismatch': [400, 51011],
  'bad-receipt': [400, 51012],
  'receipt-key-mismatch': [400, 51013],
  'self-check-failed': [400, 51014],
  'period-mismatch': [400, 51015],
  'dispute-mismatch': [400, 51016],
  'bad-params-log': [500, 51017],
  'zero-scalar': [400, 51018],
};

export const UcCode = {
  unauthorized: 52001,
  notPaid: 52002,
  coinNotOneUnit: 52003,
  // Oblivious HTTP (RFC 9458) requests the gateway cannot open: sent unencapsulated.
  ohttpMalformed: 53001,
  ohttpUnknownKey: 53002,
  ohttpUnsupportedSuite: 53003,
  ohttpDecryptFailed: 53004,
  ohttpReplay: 53005,
} as const;

/** Turns a protocol rejection into the ApiError the HTTP layer sends; other errors pass through. */
export function toApiError(err: unknown): unknown {
  if (err instanceof SipsterError) {
    const [status, code] = PROTOCOL[err.code] ?? [400, 50000];
    return new ApiError(status, code, err.message);
  }
  return err;
}

export function unauthorized(): ApiError {
  return new ApiError(401, UcCode.unauthorized, 'missing or wrong account token');
}
