/**
 * The UC's protocol state in memory: parameters log, epoch secrets, paid tokens and recorded
 * bills. Used by the protocol tests and the in-process demo; the HTTP service (host/uc/) keeps
 * the same state in SQLite/PostgreSQL and calls the same checks.
 */
import { toHex } from './bytes.ts';
import { checkDispute, type DisputeOpening } from './dispute.ts';
import { fail } from './errors.ts';
import { generateEpochKey, encodeEpochKey, type EpochSecret } from './epoch.ts';
import { checkHandover } from './handover.ts';
import { appendEntry, verifyParamsLog, type ParamsBody, type ParamsEntry, type PinnedParams, type Schedule } from './params-log.ts';
import { decodePayRequest, encodePayRequest } from './pay.ts';
import { issueReceipt, type Receipt } from './receipt.ts';
import { checkSettlement, type LedgerView, type RecordedBill } from './settle.ts';
import { meterKeyFromSeed, type MeterKeyPair } from './signature.ts';
import type { Point, Suite } from './suite.ts';
import { signTariff, type Tariff } from './tariff.ts';

export interface MemoryUcOptions extends Schedule {
  readonly suite: Suite;
  readonly ucName: string;
  readonly epochs: readonly number[];
  readonly tariff: Tariff;
}

export class MemoryUc implements LedgerView {
  readonly log: ParamsEntry[] = [];
  readonly logKey: MeterKeyPair;
  private readonly secrets = new Map<number, EpochSecret>();
  private readonly paid = new Map<string, Receipt>();
  private readonly bills = new Map<string, RecordedBill>();
  /** Coins redeemed (one per first payment of a token). */
  coinsRedeemed = 0;
  private pinned: PinnedParams;

  constructor(o: MemoryUcOptions, private readonly rand: (n: number) => Uint8Array) {
    this.logKey = meterKeyFromSeed(rand(32));
    this.append({ kind: 'genesis', ucName: o.ucName, suite: o.suite.id, epochLength: o.epochLength, periodSeconds: o.periodSeconds, originUnix: o.originUnix });
    for (const e of o.epochs) {
      const key = generateEpochKey(o.suite, e, rand);
      this.secrets.set(e, key);
      this.append({ kind: 'epoch-key', key: toHex(encodeEpochKey(o.suite, key)) });
    }
    const t = signTariff(o.suite, o.tariff, this.logKey, rand(32));
    this.append({ kind: 'tariff', message: toHex(t.message), signature: toHex(t.signature) });
    this.pinned = verifyParamsLog(this.log, this.logKey.vk);
  }

  get params(): PinnedParams {
    return this.pinned;
  }

  private append(body: ParamsBody): void {
    this.log.push(appendEntry(this.log, body, this.logKey, this.rand));
    if (this.log.length > 1 || body.kind !== 'genesis') this.pinned = verifyParamsLog(this.log, this.logKey.vk);
  }

  registerMeter(meterId: string, vkM: Uint8Array): void {
    this.append({ kind: 'meter', meterId, vkM: toHex(vkM), firstC: 0 });
  }

  /** Pay (e, ρ, coin): an already-paid ρ returns its stored receipt and spends nothing. */
  pay(request: Uint8Array, redeemCoin: () => void): Receipt {
    const { e, rho } = decodePayRequest(this.pinned, request);
    const id = toHex(request);
    const stored = this.paid.get(id);
    if (stored) return stored;
    const receipt = issueReceipt(this.pinned.suite, this.secrets.get(e)!, rho, this.rand);
    redeemCoin();
    this.coinsRedeemed++;
    this.paid.set(id, receipt);
    return receipt;
  }

  /** Coin-less lookup of a stored receipt. */
  lookup(e: number, rho: Uint8Array): Receipt | undefined {
    return this.paid.get(toHex(encodePayRequest({ e, rho })));
  }

  recordedBill(meterId: string, c: number): RecordedBill | undefined {
    return this.bills.get(`${meterId}/${c}`);
  }

  settle(billMessage: Uint8Array, signature: Uint8Array, C: Point | undefined): RecordedBill {
    const rec = checkSettlement(this.pinned, this, (e) => this.secrets.get(e), billMessage, signature, C);
    this.bills.set(`${rec.meterId}/${rec.c}`, rec);
    return rec;
  }

  /** Dispute: credited = revealed tokens found paid under the bill's epoch; the rest is owed openly. */
  dispute(billMessage: Uint8Array, billSig: Uint8Array, disputeMessage: Uint8Array, disputeSig: Uint8Array, rhos: readonly Uint8Array[]): DisputeOpening & { credited: number; owed: number } {
    const opening = checkDispute(this.pinned, this, billMessage, billSig, disputeMessage, disputeSig, rhos);
    const credited = rhos.filter((rho) => this.lookup(opening.record.e, rho)).length;
    this.bills.set(`${opening.record.meterId}/${opening.record.c}`, opening.record);
    return { ...opening, credited, owed: opening.n - credited };
  }

  handover(message: Uint8Array, signature: Uint8Array): void {
    for (const body of checkHandover(this.pinned, this, message, signature)) this.append(body);
  }

  epochSecretForTests(e: number): EpochSecret {
    return this.secrets.get(e) ?? fail('unknown-epoch', `no epoch ${e}`);
  }
}
