// `sipster wallet status`: balance, unpaid tokens, periods, debts and results, read from the
// wallet's store (the daemon need not be running).
import type { Db } from '../store/db.ts';
import { migrate } from '../store/db.ts';
import { walletSchema } from '../store/schema/wallet.ts';
import type { MeterPortState } from './daemon.ts';

export interface WalletStatus {
  readonly privacy: 'on' | 'off';
  /** The meter port as `wallet run` last saw it; null if it never ran on this store. */
  readonly meterPort: MeterPortState | null;
  readonly coins: Readonly<Record<string, number>>;
  /** forged: tokens the signed bill showed were not the meter's (never paid, or a coin lost each). */
  readonly tokens: { readonly unpaid: number; readonly paid: number; readonly forged?: number };
  readonly periods: readonly { c: number; periodLabel: number; n: number; paid: number; state: string; detail: string | null }[];
  readonly debts: readonly number[];
}

export async function walletStatus(db: Db, privacy: 'on' | 'off'): Promise<WalletStatus> {
  await migrate(db, walletSchema);
  const coins: Record<string, number> = { available: 0, reserved: 0, spent: 0, lost: 0 };
  for (const r of await db.all<{ state: string; n: number }>('SELECT state, COUNT(*) AS n FROM w_coins GROUP BY state')) coins[r.state] = Number(r.n);
  const tokens: { unpaid: number; paid: number; forged?: number } = { unpaid: 0, paid: 0 };
  for (const r of await db.all<{ state: string; n: number }>('SELECT state, COUNT(*) AS n FROM w_tokens GROUP BY state')) {
    if (r.state === 'paid') tokens.paid = Number(r.n);
    else if (r.state === 'forged') tokens.forged = Number(r.n);
    else tokens.unpaid += Number(r.n);
  }
  const periods = await db.all<{ c: number; period_label: number; n: number; state: string; detail: string | null }>('SELECT c, period_label, n, state, detail FROM w_periods ORDER BY c');
  const paidPer = new Map<number, number>();
  for (const r of await db.all<{ c: number; n: number }>("SELECT c, COUNT(*) AS n FROM w_tokens WHERE state = 'paid' GROUP BY c")) paidPer.set(r.c, Number(r.n));
  const [port] = await db.all<{ value: string }>("SELECT value FROM w_meta WHERE key = 'meter-port'");
  return {
    privacy,
    meterPort: port ? (JSON.parse(port.value) as MeterPortState) : null,
    coins,
    tokens,
    periods: periods.map((p) => ({ c: p.c, periodLabel: p.period_label, n: p.n, paid: paidPer.get(p.c) ?? 0, state: p.state, detail: p.detail })),
    debts: periods.filter((p) => p.state === 'debt').map((p) => p.c),
  };
}

function meterLine(p: MeterPortState | null): string {
  if (!p) return '`wallet run` has not run on this store yet';
  if (p.path === null) return 'NO PORT given to `wallet run` (--port): no meter records are received';
  const since = new Date(p.since).toISOString();
  return p.open ? `${p.path} open (since ${since})` : `${p.path} CANNOT BE USED since ${since}: ${p.problem ?? 'unknown'}`;
}

export function formatStatus(s: WalletStatus): string {
  const lines = [
    `privacy:  ${s.privacy === 'on' ? 'on (payments go through the relay)' : 'OFF (no relay configured: the UC sees where payments come from)'}`,
    `meter:    ${meterLine(s.meterPort)}`,
    `balance:  ${s.coins.available} coins available, ${s.coins.reserved} bound to pending payments, ${s.coins.spent} spent${s.coins.lost ? `, ${s.coins.lost} lost` : ''}`,
    `tokens:   ${s.tokens.unpaid} unpaid, ${s.tokens.paid} paid${s.tokens.forged ? `, ${s.tokens.forged} forged (not the meter's)` : ''}`,
    `debts:    ${s.debts.length ? s.debts.map((c) => `period ${c}`).join(', ') : 'none'}`,
    'periods:',
    ...(s.periods.length ? s.periods.map((p) => `  c=${p.c} label=${p.periodLabel} units=${p.n} paid=${p.paid} ${p.state}${p.detail ? ` (${p.detail})` : ''}`) : ['  none yet']),
  ];
  return lines.join('\n');
}
