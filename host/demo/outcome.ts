// What both demos read back once the wallet has settled: each side's own view of the period (the
// wallet's store, the UC's API, the UC's store), and the board's own timings as summary lines.
import type { MeterRecord } from '../records/decode.ts';
import { openStore } from '../store/open.ts';
import { walletStatus, type WalletStatus } from '../wallet/status.ts';
import { UcClient } from '../wallet/uc-client.ts';
import { boardTimings, formatOp } from './timings.ts';
import type { DemoUc } from './uc.ts';
import type { DemoWallet } from './wallet.ts';

export interface Outcome {
  readonly wallet: WalletStatus;
  readonly period: WalletStatus['periods'][number] | undefined;
  /** The bill's status at the UC ('settled', ...), if it has one. */
  readonly ucBill: string | undefined;
  /** Anonymous pay requests the UC recorded, and the coins its mint redeemed. */
  readonly ucPaid: number;
  readonly ucRedeemed: number;
  readonly settled: boolean;
}

export async function readOutcome(o: { wallet: DemoWallet; uc: DemoUc; relay: boolean; accountToken: string; meterId: string; c: number }): Promise<Outcome> {
  const ws = await walletStatus(o.wallet.db, o.relay ? 'on' : 'off');
  const ucView = await new UcClient({ ucUrl: o.uc.url, accountToken: o.accountToken }).status(o.meterId);
  const ucStore = await openStore(o.uc.db);
  try {
    const ucPaid = Number((await ucStore.all<{ n: number }>('SELECT COUNT(*) AS n FROM uc_paid'))[0]!.n);
    const ucRedeemed = Number((await ucStore.all<{ n: number }>('SELECT COALESCE(SUM(amount), 0) AS n FROM mint_spent'))[0]!.n);
    const ucBill = ucView.bills.find((b) => b.c === o.c)?.status;
    const period = ws.periods.find((p) => p.c === o.c);
    return { wallet: ws, period, ucBill, ucPaid, ucRedeemed, settled: ucBill === 'settled' && period?.state === 'settled' };
  } finally {
    await ucStore.close();
  }
}

/** The board's own timing records of the run, as the summary prints them. */
export function boardTimingLines(records: readonly MeterRecord[]): string[] {
  const t = boardTimings(records);
  return [
    `  board timings     token online ${formatOp(t.get('token-online'))}`,
    `                    fold H(ρ) into S ${formatOp(t.get('fold'))}`,
    `                    bill signing ${formatOp(t.get('sign'))}, BillGen ${formatOp(t.get('billgen'))}, boot KAT ${formatOp(t.get('boot-kat'))}`,
  ];
}
