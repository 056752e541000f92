// Payment backends for NUT-04 bolt11 quotes. Sipster runs without Lightning: the test backend
// issues placeholder invoices and reports them paid, either at once (autoPay) or once `pay` is
// called. A real deployment would put a Lightning node or a bank transfer behind this interface.
import { randomBytes } from 'node:crypto';

export interface PaymentBackend {
  readonly name: string;
  /** A payment request for `amount` units of `unit`. */
  createInvoice(amount: number, unit: string): Promise<string>;
  isPaid(request: string): Promise<boolean>;
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
