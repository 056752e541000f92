// Record payloads the meter emits (framed by frame.ts; decoded strictly on the host by host/records/).
//
// Every payload: u8 type ‖ u32 bootSeq ‖ u32 recordSeq ‖ fields. Big-endian; lp(x) = u16 length ‖ x.
// (bootSeq, recordSeq) is unique per record: bootSeq is persisted and increases every boot; recordSeq
// increases by one per record and is persisted with every state write, which reserves the numbers of
// the records that follow it (tokens, bill, timing), so within a boot a gap or a duplicate is a
// transport fault. Records emitted after the last state write (replays, fold timings) may see their
// numbers reused after a power cut, under the next bootSeq. A boot that failed before reading its
// state (bad provisioning, failed KAT or RNG, corrupt identity or state) reports bootSeq 0.
//
// | type | name      | fields                                                                                 |
// |------|-----------|----------------------------------------------------------------------------------------|
// | 0x01 | BOOT      | lp(fwHash: 32 B, or empty if the code is not the flash file) ‖ lp(suiteId) ‖ lp(meterId) |
// |      |           | ‖ lp(vkM: 33 B or empty) ‖ u8 kat (1 pass, 0 fail) ‖ u8 production (0/1)               |
// |      |           | ‖ u8 status (STATUS_*) ‖ u32 c ‖ u32 periodLabel ‖ u32 n ‖ u32 j (fold progress)        |
// |      |           | ‖ u32 closedC (0xFFFFFFFF: none) ‖ u32 tariffVersion                                   |
// | 0x02 | TOKEN     | u8 flags (bit0 replay) ‖ u32 c ‖ u32 i ‖ u32 e ‖ u32 periodLabel ‖ ρ_i (32 B)          |
// | 0x03 | BILL      | u8 flags (bit0 replay) ‖ lp(billMessage) ‖ β (64 B) ‖ r (32 B) ‖ u32 n                 |
// |      |           | ‖ lp(disputeMessage) ‖ disputeSig (64 B)                                                |
// | 0x04 | FAULT     | u32 code (FAULT_*) ‖ lp(faultMessage) ‖ lp(signature: 64 B, or empty if no key)        |
// | 0x05 | TIMING    | u8 op (OP_*) ‖ u32 c ‖ u32 i ‖ u32 µs (board clock) ‖ u8 k ‖ k × (lp(name) ‖ u32 count) |
// | 0x06 | HANDOVER  | lp(handoverMessage) ‖ signature (64 B) by the old identity key                         |
// | 0x07 | REPLAY    | u8 phase (0 begin, 1 end) ‖ u32 c (current period) ‖ u32 closedC (0xFFFFFFFF: none)    |
// |      |           | ‖ u32 count (records re-sent; 0 at begin)                                              |
//
// Signed messages (bill, dispute, fault, handover) are DESIGN.md's `lp(tag) ‖ lp(suiteId) ‖ fields`,
// signatures ECDSA P-256 r ‖ s, low-s, each verified by the meter before it leaves.
import { ascii, concat, lp, u32, u8 } from './bytes.ts';

export const REC_BOOT = 1;
export const REC_TOKEN = 2;
export const REC_BILL = 3;
export const REC_FAULT = 4;
export const REC_TIMING = 5;
export const REC_HANDOVER = 6;
export const REC_REPLAY = 7;

export const FLAG_REPLAY = 1;
export const NONE = 0xffffffff;

/** Meter status in the boot record. */
export const STATUS_OPERATING = 0;
export const STATUS_FAULT = 1;
export const STATUS_RETIRED = 2;

/** Fault codes (also the `code` of the signed fault message). */
export const FAULT_STATE_CORRUPT = 1;
export const FAULT_IDENTITY_CORRUPT = 2;
export const FAULT_KAT = 3;
export const FAULT_RNG_HEALTH = 4;
export const FAULT_PROVISIONING = 5;
export const FAULT_FLASH_WRITE = 6;
/** A signature failed its own verification (or the RNG failed while signing). */
export const FAULT_SIGNATURE = 7;
/** An unexpected exception (flash or RAM error): the meter stops until rebooted. */
export const FAULT_INTERNAL = 8;

/** Timed operations. */
export const OP_TOKEN_ONLINE = 1;
export const OP_FOLD = 2;
export const OP_BILLGEN = 3;
/** Signing β and the dispute signature together, both verified. */
export const OP_SIGN = 4;
export const OP_BOOT_KAT = 5;
/** From start() to ready for the first token (KAT, tariff signature, identity, state). */
export const OP_BOOT = 6;

export function recordHeader(type: number, bootSeq: number, recordSeq: number): Uint8Array {
  'ram';
  const b = new Uint8Array(9);
  const v = new DataView(b.buffer);
  b[0] = type;
  v.setUint32(1, bootSeq);
  v.setUint32(5, recordSeq);
  return b;
}

export function bootBody(
  fwHash: Uint8Array, suiteId: Uint8Array, meterId: Uint8Array, vkM: Uint8Array, katOk: boolean, production: boolean, status: number,
  c: number, periodLabel: number, n: number, j: number, closedC: number, tariffVersion: number,
): Uint8Array {
  return concat([
    lp(fwHash), lp(suiteId), lp(meterId), lp(vkM), u8(+katOk), u8(+production), u8(status),
    u32(c), u32(periodLabel), u32(n), u32(j), u32(closedC), u32(tariffVersion),
  ]);
}

/** One per token: written into one buffer (a DataView call per field costs less than an array per field). */
export function tokenBody(flags: number, c: number, i: number, e: number, periodLabel: number, rho: Uint8Array): Uint8Array {
  'ram';
  const b = new Uint8Array(17 + rho.length);
  const v = new DataView(b.buffer);
  b[0] = flags;
  v.setUint32(1, c);
  v.setUint32(5, i);
  v.setUint32(9, e);
  v.setUint32(13, periodLabel);
  b.set(rho, 17);
  return b;
}

export function billBody(
  flags: number, billMessage: Uint8Array, beta: Uint8Array, r: Uint8Array, n: number,
  disputeMessage: Uint8Array, disputeSig: Uint8Array,
): Uint8Array {
  return concat([u8(flags), lp(billMessage), beta, r, u32(n), lp(disputeMessage), disputeSig]);
}

export function faultBody(code: number, faultMessage: Uint8Array, sig: Uint8Array): Uint8Array {
  return concat([u32(code), lp(faultMessage), lp(sig)]);
}

/** counts: the crypto op counters by name, in their own order. */
export function timingBody(op: number, c: number, i: number, micros: number, counts: Record<string, number>): Uint8Array {
  const parts = [u8(op), u32(c), u32(i), u32(micros), u8(0)];
  for (const name in counts) { parts.push(lp(ascii(name))); parts.push(u32(counts[name]!)); }
  parts[4] = u8((parts.length - 5) / 2);
  return concat(parts);
}

export function handoverBody(handoverMessage: Uint8Array, sig: Uint8Array): Uint8Array {
  return concat([lp(handoverMessage), sig]);
}

export function replayBody(phase: number, c: number, closedC: number, count: number): Uint8Array {
  return concat([u8(phase), u32(c), u32(closedC), u32(count)]);
}
