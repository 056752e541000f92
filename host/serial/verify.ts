// What a host can check about a meter's record stream by itself: boot records name the meter's
// vkM; every bill and dispute signature verifies under it; no (c, i) ever carries two different
// ρ; and once all n tokens of a closed period are held, the wallet's self-check
// Σ H(ρ_i) − r·B = R holds (host/protocol's selfCheck).
import { bytesToHex } from '@noble/hashes/utils.js';
import { selfCheck } from '../protocol/combine.ts';
import { verifySignature } from '../protocol/signature.ts';
import type { BillRecord, MeterRecord } from '../records/decode.ts';

/** ok: null is a check that could not be made (no vkM known yet): neither a pass nor a failure. */
export type Check =
  | { readonly ok: true; readonly what: string }
  | { readonly ok: false; readonly what: string; readonly detail: string }
  | { readonly ok: null; readonly what: string; readonly detail: string };

export class StreamVerifier {
  /** `vkM`: the meter's key if known from elsewhere (the UC's registry); boot records set it too. */
  constructor(private vkM: Uint8Array | null = null) {}
  /** ρ by "c:i". */
  private readonly tokens = new Map<string, Uint8Array>();
  private readonly bills = new Map<number, BillRecord>();

  tokensOf(c: number): Uint8Array[] | undefined {
    const bill = this.bills.get(c);
    const n = bill?.n;
    if (n === undefined) return undefined;
    const out: Uint8Array[] = [];
    for (let i = 0; i < n; i++) {
      const rho = this.tokens.get(`${c}:${i}`);
      if (!rho) return undefined;
      out.push(rho);
    }
    return out;
  }

  /** Missing token indices of period c, once its bill is known. */
  missing(c: number): number[] {
    const n = this.bills.get(c)?.n ?? 0;
    const out: number[] = [];
    for (let i = 0; i < n; i++) if (!this.tokens.has(`${c}:${i}`)) out.push(i);
    return out;
  }

  get meterKey(): Uint8Array | null {
    return this.vkM;
  }

  check(rec: MeterRecord): Check[] {
    switch (rec.kind) {
      case 'boot':
        if (rec.vkM) this.vkM = rec.vkM;
        return [rec.katOk ? { ok: true, what: 'KAT passed' } : { ok: false, what: 'KAT', detail: 'the board reports its known-answer tests failed' }];
      case 'token': {
        const key = `${rec.c}:${rec.i}`;
        const prev = this.tokens.get(key);
        if (prev && bytesToHex(prev) !== bytesToHex(rec.rho)) {
          return [{ ok: false, what: `token (${rec.c}, ${rec.i})`, detail: 'a second, different ρ for the same (c, i)' }];
        }
        this.tokens.set(key, rec.rho);
        return [];
      }
      case 'bill': {
        const out: Check[] = [];
        this.bills.set(rec.bill.c, rec);
        out.push(this.sig(`bill c=${rec.bill.c} signature`, rec.billMessage, rec.beta));
        out.push(this.sig(`dispute c=${rec.bill.c} signature`, rec.disputeMessage, rec.disputeSig));
        const rhos = this.tokensOf(rec.bill.c);
        if (rhos) {
          try {
            selfCheck(rec.suite, rhos, rec.r, rec.bill.R);
            out.push({ ok: true, what: `self-check c=${rec.bill.c} over ${rhos.length} tokens` });
          } catch (e) {
            out.push({ ok: false, what: `self-check c=${rec.bill.c}`, detail: (e as Error).message });
          }
        }
        return out;
      }
      case 'fault':
        return rec.signature ? [this.sig(`fault ${rec.reason} signature`, rec.faultMessage, rec.signature)] : [];
      default:
        return [];
    }
  }

  private sig(what: string, message: Uint8Array, sig: Uint8Array): Check {
    if (!this.vkM) return { ok: null, what, detail: 'not verified: no vkM known (no boot record seen, no --vk given)' };
    try {
      verifySignature(this.vkM, message, sig);
      return { ok: true, what };
    } catch (e) {
      return { ok: false, what, detail: (e as Error).message };
    }
  }
}
