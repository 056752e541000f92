/**
 * The UC's append-only, signed parameters log. Each entry names its predecessor's hash and is
 * signed with the UC's log key (ECDSA P-256); a wallet pins the log key out of band, replays
 * the log and refuses any epoch key not in it. Entries:
 *   genesis   suite, epoch formula (epochLength periods per epoch), period schedule, windows
 *   epoch-key u32(e) ‖ A_e (‖ A2_e), published ahead of use
 *   meter     a meter's vkM, valid from counter firstC (a new device after handover starts at lastC + 1)
 *   retire    a vkM retired after its last counter (replacement)
 *   tariff    a signed tariff schedule (its own message, also given to meters at provisioning)
 *   ohttp-key u32 e and the Oblivious HTTP key configuration (RFC 9458) that pay and receipt
 *             lookups are encapsulated to during epoch e: key id e mod 256, X25519, HKDF-SHA256,
 *             AES-128-GCM and nothing else; published with the epoch key, pinned like it
 * Signing bytes: lp("sipster/v1/params") ‖ u32(seq) ‖ prevHash(32) ‖ lp(canonical JSON of the body).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { concat, fromHex, lp, toHex, u32, utf8 } from './bytes.ts';
import { decodeKeyConfig, encodeKeyConfig, sipsterKeyConfig, type KeyConfig } from '../ohttp/key-config.ts';
import { fail, SipsterError } from './errors.ts';
import { decodeEpochKey, type EpochKey } from './epoch.ts';
import { checkMeterId, ZERO_HASH } from './messages.ts';
import { signMessage, verifySignature, type MeterKeyPair } from './signature.ts';
import { getSuite, type Suite, type SuiteId } from './suite.ts';
import { decodeTariff, type Tariff } from './tariff.ts';

export interface Schedule {
  /** Periods per epoch: e = floor(periodLabel / epochLength). */
  readonly epochLength: number;
  /** Length of a billing period and the UNIX time of period label 0. */
  readonly periodSeconds: number;
  readonly originUnix: number;
}

export type ParamsBody =
  | ({ readonly kind: 'genesis'; readonly ucName: string; readonly suite: SuiteId } & Schedule)
  | { readonly kind: 'epoch-key'; readonly key: string }
  | { readonly kind: 'meter'; readonly meterId: string; readonly vkM: string; readonly firstC: number }
  | { readonly kind: 'retire'; readonly meterId: string; readonly vkM: string; readonly lastC: number }
  | { readonly kind: 'tariff'; readonly message: string; readonly signature: string }
  | { readonly kind: 'ohttp-key'; readonly e: number; readonly config: string };

export interface ParamsEntry {
  readonly seq: number;
  readonly prev: string;
  readonly body: ParamsBody;
  readonly signature: string;
}

/** JSON with sorted keys, so signer and verifier hash the same bytes. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

const signingBytes = (seq: number, prev: Uint8Array, body: ParamsBody): Uint8Array =>
  concat(lp('sipster/v1/params'), u32(seq), prev, lp(utf8(canonicalJson(body))));

export const entryHash = (e: ParamsEntry): Uint8Array => sha256(signingBytes(e.seq, fromHex(e.prev, 32), e.body));

export function appendEntry(log: readonly ParamsEntry[], body: ParamsBody, logKey: MeterKeyPair, rand: (n: number) => Uint8Array): ParamsEntry {
  const seq = log.length;
  const prev = seq === 0 ? ZERO_HASH : entryHash(log[seq - 1]!);
  const signature = toHex(signMessage(logKey, signingBytes(seq, prev, body), rand(32)));
  return { seq, prev: toHex(prev), body, signature };
}

export interface MeterKeyRecord {
  readonly meterId: string;
  readonly vkM: Uint8Array;
  readonly firstC: number;
  /** Set once the key is retired (replacement): it signs nothing after this counter. */
  readonly lastC: number | undefined;
}

/** What a wallet pins (and the UC serves from): the verified state of the log. */
export interface PinnedParams extends Schedule {
  readonly suite: Suite;
  readonly ucName: string;
  readonly logVk: Uint8Array;
  readonly epochKeys: ReadonlyMap<number, EpochKey>;
  readonly meters: ReadonlyMap<string, readonly MeterKeyRecord[]>;
  readonly tariffs: ReadonlyMap<number, Tariff>;
  /** Oblivious HTTP gateway key configuration per epoch (none in logs from before it existed). */
  readonly ohttpKeys: ReadonlyMap<number, KeyConfig>;
  readonly head: Uint8Array;
  readonly length: number;
}

function bad(seq: number, why: string): never {
  return fail('bad-params-log', `entry ${seq}: ${why}`);
}

/** Replays and verifies the whole log under the pinned log key; any defect is `bad-params-log`. */
export function verifyParamsLog(entries: readonly ParamsEntry[], logVk: Uint8Array): PinnedParams {
  if (entries.length === 0 || entries[0]!.body.kind !== 'genesis') bad(0, 'log must start with genesis');
  const genesis = entries[0]!.body as Extract<ParamsBody, { kind: 'genesis' }>;
  const suite = getSuite(genesis.suite);
  for (const k of ['epochLength', 'periodSeconds'] as const) {
    if (!Number.isInteger(genesis[k]) || genesis[k] < 1 || genesis[k] > 0xffffffff) bad(0, `${k} must be a positive u32`);
  }
  if (!Number.isInteger(genesis.originUnix) || genesis.originUnix < 0) bad(0, 'originUnix must be a non-negative integer');
  const epochKeys = new Map<number, EpochKey>();
  const meters = new Map<string, MeterKeyRecord[]>();
  const tariffs = new Map<number, Tariff>();
  const ohttpKeys = new Map<number, KeyConfig>();
  let prev: Uint8Array = ZERO_HASH;
  entries.forEach((entry, seq) => {
    if (entry.seq !== seq) bad(seq, 'sequence number out of order');
    try {
      if (!(fromHex(entry.prev, 32).every((b, i) => b === prev[i]))) bad(seq, 'does not chain to its predecessor');
      verifySignature(logVk, signingBytes(seq, prev, entry.body), fromHex(entry.signature, 64));
      applyEntry(suite, entry, seq, { epochKeys, meters, tariffs, ohttpKeys }, logVk);
    } catch (err) {
      if (err instanceof SipsterError && err.code === 'bad-params-log') throw err;
      bad(seq, err instanceof Error ? err.message : String(err));
    }
    prev = entryHash(entry);
  });
  return {
    suite,
    ucName: genesis.ucName,
    epochLength: genesis.epochLength,
    periodSeconds: genesis.periodSeconds,
    originUnix: genesis.originUnix,
    logVk,
    epochKeys,
    meters,
    tariffs,
    ohttpKeys,
    head: prev,
    length: entries.length,
  };
}

interface LogState {
  readonly epochKeys: Map<number, EpochKey>;
  readonly meters: Map<string, MeterKeyRecord[]>;
  readonly tariffs: Map<number, Tariff>;
  readonly ohttpKeys: Map<number, KeyConfig>;
}

function applyEntry(suite: Suite, entry: ParamsEntry, seq: number, { epochKeys, meters, tariffs, ohttpKeys }: LogState, logVk: Uint8Array): void {
  const b = entry.body;
  switch (b.kind) {
    case 'genesis':
      if (seq !== 0) bad(seq, 'second genesis');
      return;
    case 'epoch-key': {
      const key = decodeEpochKey(suite, fromHex(b.key));
      if (epochKeys.has(key.e)) bad(seq, `epoch ${key.e} published twice`);
      epochKeys.set(key.e, key);
      return;
    }
    case 'meter': {
      checkMeterId(b.meterId);
      const vkM = fromHex(b.vkM, 33);
      getSuite('P256-SHA256').decodePoint(vkM);
      const keys = meters.get(b.meterId) ?? [];
      const last = keys[keys.length - 1];
      if (last && last.lastC === undefined) bad(seq, `meter ${b.meterId} already has an active key`);
      if (last && b.firstC !== last.lastC! + 1) bad(seq, 'new key must start right after the retired one');
      if (!last && b.firstC !== 0) bad(seq, 'first key of a meter starts at counter 0');
      meters.set(b.meterId, [...keys, { meterId: b.meterId, vkM, firstC: b.firstC, lastC: undefined }]);
      return;
    }
    case 'retire': {
      const keys = meters.get(b.meterId);
      const last = keys?.[keys.length - 1];
      if (!keys || !last || last.lastC !== undefined || toHex(last.vkM) !== b.vkM) bad(seq, 'retires a key that is not active');
      if (!Number.isInteger(b.lastC) || b.lastC < last.firstC - 1) bad(seq, 'lastC before the key was first used');
      keys[keys.length - 1] = { ...last, lastC: b.lastC };
      return;
    }
    case 'tariff': {
      const tariff = decodeTariff(suite, fromHex(b.message), fromHex(b.signature, 64), logVk);
      if (tariffs.has(tariff.version)) bad(seq, `tariff version ${tariff.version} published twice`);
      tariffs.set(tariff.version, tariff);
      return;
    }
    case 'ohttp-key': {
      if (!Number.isInteger(b.e) || b.e < 0 || b.e > 0xffffffff) bad(seq, 'ohttp-key epoch must be a u32');
      const config = decodeKeyConfig(fromHex(b.config));
      // Exactly the configuration a Sipster gateway makes: one key id per epoch, one suite.
      if (toHex(encodeKeyConfig(config)) !== toHex(encodeKeyConfig(sipsterKeyConfig(b.e & 0xff, config.publicKey)))) {
        bad(seq, `epoch ${b.e}: OHTTP key configuration must be key id ${b.e & 0xff} with X25519, HKDF-SHA256 and AES-128-GCM alone`);
      }
      if (ohttpKeys.has(b.e)) bad(seq, `OHTTP key of epoch ${b.e} published twice`);
      ohttpKeys.set(b.e, config);
      return;
    }
    default:
      bad(seq, `unknown entry kind ${JSON.stringify((b as { kind: unknown }).kind)}`);
  }
}

/**
 * The OHTTP key a wallet encapsulates to at epoch `e`: that epoch's, or else the latest one
 * published before it (the UC may not have published ahead); undefined if there is none.
 */
export function ohttpKeyFor(params: PinnedParams, e: number): KeyConfig | undefined {
  let best: number | undefined;
  for (const k of params.ohttpKeys.keys()) if (k <= e && (best === undefined || k > best)) best = k;
  return best === undefined ? undefined : params.ohttpKeys.get(best);
}

/** The key that signs bills of (meterId, c), if any. */
export function meterKeyFor(params: PinnedParams, meterId: string, c: number): MeterKeyRecord | undefined {
  return params.meters.get(meterId)?.find((k) => c >= k.firstC && (k.lastC === undefined || c <= k.lastC));
}
