/**
 * `sipster demo` (npm start): one billing period end to end — meter → wallet → UC — with the
 * wallet's checks at every step, and a summary of what the UC saw and how long each step took.
 */
import { randomBytes } from 'node:crypto';
import { combine, selfCheck } from '../../protocol/combine.ts';
import { MemoryUc } from '../../protocol/memory-uc.ts';
import { encodePayRequest } from '../../protocol/pay.ts';
import { verifyReceipt, type Receipt } from '../../protocol/receipt.ts';
import { getSuite, SUITE_IDS } from '../../protocol/suite.ts';
import { ReferenceMeter } from '../../meter/reference-meter.ts';
import type { TokenRecord } from '../../records/decode.ts';
import { intFlag, parseFlags, UsageError } from '../args.ts';
import { Progress } from '../progress.ts';

export const summary = 'run one billing period end to end and print a settlement summary';

const usage = `usage: sipster demo [--units N] [--suite ${SUITE_IDS.join('|')}]

  --units N   units owed in the period (1–100000, default 300)
  --suite S   ciphersuite (default P256-SHA256)
`;

const ms = (t0: number): number => performance.now() - t0;

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(usage);
    return 0;
  }
  let units: number;
  let suiteId: string;
  try {
    const flags = parseFlags(argv, ['units', 'suite']);
    units = intFlag(flags, 'units', 300, 1, 100_000);
    suiteId = flags.get('suite') ?? 'P256-SHA256';
    if (!(SUITE_IDS as readonly string[]).includes(suiteId)) throw new UsageError(`--suite must be one of ${SUITE_IDS.join(', ')}`);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`sipster demo: ${err.message}\n\n${usage}`);
    return 2;
  }
  const suite = getSuite(suiteId);
  process.stdout.write(`Sipster demo — ${suite.id}, ${units} units, reference meter in process (the virtual board run is \`sipster vboard\` + \`sipster flash\`)\n`);

  const uc = new MemoryUc(
    { suite, ucName: 'Demo Utility', epochLength: 30, periodSeconds: 86_400, originUnix: 1_767_225_600, epochs: [0, 1], tariff: { version: 1, bands: [{ startMinute: 0, microUnitsPerWh: 250_000 }] } },
    randomBytes,
  );
  const meter = new ReferenceMeter({ suite, meterId: 'DEMO-METER-0001', epochLength: 30, tariffVersion: 1 }, randomBytes);
  uc.registerMeter(meter.meterId, meter.vkM);
  const pinned = uc.params;
  process.stdout.write(`UC parameters log: ${uc.log.length} entries, pinned; meter ${meter.meterId} registered (vkM ${Buffer.from(meter.vkM).toString('hex').slice(0, 16)}…)\n`);

  meter.startPeriod(1);
  const tokens: TokenRecord[] = [];
  const receipts: Receipt[] = [];
  let tMeter = 0;
  let tPay = 0;
  let tVerify = 0;
  const bar = new Progress('metering and paying', units);
  for (let k = 0; k < units; k++) {
    let t0 = performance.now();
    const token = meter.tokenGen();
    tMeter += ms(t0);
    t0 = performance.now();
    const receipt = uc.pay(encodePayRequest({ e: token.e, rho: token.rho }), () => {});
    tPay += ms(t0);
    t0 = performance.now();
    verifyReceipt(suite, pinned.epochKeys.get(token.e)!, token.rho, receipt);
    tVerify += ms(t0);
    tokens.push(token);
    receipts.push(receipt);
    bar.update(k + 1);
  }
  let t0 = performance.now();
  const bill = meter.billGen();
  const tBill = ms(t0);
  t0 = performance.now();
  selfCheck(suite, tokens.map((t) => t.rho), bill.r, bill.bill.R);
  const C = combine(suite, pinned.epochKeys.get(bill.bill.e)!, receipts, bill.r, bill.bill.R);
  const tCombine = ms(t0);
  t0 = performance.now();
  const settled = uc.settle(bill.billMessage, bill.beta, C);
  const tSettle = ms(t0);

  const per = (t: number) => `${(t / units).toFixed(2)} ms/unit`;
  process.stdout.write(
    [
      '',
      `units metered        ${units} (bill: n = ${bill.n}, counter c = ${bill.bill.c}, epoch ${bill.bill.e})`,
      `payments             ${receipts.length} one-unit payments, every receipt verified (in-process UC without a mint: \`sipster uc serve\` takes e-cash)`,
      `UC saw               ${receipts.length} × (e, ρ) of 36 bytes, then one bill (${bill.billMessage.length} B) + C (${suite.pointLength} B)`,
      `settlement           ${settled.status.toUpperCase()} (C = a_e·R checked in O(1))`,
      `timings              TokenGen ${per(tMeter)}, receipt issuance ${per(tPay)}, receipt verification ${per(tVerify)}`,
      `                     BillGen ${tBill.toFixed(1)} ms, self-check + Combine ${tCombine.toFixed(1)} ms, Settle ${tSettle.toFixed(2)} ms`,
      '',
    ].join('\n'),
  );
  return settled.status === 'settled' ? 0 : 1;
}
