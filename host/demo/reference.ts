/**
 * `sipster demo --reference`: one billing period end to end in process, with the lead's reference
 * meter and the in-memory UC (either ciphersuite, no board, no mint), and the wallet's checks at
 * every step. Fast: it shows the protocol, not the device.
 */
import { randomBytes } from 'node:crypto';
import { combine, selfCheck } from '../protocol/combine.ts';
import { MemoryUc } from '../protocol/memory-uc.ts';
import { encodePayRequest } from '../protocol/pay.ts';
import { verifyReceipt, type Receipt } from '../protocol/receipt.ts';
import type { Suite } from '../protocol/suite.ts';
import { ReferenceMeter } from '../meter/reference-meter.ts';
import type { TokenRecord } from '../records/decode.ts';
import { Progress } from '../common/progress.ts';

const ms = (t0: number): number => performance.now() - t0;

export async function runReference(suite: Suite, units: number, json = false): Promise<number> {
  // With --json, stdout holds only the summary object; the narration goes to stderr.
  const say = (text: string): void => void (json ? process.stderr : process.stdout).write(text);
  say(`Sipster demo (reference) — ${suite.id}, ${units} units, reference meter in process (the default \`sipster demo\` runs the firmware on the virtual board)\n`);

  const uc = new MemoryUc(
    { suite, ucName: 'Demo Utility', epochLength: 30, periodSeconds: 86_400, originUnix: 1_767_225_600, epochs: [0, 1], tariff: { version: 1, bands: [{ startMinute: 0, microUnitsPerWh: 250_000 }] } },
    randomBytes,
  );
  const meter = new ReferenceMeter({ suite, meterId: 'DEMO-METER-0001', epochLength: 30, tariffVersion: 1 }, randomBytes);
  uc.registerMeter(meter.meterId, meter.vkM);
  const pinned = uc.params;
  say(`UC parameters log: ${uc.log.length} entries, pinned; meter ${meter.meterId} registered (vkM ${Buffer.from(meter.vkM).toString('hex').slice(0, 16)}…)\n`);

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

  const check = suite.pairing ? 'e(C, B2) = e(R, A2_e): one pairing product, checkable by anyone' : 'C = a_e·R checked in O(1)';
  if (json) {
    const perUnit = (t: number): number => Number((t / units).toFixed(3));
    process.stdout.write(`${JSON.stringify({
      mode: 'reference', suite: suite.id, units, bill: { n: bill.n, c: bill.bill.c, epoch: bill.bill.e }, payments: receipts.length,
      settlement: settled.status, check,
      timingsMs: { tokenGenPerUnit: perUnit(tMeter), issuePerUnit: perUnit(tPay), verifyPerUnit: perUnit(tVerify), billGen: Number(tBill.toFixed(2)), combine: Number(tCombine.toFixed(2)), settle: Number(tSettle.toFixed(3)) },
    })}\n`);
    return settled.status === 'settled' ? 0 : 1;
  }
  const per = (t: number) => `${(t / units).toFixed(2)} ms/unit`;
  process.stdout.write(
    [
      '',
      `units metered        ${units} (bill: n = ${bill.n}, counter c = ${bill.bill.c}, epoch ${bill.bill.e})`,
      `payments             ${receipts.length} one-unit payments, every receipt verified (in-process UC without a mint: \`sipster uc serve\` takes e-cash)`,
      `UC saw               ${receipts.length} × (e, ρ) of 36 bytes, then one bill (${bill.billMessage.length} B) + C (${suite.pointLength} B)`,
      `settlement           ${settled.status.toUpperCase()} (${check})`,
      `timings              TokenGen ${per(tMeter)}, receipt issuance ${per(tPay)}, receipt verification ${per(tVerify)}`,
      `                     BillGen ${tBill.toFixed(1)} ms, self-check + Combine ${tCombine.toFixed(1)} ms, Settle ${tSettle.toFixed(2)} ms`,
      '',
    ].join('\n'),
  );
  return settled.status === 'settled' ? 0 : 1;
}
