// The only file that touches Espruino globals. On the board they are the runtime's own; under
// Node the test harness (firmware/test/app/harness.ts) supplies the same names.

interface StorageModule {
  read(name: string, offset?: number, length?: number): string | undefined;
  readArrayBuffer(name: string): ArrayBuffer | undefined;
  /** At offset 0 with a size: a new erased file of that size unless one is there erased; data goes over erased bytes only. */
  write(name: string, data: string, offset?: number, size?: number): boolean;
  erase(name: string): void;
}
interface EspruinoE {
  hwRand(): number;
  CRC32(data: string): number;
  toString(data: Uint8Array): string;
  toUint8Array(data: string): Uint8Array;
  getConsole(): string | undefined;
  setConsole(device: string | null, options?: { force?: boolean }): void;
  lockConsole(): void;
  setPassword(password: string | undefined): void;
}
interface SerialDevice {
  write(data: string): void;
}
interface CryptoModule {
  SHA256(data: string): ArrayBuffer;
}
type WatchEvent = { state: boolean; time: number };

declare const E: EspruinoE;
declare const require: (name: string) => unknown;
declare const global: Record<string, unknown>;
declare function getTime(): number;
declare function setWatch(cb: (e: WatchEvent) => void, pin: unknown, opts: { repeat: boolean; edge: string; debounce: number }): unknown;
declare function btoa(binary: string): string;

export const storage = (): StorageModule => require('Storage') as StorageModule;
/** A flash file as bytes, memory-mapped on the board (no RAM copy); null if absent. */
export function readFlashBytes(name: string): Uint8Array | null {
  const buf = storage().readArrayBuffer(name);
  return buf === undefined ? null : new Uint8Array(buf);
}
/** 32 bits from the hardware RNG. */
export const hwRand = (): number => E.hwRand() >>> 0;
export const crc32 = (binary: string): number => E.CRC32(binary) >>> 0;
export const toBinary = (bytes: Uint8Array): string => E.toString(bytes);
export const fromBinary = (binary: string): Uint8Array => E.toUint8Array(binary);
export const base64 = (binary: string): string => btoa(binary);
/** Seconds since 1970 from the board's clock (µs resolution on boards). */
export const now = (): number => getTime();
/** SHA-256 of a (memory-mapped) flash string with the native hash, never copying it to RAM. */
export const nativeSha256 = (binary: string): Uint8Array => new Uint8Array((require('crypto') as CryptoModule).SHA256(binary));

/** Calls `cb` on each rising edge of the named pin (e.g. "D5", "BTN1"); a pin the board lacks is ignored. */
export function watchPin(name: string, cb: () => void): void {
  const pin = global[name];
  if (pin !== undefined) setWatch(cb, pin, { repeat: true, edge: 'rising', debounce: 0 });
}

/** The device the records go out on: the console's device at boot (USB on most boards). */
export function outputDevice(): SerialDevice {
  const name = E.getConsole();
  const dev = name ? (global[name] as SerialDevice | undefined) : undefined;
  if (dev && typeof dev.write === 'function') return dev;
  return { write: (s: string) => { (global.print as (s: string) => void)(s); } };
}

/**
 * Production lock: the REPL leaves the output port (to a loopback device nobody listens to) and is
 * locked with a password nobody knows, so bytes typed into the port get no reply.
 */
export function lockConsole(password: string): void {
  E.setConsole('LoopbackA', { force: true });
  E.setPassword(password);
  E.lockConsole();
}
