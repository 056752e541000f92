// Payment backends for NUT-04 bolt11 quotes. Sipster runs without Lightning. A utility's mint is
// paid by the household through a payment provider: the provider backend issues a payment
// reference naming the quote, and the quote becomes PAID only when the provider's signed webhook
// says so (host/mint/webhook.ts, Mint.applyPayment). The test backend issues placeholder invoices
// and reports them paid, at once (autoPay: e-cash for free, for tests and the demo only) or once
// `pay` is called.
import { randomBytes } from 'node:crypto';

export interface PaymentBackend {
  readonly name: string;
  /** A payment request for `amount` units of `unit`, for the quote `quote`. */
  createInvoice(amount: number, unit: string, quote: string): Promise<string>;
  isPaid(request: string): Promise<boolean>;
}

/** Quotes are paid by the provider's webhook alone: nothing here ever reports a payment. */
export class ProviderPaymentBackend implements PaymentBackend {
  readonly name = 'provider';

  async createInvoice(amount: number, unit: string, quote: string): Promise<string> {
    return `sipster-pay:${quote}?amount=${amount}&unit=${unit}`;
  }

  async isPaid(): Promise<boolean> {
    return false;
  }
}

export class TestPaymentBackend implements PaymentBackend {
  readonly name = 'test';
  private readonly paid = new Set<string>();

  constructor(private readonly autoPay: boolean) {}

  async createInvoice(amount: number, unit: string): Promise<string> {
    return `lntest${amount}${unit}1${randomBytes(20).toString('hex')}`;
  }

  async isPaid(request: string): Promise<boolean> {
    return this.autoPay || this.paid.has(request);
  }

  /** Marks an invoice paid (what the payer's Lightning node would do). */
  pay(request: string): void {
    this.paid.add(request);
  }
}
