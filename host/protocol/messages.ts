/**
 * Signed messages of the meter: `lp(tag) ‖ lp(suiteId) ‖ fields` (DESIGN.md). Encoders and
 * strict decoders for the bill, dispute, fault and handover messages.
 *
 * Field layouts (DESIGN.md gives bill and dispute; fault and handover are ours, mirrored
 * byte for byte by firmware/src/derive.ts):
 *   bill      lp(meterId) ‖ u32(c) ‖ u32(periodLabel) ‖ u32(e) ‖ R ‖ u32(tariffVersion) ‖ prev(32)
 *   dispute   lp(meterId) ‖ u32(c) ‖ u32(n) ‖ scalar(r) ‖ SHA-256(billMessage)
 *   fault     lp(meterId) ‖ u32(code) ‖ u32(c) ‖ lp(detail)
 *   handover  lp(meterId) ‖ oldVkM(33) ‖ u32(lastC) ‖ lastBillHash(32) ‖ newVkM(33)
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { concat, lp, Reader, u32, utf8 } from './bytes.ts';
import { decodeFail } from './errors.ts';
import { getSuite, type Point, type Suite } from './suite.ts';

export const TAGS = {
  bill: 'sipster/v1/bill',
  dispute: 'sipster/v1/dispute',
  fault: 'sipster/v1/fault',
  handover: 'sipster/v1/handover',
} as const;
export type MessageKind = keyof typeof TAGS;

const METER_ID = /^[\x21-\x7e]{1,64}$/;

export function checkMeterId(meterId: string): string {
  if (!METER_ID.test(meterId)) decodeFail('bad-encoding', 'meterId must be 1–64 printable ASCII characters');
  return meterId;
}

export interface BillFields {
  readonly meterId: string;
  readonly c: number;
  readonly periodLabel: number;
  readonly e: number;
  readonly R: Point;
  readonly tariffVersion: number;
  /** SHA-256 of the previous bill's billMessage; all-zero for c = 0. */
  readonly prev: Uint8Array;
}

export interface DisputeFields {
  readonly meterId: string;
  readonly c: number;
  readonly n: number;
  readonly r: bigint;
  readonly billHash: Uint8Array;
}

export interface FaultFields {
  readonly meterId: string;
  readonly code: number;
  readonly c: number;
  readonly detail: string;
}

export interface HandoverFields {
  readonly meterId: string;
  readonly oldVkM: Uint8Array;
  readonly lastC: number;
  readonly lastBillHash: Uint8Array;
  readonly newVkM: Uint8Array;
}

const header = (kind: MessageKind, suite: Suite): Uint8Array => concat(lp(TAGS[kind]), lp(suite.id));

function readHeader(kind: MessageKind, bytes: Uint8Array): { suite: Suite; r: Reader } {
  const r = new Reader(bytes, `${kind} message`);
  const tag = r.lpString();
  if (tag !== TAGS[kind]) decodeFail('wrong-tag', `expected tag ${TAGS[kind]}, got ${JSON.stringify(tag)}`);
  const suite = getSuite(r.lpString());
  return { suite, r };
}

function readMeterId(r: Reader): string {
  return checkMeterId(r.lpString());
}

export const ZERO_HASH: Uint8Array = new Uint8Array(32);

export function encodeBillMessage(suite: Suite, f: BillFields): Uint8Array {
  checkMeterId(f.meterId);
  if (f.prev.length !== 32) throw new RangeError('prev must be 32 bytes');
  return concat(
    header('bill', suite),
    lp(f.meterId),
    u32(f.c),
    u32(f.periodLabel),
    u32(f.e),
    suite.encodePoint(f.R),
    u32(f.tariffVersion),
    f.prev,
  );
}

export function decodeBillMessage(bytes: Uint8Array): { suite: Suite; bill: BillFields } {
  const { suite, r } = readHeader('bill', bytes);
  const meterId = readMeterId(r);
  const c = r.u32();
  const periodLabel = r.u32();
  const e = r.u32();
  const R = suite.decodePoint(r.bytes(suite.pointLength));
  const tariffVersion = r.u32();
  const prev = r.bytes(32);
  r.end();
  return { suite, bill: { meterId, c, periodLabel, e, R, tariffVersion, prev } };
}

export const billHash = (billMessage: Uint8Array): Uint8Array => sha256(billMessage);

export function encodeDisputeMessage(suite: Suite, f: DisputeFields): Uint8Array {
  checkMeterId(f.meterId);
  if (f.billHash.length !== 32) throw new RangeError('billHash must be 32 bytes');
  return concat(header('dispute', suite), lp(f.meterId), u32(f.c), u32(f.n), suite.encodeScalar(f.r), f.billHash);
}

export function decodeDisputeMessage(bytes: Uint8Array): { suite: Suite; dispute: DisputeFields } {
  const { suite, r } = readHeader('dispute', bytes);
  const meterId = readMeterId(r);
  const c = r.u32();
  const n = r.u32();
  const rs = suite.decodeScalar(r.bytes(32));
  if (rs === 0n) decodeFail('non-canonical-scalar', 'bill scalar r is zero');
  const billHashBytes = r.bytes(32);
  r.end();
  return { suite, dispute: { meterId, c, n, r: rs, billHash: billHashBytes } };
}

export function encodeFaultMessage(suite: Suite, f: FaultFields): Uint8Array {
  checkMeterId(f.meterId);
  return concat(header('fault', suite), lp(f.meterId), u32(f.code), u32(f.c), lp(utf8(f.detail)));
}

export function decodeFaultMessage(bytes: Uint8Array): { suite: Suite; fault: FaultFields } {
  const { suite, r } = readHeader('fault', bytes);
  const meterId = readMeterId(r);
  const code = r.u32();
  const c = r.u32();
  const detail = r.lpString();
  r.end();
  return { suite, fault: { meterId, code, c, detail } };
}

export function encodeHandoverMessage(suite: Suite, f: HandoverFields): Uint8Array {
  checkMeterId(f.meterId);
  if (f.oldVkM.length !== 33 || f.newVkM.length !== 33 || f.lastBillHash.length !== 32) {
    throw new RangeError('handover: keys are 33 bytes, the bill hash 32');
  }
  return concat(header('handover', suite), lp(f.meterId), f.oldVkM, u32(f.lastC), f.lastBillHash, f.newVkM);
}

export function decodeHandoverMessage(bytes: Uint8Array): { suite: Suite; handover: HandoverFields } {
  const { suite, r } = readHeader('handover', bytes);
  const meterId = readMeterId(r);
  const oldVkM = r.bytes(33);
  const lastC = r.u32();
  const lastBillHash = r.bytes(32);
  const newVkM = r.bytes(33);
  r.end();
  return { suite, handover: { meterId, oldVkM, lastC, lastBillHash, newVkM } };
}
