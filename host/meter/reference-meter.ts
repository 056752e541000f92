/**
 * Reference meter: the meter's behaviour (DESIGN.md) in Node on @noble/curves, emitting exactly
 * the record payloads the firmware emits (same encoders, firmware/src/records.ts), deterministic
 * from a seed so vectors reproduce. It is the oracle the firmware is checked against.
 *
 * It keeps κ and skM inside, as a device would; `identityForTests` exists so attack tests can
 * forge what a compromised meter could sign.
 */
import { billBody, bootBody, handoverBody, recordHeader, tokenBody, REC_BILL, REC_BOOT, REC_HANDOVER, REC_TOKEN, NONE, STATUS_OPERATING } from '../../firmware/src/records.ts';
import { concat, utf8 } from '../protocol/bytes.ts';
import { billScalar, periodSeed, tokenPoint, tokenRho } from '../protocol/derive.ts';
import { epochOf } from '../protocol/epoch.ts';
import { billHash, encodeBillMessage, encodeDisputeMessage, encodeHandoverMessage, ZERO_HASH } from '../protocol/messages.ts';
import { meterKeyFromSeed, signMessage, type MeterKeyPair } from '../protocol/signature.ts';
import type { Point, Suite } from '../protocol/suite.ts';
import { decodeTariff, MICRO_UNITS_PER_UNIT, rateAt, type Tariff } from '../protocol/tariff.ts';
import { decodeRecord, type BillRecord, type BootRecord, type HandoverRecord, type MeterRecord, type TokenRecord } from '../records/decode.ts';
import type { RandomSource } from './drbg.ts';

export interface MeterProvisioning {
  readonly suite: Suite;
  readonly meterId: string;
  readonly epochLength: number;
  readonly tariffVersion: number;
  /** The UC-signed tariff, verified before use, for metering Wh; without it the meter is driven unit by unit (tokenGen). */
  readonly signedTariff?: { readonly message: Uint8Array; readonly signature: Uint8Array; readonly ucLogVk: Uint8Array };
  /** Replacement device: counter and chain continue from the handover. */
  readonly firstC?: number;
  readonly prevBillHash?: Uint8Array;
}

interface OpenPeriod {
  readonly c: number;
  readonly periodLabel: number;
  readonly e: number;
  readonly seed: Uint8Array;
  n: number;
  S: Point;
}

interface ClosedPeriod {
  readonly period: OpenPeriod;
  readonly bill: Uint8Array;
}

export class ReferenceMeter {
  readonly suite: Suite;
  readonly meterId: string;
  readonly vkM: Uint8Array;
  private readonly kappa: Uint8Array;
  private readonly identity: MeterKeyPair;
  private readonly rand: RandomSource;
  private readonly epochLength: number;
  private readonly tariffVersion: number;
  private nextC: number;
  private prev: Uint8Array;
  private open: OpenPeriod | undefined;
  private closed: ClosedPeriod | undefined;
  private retired = false;
  private readonly tariff: Tariff | undefined;
  /** Micro-units owed but not yet a whole unit (carried within the period). */
  private carried = 0;
  private bootSeq = 0;
  private recordSeq = 0;

  /** First boot: κ and the identity key come from the device's randomness; only vkM leaves. */
  constructor(p: MeterProvisioning, rand: RandomSource) {
    this.suite = p.suite;
    this.meterId = p.meterId;
    this.epochLength = p.epochLength;
    this.tariffVersion = p.tariffVersion;
    const t = p.signedTariff;
    this.tariff = t && decodeTariff(p.suite, t.message, t.signature, t.ucLogVk);
    if (this.tariff && this.tariff.version !== p.tariffVersion) throw new RangeError('tariff version mismatch');
    this.rand = rand;
    this.kappa = rand(32);
    let key: MeterKeyPair | undefined;
    while (!key) {
      try {
        key = meterKeyFromSeed(rand(32));
      } catch {
        // not a valid scalar: draw again, as the device does
      }
    }
    this.identity = key;
    this.vkM = key.vk;
    this.nextC = p.firstC ?? 0;
    this.prev = p.prevBillHash ?? ZERO_HASH;
  }

  get identityForTests(): MeterKeyPair {
    return this.identity;
  }

  get currentPeriod(): { c: number; periodLabel: number; n: number } | undefined {
    return this.open && { c: this.open.c, periodLabel: this.open.periodLabel, n: this.open.n };
  }

  private emit(type: number, body: Uint8Array): MeterRecord {
    const payload = concat(recordHeader(type, this.bootSeq, this.recordSeq++), body);
    return decodeRecord(payload);
  }

  boot(): BootRecord {
    this.bootSeq++;
    return this.emit(
      REC_BOOT,
      bootBody(
        new Uint8Array(0), utf8(this.suite.id), utf8(this.meterId), this.vkM, true, false, STATUS_OPERATING,
        this.open?.c ?? this.nextC, this.open?.periodLabel ?? 0, this.open?.n ?? 0, this.open?.n ?? 0,
        this.closed ? this.closed.period.c : NONE, this.tariffVersion,
      ),
    ) as BootRecord;
  }

  /** Period start: a fresh seed for the next counter, bound to κ, fresh randomness and the identity. */
  startPeriod(periodLabel: number): void {
    if (this.retired) throw new Error('meter is retired');
    if (this.open) throw new Error(`period ${this.open.c} is still open`);
    const c = this.nextC;
    const seed = periodSeed(this.suite, this.kappa, this.rand(32), this.meterId, this.vkM, c);
    this.open = { c, periodLabel, e: epochOf(periodLabel, this.epochLength), seed, n: 0, S: this.suite.zero };
  }

  /** TokenGen: ρ_i out at once; H(ρ_i) folded into the running sum S. */
  tokenGen(): TokenRecord {
    const p = this.open;
    if (!p) throw new Error('no open period');
    const i = p.n;
    const rho = tokenRho(p.seed, p.c, i);
    p.S = p.S.add(tokenPoint(this.suite, rho));
    p.n = i + 1;
    return this.tokenRecord(p, i, rho, false);
  }

  private tokenRecord(p: OpenPeriod, i: number, rho: Uint8Array, replay: boolean): TokenRecord {
    return this.emit(REC_TOKEN, tokenBody(replay ? 1 : 0, p.c, i, p.e, p.periodLabel, rho)) as TokenRecord;
  }

  /** One metered Wh at a minute of the day: the tariff's micro-units accrue; each whole unit is a token. */
  meterWh(minuteOfDay: number): TokenRecord[] {
    if (!this.tariff) throw new Error('meter has no tariff');
    this.carried += rateAt(this.tariff, minuteOfDay);
    const out: TokenRecord[] = [];
    while (this.carried >= MICRO_UNITS_PER_UNIT) {
      this.carried -= MICRO_UNITS_PER_UNIT;
      out.push(this.tokenGen());
    }
    return out;
  }

  /** BillGen: r from the seed, R = S − r·B, β over billMessage (chained), dispute record; closes c. */
  billGen(): BillRecord {
    const p = this.open;
    if (!p) throw new Error('no open period');
    const r = billScalar(this.suite, p.seed);
    const R = p.S.subtract(this.suite.mul(this.suite.B, r));
    const billMessage = encodeBillMessage(this.suite, {
      meterId: this.meterId, c: p.c, periodLabel: p.periodLabel, e: p.e, R, tariffVersion: this.tariffVersion, prev: this.prev,
    });
    const beta = signMessage(this.identity, billMessage, this.rand(32));
    const disputeMessage = encodeDisputeMessage(this.suite, { meterId: this.meterId, c: p.c, n: p.n, r, billHash: billHash(billMessage) });
    const disputeSig = signMessage(this.identity, disputeMessage, this.rand(32));
    const body = billBody(0, billMessage, beta, this.suite.encodeScalar(r), p.n, disputeMessage, disputeSig);
    this.closed = { period: p, bill: body };
    this.prev = billHash(billMessage);
    this.nextC = p.c + 1;
    this.open = undefined;
    return this.emit(REC_BILL, body) as BillRecord;
  }

  /** Troubleshooting signal: re-send the last closed period (tokens and the unchanged bill) and the open one. */
  replay(): MeterRecord[] {
    const out: MeterRecord[] = [];
    if (this.closed) {
      const p = this.closed.period;
      for (let i = 0; i < p.n; i++) out.push(this.tokenRecord(p, i, tokenRho(p.seed, p.c, i), true));
      const bill = this.closed.bill.slice();
      bill[0] = 1; // replay flag; the signed content is byte-identical
      out.push(this.emit(REC_BILL, bill));
    }
    if (this.open) {
      const p = this.open;
      for (let i = 0; i < p.n; i++) out.push(this.tokenRecord(p, i, tokenRho(p.seed, p.c, i), true));
    }
    return out;
  }

  /** Final step before replacement: the handover record names the last bill and the new device's key. */
  handover(newVkM: Uint8Array): HandoverRecord {
    if (this.open) throw new Error('issue the final bill first');
    if (!this.closed) throw new Error('no bill to hand over from');
    const message = encodeHandoverMessage(this.suite, {
      meterId: this.meterId, oldVkM: this.vkM, lastC: this.closed.period.c, lastBillHash: this.prev, newVkM,
    });
    this.retired = true;
    return this.emit(REC_HANDOVER, handoverBody(message, signMessage(this.identity, message, this.rand(32)))) as HandoverRecord;
  }

  /** Chain position a replacement device continues from. */
  get chainHead(): { lastC: number; lastBillHash: Uint8Array } {
    return { lastC: this.nextC - 1, lastBillHash: this.prev };
  }
}
