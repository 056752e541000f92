/**
 * An Oblivious Gateway Resource (RFC 9458 Section 6.3): opens an encapsulated request under the
 * key its key id names, has it served, and seals the answer to the same HPKE context.
 *
 * Replays: OHTTP itself does not stop a relay (or anyone on the path) from sending a captured
 * encapsulation again. Each encapsulation carries a fresh HPKE ephemeral key `enc` (an honest
 * client never sends one twice: it re-encapsulates even an identical retry), so the gateway
 * keeps a bounded first-in-first-out set of the enc values it opened per key id and refuses a
 * second one with its own error, before any HPKE work. An enc is remembered only after its
 * request opened, so garbage under a captured enc cannot block the genuine request. Past the
 * bound (or across gateway processes) a replay is served again; the Sipster requests behind
 * it are idempotent (a paid ρ returns its stored receipt and spends no coin), and the answer
 * is sealed to a key only the original client can derive.
 */
import { BhttpError, decodeRequest, encodeResponse, type BhttpRequest, type BhttpResponse } from './bhttp.ts';
import { decapsulateRequest, encapsulateResponse, OhttpError, parseEncapsulatedRequest, type GatewayKey } from './ohttp.ts';

/** Encapsulations remembered per key id (~7 MB each; minutes of traffic at the UC's full rate). */
const REPLAY_WINDOW = 1 << 16;

export class OhttpGateway {
  private readonly opened = new Map<number, Set<string>>();

  constructor(
    private readonly keyFor: (keyId: number) => Promise<GatewayKey | undefined>,
    private readonly serve: (request: BhttpRequest) => Promise<BhttpResponse>,
    private readonly replayWindow = REPLAY_WINDOW,
  ) {}

  /** The encapsulated response; an OhttpError when the request cannot be opened (sent unencapsulated). */
  async handle(encapsulated: Uint8Array): Promise<Uint8Array> {
    const { keyId, enc } = parseEncapsulatedRequest(encapsulated);
    const key = await this.keyFor(keyId);
    if (!key) throw new OhttpError('unknown-key', `no gateway key with id ${keyId}`);
    const seen = this.opened.get(keyId) ?? new Set<string>();
    this.opened.set(keyId, seen);
    const tag = Buffer.from(enc).toString('base64');
    if (seen.has(tag)) throw new OhttpError('replay', 'this encapsulation was opened before (a replay)');
    const { request, gateway } = await decapsulateRequest(key, encapsulated);
    if (seen.has(tag)) throw new OhttpError('replay', 'this encapsulation was opened before (a replay)'); // a concurrent twin won
    seen.add(tag);
    if (seen.size > this.replayWindow) seen.delete(seen.values().next().value!);
    let response: BhttpResponse;
    try {
      response = await this.serve(decodeRequest(request));
    } catch (err) {
      if (!(err instanceof BhttpError)) throw err;
      // Opened but not a valid Binary HTTP request: the error goes back encapsulated (RFC 9458 Section 5.2).
      response = { informational: [], status: 400, headers: [['content-type', 'text/plain']], content: new Uint8Array(Buffer.from(err.message)), trailers: [] };
    }
    return encapsulateResponse(gateway, encodeResponse(response));
  }
}
