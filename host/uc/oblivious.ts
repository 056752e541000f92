// The UC's Oblivious HTTP gateway resource: POST /v1/ohttp, body message/ohttp-req. It opens the
// encapsulated request under the epoch's OHTTP key (published in the parameters log), serves it
// with the same handlers as the direct API, but only pay and receipt lookup (settle, dispute,
// handover and status are authenticated as the account holder, so hiding the address would hide
// nothing), and seals the answer as message/ohttp-res. What the UC learns of the sender is the
// relay's address.
import type { Logger } from '../common/log.ts';
import { answer, ApiError, BinaryBody, HttpCode, type Route } from '../mint/http.ts';
import type { BhttpRequest, BhttpResponse } from '../ohttp/bhttp.ts';
import { OhttpGateway } from '../ohttp/gateway.ts';
import { OhttpError, REQUEST_MEDIA_TYPE, RESPONSE_MEDIA_TYPE, type OhttpErrorCode } from '../ohttp/ohttp.ts';
import { UcCode } from './errors.ts';
import type { UcService } from './service.ts';

const OBLIVIOUS_PATHS = ['/v1/pay', '/v1/receipt'];
/** An encapsulated pay request is under 1 KB (one ρ, one coin); room for lookups and headers. */
export const OHTTP_MAX_BODY_BYTES = 8 * 1024;

const CODES: Record<OhttpErrorCode, number> = {
  malformed: UcCode.ohttpMalformed,
  'unknown-key': UcCode.ohttpUnknownKey,
  'unsupported-suite': UcCode.ohttpUnsupportedSuite,
  'decrypt-failed': UcCode.ohttpDecryptFailed,
  replay: UcCode.ohttpReplay,
  'bad-key-config': UcCode.ohttpMalformed,
};

export function obliviousRoute(uc: UcService, routes: readonly Route[], maxBodyBytes: number, log: Logger): Route {
  const inner = routes.filter((r) => r.method === 'POST' && OBLIVIOUS_PATHS.some((p) => r.pattern.test(p)));
  const serve = async (r: BhttpRequest): Promise<BhttpResponse> => {
    const a = await answer(inner, maxBodyBytes, log, {
      method: r.method,
      path: r.path,
      query: new URLSearchParams(),
      headers: Object.fromEntries(r.headers),
      read: async (limit) => {
        if (r.content.length > limit) throw new ApiError(413, HttpCode.tooLarge, `request body larger than ${limit} bytes`);
        return r.content;
      },
      // The client is hidden by design: only the relay's address reaches the UC (the outer request).
      remote: '',
    });
    return { informational: [], status: a.status, headers: [['content-type', 'application/json']], content: new Uint8Array(Buffer.from(JSON.stringify(a.body))), trailers: [] };
  };
  const gateway = new OhttpGateway((keyId) => uc.ohttpKey(keyId), serve);
  return {
    method: 'POST',
    pattern: /^\/v1\/ohttp$/,
    mediaType: REQUEST_MEDIA_TYPE,
    maxBodyBytes: OHTTP_MAX_BODY_BYTES,
    handler: async (req) => {
      try {
        return new BinaryBody(RESPONSE_MEDIA_TYPE, await gateway.handle(req.body as Uint8Array));
      } catch (err) {
        // Before the request is opened nothing can be sealed: a plain 4xx, each cause its own code.
        if (err instanceof OhttpError) throw new ApiError(err.code === 'replay' ? 409 : 400, CODES[err.code], err.message);
        throw err;
      }
    },
  };
}
