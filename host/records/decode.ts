/**
 * Strict decoder of the meter's record payloads (layout table: firmware/src/records.ts). Every
 * field is checked: exact lengths, known flags and codes, no trailing bytes; the signed messages
 * inside are decoded by the protocol core's strict decoders. Anything else is a RecordDecodeError.
 */
import {
  decodeBillMessage, decodeDisputeMessage, decodeFaultMessage, decodeHandoverMessage,
  type BillFields, type DisputeFields, type FaultFields, type HandoverFields,
} from '../protocol/messages.ts';
import { getSuite, type Suite } from '../protocol/suite.ts';
import { recordFail } from './errors.ts';

export const RECORD_TYPES = { boot: 1, token: 2, bill: 3, fault: 4, timing: 5, handover: 6, replay: 7 } as const;
export type RecordKind = keyof typeof RECORD_TYPES;
export const NONE = 0xffffffff;
export const METER_STATUS = ['operating', 'fault', 'retired'] as const;
export const FAULT_CODES = {
  1: 'state-corrupt', 2: 'identity-corrupt', 3: 'kat-failed', 4: 'rng-health', 5: 'provisioning', 6: 'flash-write', 7: 'signature', 8: 'internal',
} as const;
export const TIMING_OPS = { 1: 'token-online', 2: 'fold', 3: 'billgen', 4: 'sign', 5: 'boot-kat', 6: 'boot' } as const;

interface Header {
  readonly bootSeq: number;
  readonly recordSeq: number;
}

export interface BootRecord extends Header {
  readonly kind: 'boot';
  readonly fwHash: Uint8Array | null;
  readonly suiteId: string;
  readonly meterId: string;
  readonly vkM: Uint8Array | null;
  readonly katOk: boolean;
  readonly production: boolean;
  readonly status: (typeof METER_STATUS)[number];
  readonly c: number;
  readonly periodLabel: number;
  readonly n: number;
  readonly j: number;
  readonly closedC: number | null;
  readonly tariffVersion: number;
}

export interface TokenRecord extends Header {
  readonly kind: 'token';
  readonly replay: boolean;
  readonly c: number;
  readonly i: number;
  readonly e: number;
  readonly periodLabel: number;
  readonly rho: Uint8Array;
}

export interface BillRecord extends Header {
  readonly kind: 'bill';
  readonly replay: boolean;
  readonly suite: Suite;
  readonly billMessage: Uint8Array;
  readonly bill: BillFields;
  readonly beta: Uint8Array;
  readonly r: bigint;
  readonly n: number;
  readonly disputeMessage: Uint8Array;
  readonly dispute: DisputeFields;
  readonly disputeSig: Uint8Array;
}

export interface FaultRecord extends Header {
  readonly kind: 'fault';
  readonly code: number;
  readonly reason: (typeof FAULT_CODES)[keyof typeof FAULT_CODES];
  readonly faultMessage: Uint8Array;
  readonly fault: FaultFields;
  readonly signature: Uint8Array | null;
}

export interface TimingRecord extends Header {
  readonly kind: 'timing';
  readonly op: (typeof TIMING_OPS)[keyof typeof TIMING_OPS];
  readonly c: number;
  readonly i: number;
  readonly micros: number;
  readonly counts: Readonly<Record<string, number>>;
}

export interface HandoverRecord extends Header {
  readonly kind: 'handover';
  readonly handoverMessage: Uint8Array;
  readonly handover: HandoverFields;
  readonly signature: Uint8Array;
}

export interface ReplayRecord extends Header {
  readonly kind: 'replay';
  readonly phase: 'begin' | 'end';
  readonly c: number;
  readonly closedC: number | null;
  readonly count: number;
}

export type MeterRecord = BootRecord | TokenRecord | BillRecord | FaultRecord | TimingRecord | HandoverRecord | ReplayRecord;

class Fields {
  private at = 0;
  constructor(private readonly b: Uint8Array) {}
  bytes(n: number, what: string): Uint8Array {
    if (this.at + n > this.b.length) recordFail('truncated', `${what}: need ${n} bytes at offset ${this.at}, have ${this.b.length - this.at}`);
    const out = this.b.slice(this.at, this.at + n);
    this.at += n;
    return out;
  }
  u8(what: string): number { return this.bytes(1, what)[0]!; }
  u32(what: string): number { const x = this.bytes(4, what); return ((x[0]! << 24) >>> 0) + (x[1]! << 16) + (x[2]! << 8) + x[3]!; }
  lp(what: string): Uint8Array { const h = this.bytes(2, what); return this.bytes((h[0]! << 8) | h[1]!, what); }
  /** lp field that must be empty or exactly `len` bytes. */
  optional(len: number, what: string): Uint8Array | null {
    const x = this.lp(what);
    if (x.length !== 0 && x.length !== len) recordFail('bad-length', `${what} is ${x.length} bytes, expected 0 or ${len}`);
    return x.length === 0 ? null : x;
  }
  ascii(what: string): string {
    const x = this.lp(what);
    if (x.length === 0 || x.some((c) => c < 0x21 || c > 0x7e)) recordFail('bad-value', `${what} must be non-empty printable ASCII`);
    return String.fromCharCode(...x);
  }
  bool(what: string): boolean {
    const v = this.u8(what);
    if (v > 1) recordFail('bad-value', `${what} must be 0 or 1, got ${v}`);
    return v === 1;
  }
  flags(what: string): boolean {
    const v = this.u8(what);
    if ((v & ~1) !== 0) recordFail('bad-flags', `${what}: unknown flag bits ${v.toString(2)}`);
    return v === 1;
  }
  end(): void {
    if (this.at !== this.b.length) recordFail('trailing-bytes', `${this.b.length - this.at} bytes after the last field`);
  }
}

function message<T>(decode: () => T, what: string): T {
  try {
    return decode();
  } catch (err) {
    return recordFail('bad-message', `${what}: ${(err as Error).message}`, err);
  }
}

const optionalCounter = (x: number): number | null => (x === NONE ? null : x);

function decodeBoot(h: Header, f: Fields): BootRecord {
  const fwHash = f.optional(32, 'firmware hash');
  const suiteId = f.ascii('suiteId');
  const meterId = f.ascii('meterId');
  const vkM = f.optional(33, 'vkM');
  if (vkM && vkM[0] !== 2 && vkM[0] !== 3) recordFail('bad-value', 'vkM is not a compressed SEC1 point');
  const katOk = f.bool('kat');
  const production = f.bool('production');
  const statusCode = f.u8('status');
  const status = METER_STATUS[statusCode];
  if (status === undefined) recordFail('bad-value', `unknown meter status ${statusCode}`);
  return {
    kind: 'boot', ...h, fwHash, suiteId, meterId, vkM, katOk, production, status,
    c: f.u32('c'), periodLabel: f.u32('periodLabel'), n: f.u32('n'), j: f.u32('j'),
    closedC: optionalCounter(f.u32('closedC')), tariffVersion: f.u32('tariffVersion'),
  };
}

function decodeToken(h: Header, f: Fields): TokenRecord {
  return {
    kind: 'token', ...h, replay: f.flags('token flags'),
    c: f.u32('c'), i: f.u32('i'), e: f.u32('e'), periodLabel: f.u32('periodLabel'), rho: f.bytes(32, 'rho'),
  };
}

function decodeBill(h: Header, f: Fields): BillRecord {
  const replay = f.flags('bill flags');
  const billMessage = f.lp('billMessage');
  const { suite, bill } = message(() => decodeBillMessage(billMessage), 'billMessage');
  const beta = f.bytes(64, 'beta');
  const rBytes = f.bytes(32, 'r');
  const r = message(() => getSuite(suite.id).decodeScalar(rBytes), 'r');
  if (r === 0n) recordFail('bad-value', 'r is zero');
  const n = f.u32('n');
  const disputeMessage = f.lp('disputeMessage');
  const { dispute } = message(() => decodeDisputeMessage(disputeMessage), 'disputeMessage');
  const disputeSig = f.bytes(64, 'dispute signature');
  if (dispute.meterId !== bill.meterId || dispute.c !== bill.c || dispute.n !== n || dispute.r !== r) {
    recordFail('bad-value', 'dispute message does not match the bill record (meterId, c, n, r)');
  }
  return { kind: 'bill', ...h, replay, suite, billMessage, bill, beta, r, n, disputeMessage, dispute, disputeSig };
}

function decodeFault(h: Header, f: Fields): FaultRecord {
  const code = f.u32('fault code');
  const reason = FAULT_CODES[code as keyof typeof FAULT_CODES];
  if (reason === undefined) recordFail('bad-value', `unknown fault code ${code}`);
  const faultMessage = f.lp('faultMessage');
  const { fault } = message(() => decodeFaultMessage(faultMessage), 'faultMessage');
  if (fault.code !== code) recordFail('bad-value', 'fault record code differs from the signed message');
  return { kind: 'fault', ...h, code, reason, faultMessage, fault, signature: f.optional(64, 'fault signature') };
}

function decodeTiming(h: Header, f: Fields): TimingRecord {
  const opCode = f.u8('timing op');
  const op = TIMING_OPS[opCode as keyof typeof TIMING_OPS];
  if (op === undefined) recordFail('bad-value', `unknown timing op ${opCode}`);
  const c = f.u32('c');
  const i = f.u32('i');
  const micros = f.u32('micros');
  const k = f.u8('count of op counters');
  const counts: Record<string, number> = {};
  for (let x = 0; x < k; x++) {
    const name = f.ascii('op counter name');
    if (name in counts) recordFail('bad-value', `op counter ${name} repeated`);
    counts[name] = f.u32('op counter');
  }
  return { kind: 'timing', ...h, op, c, i, micros, counts };
}

function decodeHandover(h: Header, f: Fields): HandoverRecord {
  const handoverMessage = f.lp('handoverMessage');
  const { handover } = message(() => decodeHandoverMessage(handoverMessage), 'handoverMessage');
  return { kind: 'handover', ...h, handoverMessage, handover, signature: f.bytes(64, 'handover signature') };
}

function decodeReplay(h: Header, f: Fields): ReplayRecord {
  const phaseCode = f.u8('replay phase');
  if (phaseCode > 1) recordFail('bad-value', `unknown replay phase ${phaseCode}`);
  return {
    kind: 'replay', ...h, phase: phaseCode === 0 ? 'begin' : 'end',
    c: f.u32('c'), closedC: optionalCounter(f.u32('closedC')), count: f.u32('count'),
  };
}

const DECODERS: Record<number, (h: Header, f: Fields) => MeterRecord> = {
  1: decodeBoot, 2: decodeToken, 3: decodeBill, 4: decodeFault, 5: decodeTiming, 6: decodeHandover, 7: decodeReplay,
};

/** Decodes one record payload (the bytes inside a frame). */
export function decodeRecord(payload: Uint8Array): MeterRecord {
  const f = new Fields(payload);
  const type = f.u8('record type');
  const decode = DECODERS[type];
  if (!decode) recordFail('unknown-type', `record type ${type}`);
  const header = { bootSeq: f.u32('bootSeq'), recordSeq: f.u32('recordSeq') };
  const record = decode(header, f);
  f.end();
  return record;
}
