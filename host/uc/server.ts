// The UC's HTTP API. Bytes travel as lowercase hex; every body is schema-checked before the
// service sees it, every protocol rejection leaves as a typed {detail, code}.
//   GET  /v1/params                 {logVk, entries}: the signed parameters log
//   POST /v1/pay                    {request: hex(u32(e) ‖ ρ), proofs: [one Cashu proof]} → {receipt}
//   POST /v1/receipt                {request} → {receipt}, coin-less (404 if not paid)
//   POST /v1/settle        (auth)   {billMessage, signature, C?} → {status}; without C: recorded as debt
//   POST /v1/dispute       (auth)   {billMessage, signature, disputeMessage, disputeSignature, rhos}
//   POST /v1/handover      (auth)   {message, signature}
//   GET  /v1/status/:meterId (auth) {bills, debts}
//   POST /v1/ohttp                  message/ohttp-req → message/ohttp-res: pay or receipt, encapsulated
//                                   (RFC 9458) to the epoch's OHTTP key, through a relay (oblivious.ts)
// auth = `Authorization: Bearer <account token>` of the meter's account.
import type { Server } from 'node:http';
import { ApiError, createJsonServer, type Request, type Route } from '../mint/http.ts';
import type { Logger } from '../common/log.ts';
import { stageEnd, stageStart } from '../common/stage-times.ts';
import { readProof, type Mint } from '../mint/mint.ts';
import { MINT_MAX_BODY_BYTES, mintRoutes, type MintRouteOptions } from '../mint/server.ts';
import { body, type Field } from '../mint/validate.ts';
import { toHex } from '../protocol/index.ts';
import { toApiError, UcCode } from './errors.ts';
import { obliviousRoute } from './oblivious.ts';
import type { UcService } from './service.ts';

/** Request bodies are small, except a dispute's: up to 100,000 revealed ρ (~67 bytes each in JSON). */
export const UC_MAX_BODY_BYTES = 64 * 1024;
const DISPUTE_MAX_BODY_BYTES = 8 * 1024 * 1024;
const MAX_DISPUTE_TOKENS = 100_000;

const HEX = /^(?:[0-9a-fA-F]{2})*$/;
const bytes = (f: Field, max: number): Uint8Array => new Uint8Array(Buffer.from(f.string(max * 2, HEX), 'hex'));
const METER_ID = /^[\x21-\x7e]{1,64}$/;

function bearer(req: Request): string | undefined {
  const h = req.headers.authorization;
  const m = typeof h === 'string' ? /^Bearer ([0-9a-f]{64})$/.exec(h) : null;
  return m?.[1];
}

/** Runs a handler, mapping protocol errors to typed API errors. */
const guarded =
  (fn: (req: Request) => Promise<unknown>) =>
  async (req: Request): Promise<unknown> => {
    try {
      return await fn(req);
    } catch (err) {
      throw toApiError(err);
    }
  };

export function ucRoutes(uc: UcService): Route[] {
  return [
    {
      method: 'GET',
      pattern: /^\/v1\/params$/,
      handler: async () => {
        await uc.refresh();
        return { logVk: toHex(uc.logVk), entries: uc.paramsLog };
      },
    },
    {
      method: 'POST',
      pattern: /^\/v1\/pay$/,
      handler: guarded(async (req) => {
        const t = stageStart();
        const b = body(req.body);
        b.object();
        const request = bytes(b.get('request'), 36);
        const proofs = b.get('proofs').array(1, 1).map(readProof);
        stageEnd('pay: body schema', t);
        const result = await uc.pay(request, proofs);
        return { receipt: toHex(result.receipt), replay: result.replay };
      }),
    },
    {
      method: 'POST',
      pattern: /^\/v1\/receipt$/,
      handler: guarded(async (req) => {
        const b = body(req.body);
        b.object();
        const receipt = await uc.lookup(bytes(b.get('request'), 36));
        if (!receipt) throw new ApiError(404, UcCode.notPaid, 'no receipt: this token is not paid');
        return { receipt: toHex(receipt) };
      }),
    },
    {
      method: 'POST',
      pattern: /^\/v1\/settle$/,
      handler: guarded(async (req) => {
        const b = body(req.body);
        b.object();
        const C = b.get('C').optional((f) => bytes(f, 96));
        const rec = await uc.settle(bytes(b.get('billMessage'), 1024), bytes(b.get('signature'), 64), C, bearer(req));
        return { meterId: rec.meterId, c: rec.c, status: rec.status, billHash: toHex(rec.billHash) };
      }),
    },
    {
      method: 'POST',
      pattern: /^\/v1\/dispute$/,
      maxBodyBytes: DISPUTE_MAX_BODY_BYTES,
      handler: guarded(async (req) => {
        const b = body(req.body);
        b.object();
        const rhos = b
          .get('rhos')
          .array(MAX_DISPUTE_TOKENS)
          .map((f) => bytes(f, 32));
        return uc.dispute(bytes(b.get('billMessage'), 1024), bytes(b.get('signature'), 64), bytes(b.get('disputeMessage'), 1024), bytes(b.get('disputeSignature'), 64), rhos, bearer(req));
      }),
    },
    {
      method: 'POST',
      pattern: /^\/v1\/handover$/,
      handler: guarded(async (req) => {
        const b = body(req.body);
        b.object();
        await uc.handover(bytes(b.get('message'), 1024), bytes(b.get('signature'), 64), bearer(req));
        return { ok: true };
      }),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/status\/([^/]+)$/,
      handler: guarded(async (req) => {
        let raw: string;
        try {
          raw = decodeURIComponent(req.params[0]!);
        } catch {
          raw = '';
        }
        const meterId = body({ meterId: raw }).get('meterId').string(64, METER_ID);
        return uc.status(meterId, bearer(req));
      }),
    },
  ];
}

/** The UC's API, and the mint's Cashu API beside it when the UC runs the mint on the same store. */
export function createUcServer(uc: UcService, log: Logger, mint?: Mint, mintOptions?: MintRouteOptions): Server {
  const direct = ucRoutes(uc);
  const routes = [...direct, obliviousRoute(uc, direct, UC_MAX_BODY_BYTES, log), ...(mint ? mintRoutes(mint, mintOptions) : [])];
  return createJsonServer({ name: 'uc', routes, maxBodyBytes: mint ? MINT_MAX_BODY_BYTES : UC_MAX_BODY_BYTES, log });
}
