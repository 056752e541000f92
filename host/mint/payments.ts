// How a served mint gets paid, from the service commands' options (`mint serve`, `uc serve`):
//   --payments provider  quotes are paid by the payment provider's signed webhooks; the shared
//                        secret comes from SIPSTER_PAYMENTS_WEBHOOK_SECRET or --webhook-secret-file
//                        (never the command line, where ps shows it)
//   --payments test      every quote is PAID at once: free e-cash, for tests and the demo only
// There is no default: a mint that gives e-cash away must be asked for by name.
import { readFileSync } from 'node:fs';
import { ProviderPaymentBackend, TestPaymentBackend, type PaymentBackend } from './backend.ts';
import { OptionError, type OptionSpec, type OptionValues } from '../common/options.ts';
import { MIN_SECRET_LENGTH, WEBHOOK_PATH } from './webhook.ts';

export const paymentOptions: OptionSpec[] = [
  { name: 'payments', env: 'SIPSTER_PAYMENTS', kind: 'string', choices: ['provider', 'test'], help: "how quotes get paid: provider (signed webhooks) or test (every quote paid at once: free e-cash); required" },
  { name: 'webhook-secret-file', env: 'SIPSTER_PAYMENTS_WEBHOOK_SECRET_FILE', kind: 'string', help: "file holding the provider's webhook secret (or the secret itself in SIPSTER_PAYMENTS_WEBHOOK_SECRET)" },
  { name: 'quote-rate', env: 'SIPSTER_QUOTE_RATE', kind: 'int', default: 60, min: 1, max: 1_000_000, help: 'mint quotes one client may create per minute' },
];

export interface Payments {
  readonly backend: PaymentBackend;
  readonly webhookSecret?: string;
  readonly quotesPerMinute: number;
  /** For the `serving` line. */
  readonly description: string;
  /** Said loudly at start (the test backend). */
  readonly warning?: string;
}

/** The payment setup the options ask for; an OptionError when they ask for none or an unsafe one. */
export function paymentsFrom(v: OptionValues, env: NodeJS.ProcessEnv = process.env): Payments {
  const quotesPerMinute = v['quote-rate'] as number;
  if (v.payments === undefined) {
    throw new OptionError(
      'no payment backend: give --payments provider (with the webhook secret in SIPSTER_PAYMENTS_WEBHOOK_SECRET or --webhook-secret-file) ' +
        'or, for tests and demos only, --payments test (every quote paid without payment)',
    );
  }
  if (v.payments === 'test') {
    return {
      backend: new TestPaymentBackend(true),
      quotesPerMinute,
      description: 'TEST backend: every quote PAID without payment (free e-cash)',
      warning: 'TEST PAYMENTS (--payments test): every mint quote is PAID without payment, so this e-cash is free; never serve households with it',
    };
  }
  let secret = env.SIPSTER_PAYMENTS_WEBHOOK_SECRET;
  const file = v['webhook-secret-file'] as string | undefined;
  if (file !== undefined) {
    if (secret) throw new OptionError('give the webhook secret once: SIPSTER_PAYMENTS_WEBHOOK_SECRET or --webhook-secret-file');
    try {
      secret = readFileSync(file, 'utf8').trim();
    } catch (err) {
      throw new OptionError(`cannot read --webhook-secret-file ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
  if (!secret) throw new OptionError('--payments provider needs the webhook secret: SIPSTER_PAYMENTS_WEBHOOK_SECRET or --webhook-secret-file');
  if (secret.length < MIN_SECRET_LENGTH) throw new OptionError(`the webhook secret must be at least ${MIN_SECRET_LENGTH} characters`);
  return { backend: new ProviderPaymentBackend(), webhookSecret: secret, quotesPerMinute, description: `provider (signed webhooks at ${WEBHOOK_PATH})` };
}
