/** The protocol core's public surface: one typed API, the ciphersuite a parameter. */
export * from './errors.ts';
export * from './bytes.ts';
export * from './suite.ts';
export * from './dleq.ts';
export * from './derive.ts';
export * from './messages.ts';
export * from './signature.ts';
export * from './epoch.ts';
export * from './tariff.ts';
export * from './params-log.ts';
export * from './receipt.ts';
export * from './pay.ts';
export * from './combine.ts';
export * from './settle.ts';
export * from './dispute.ts';
export * from './handover.ts';
export * from './memory-uc.ts';
