// Cashu error codes (cashubtc/nuts error_codes.md) the mint answers with, as ApiErrors.
import { ApiError } from './http.ts';

export const NutCode = {
  proofVerificationFailed: 10001,
  proofsAlreadySpent: 11001,
  outputsAlreadySigned: 11003,
  transactionNotBalanced: 11005,
  amountOutsideLimit: 11006,
  duplicateInputs: 11007,
  duplicateOutputs: 11008,
  unitsMismatch: 11010,
  unitNotSupported: 11013,
  maxInputsExceeded: 11014,
  maxOutputsExceeded: 11015,
  keysetUnknown: 12001,
  keysetInactive: 12002,
  quoteNotPaid: 20001,
  quoteAlreadyIssued: 20002,
  quoteExpired: 20007,
  /** Not in the NUT table: a quote id the mint never issued. */
  quoteUnknown: 20010,
  /** Not in the NUT table: a NUT-10 spending condition this mint does not enforce. */
  spendingConditionUnsupported: 10010,
} as const;

export function nutError(code: number, detail: string, status = 400): ApiError {
  return new ApiError(status, code, detail);
}
