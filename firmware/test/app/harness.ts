// Node test harness for the firmware bundle: runs dist/meter(.min).js in its own V8 context with the
// Espruino globals the firmware uses (E, require("Storage"), require("crypto"), setWatch, timers,
// getTime, btoa, pins, the USB console device), backed by a flash map that survives restarts. The
// clock is virtual (tests drive it); a power cut is simulated by tearing the Nth flash write and
// abandoning the context. This is a test harness of the board environment, not a copy of ours.
import { createHash, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import vm from 'node:vm';

export class PowerCut extends Error {
  constructor() {
    super('power cut');
    this.name = 'PowerCut';
  }
}

interface Timer {
  id: number;
  due: number;
  every: number;
  cb: () => void;
}

export interface BoardOptions {
  /** Start time, Unix seconds. */
  readonly time?: number;
  readonly hwRand?: () => number;
  /** Add real elapsed time to the clock, so the firmware's own timing records measure work (benches). */
  readonly realClock?: boolean;
}

const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');

/**
 * The bytes E.toUint8Array(...args) makes, as Espruino's jsvIterateCallback walks its arguments:
 * a number is one byte, a string one byte per char, arrays and typed arrays are walked element by
 * element (nested ones too), {data, count} repeats data; anything else is a TypeError there.
 * Values from the firmware's vm context fail instanceof, hence isView and isArray.
 */
function espruinoBytes(v: unknown, out: number[] = []): number[] {
  if (typeof v === 'number') out.push(v & 255);
  else if (typeof v === 'string') for (let i = 0; i < v.length; i++) out.push(v.charCodeAt(i) & 255);
  else if (Array.isArray(v) || ArrayBuffer.isView(v)) for (const x of v as ArrayLike<unknown> & Iterable<unknown>) espruinoBytes(x, out);
  else if (typeof v === 'object' && v !== null && typeof (v as { count?: unknown }).count === 'number' && 'data' in v) {
    const rep = v as { data: unknown; count: number };
    for (let k = 0; k < rep.count; k++) espruinoBytes(rep.data, out);
  } else throw new TypeError(`E.toUint8Array: cannot iterate ${typeof v}`);
  return out;
}

export class VirtualBoard {
  /** Flash: Storage file name -> binary string. Survives restarts. */
  readonly flash = new Map<string, string>();
  /** Everything the firmware wrote to its output device, across restarts. */
  output = '';
  /** Called on every write to the output device, while the firmware is still running (flash as it is then). */
  onOutput: ((data: string) => void) | null = null;
  /** Uncaught errors thrown by firmware callbacks (the board would print them and carry on). */
  readonly errors: unknown[] = [];
  flashWrites = 0;
  /** Cut power at the flash write with this (1-based) number: tearing it, or just after it completes. */
  cutAtWrite: number | null = null;
  cutMode: 'torn' | 'after' = 'torn';
  /** Files whose writes throw as Espruino does when RAM runs out (e.g. for a big flat string). */
  failWrites: ((name: string) => boolean) | null = null;
  dead = false;
  console = { device: 'USB' as string | null, locked: false, password: undefined as string | undefined };
  private nowMs: number;
  private realBase = performance.now();
  private timers: Timer[] = [];
  private watches: { pin: string; cb: (e: { state: boolean; time: number }) => void }[] = [];
  private nextId = 1;
  /** Makes a Uint8Array of the firmware's realm (its `instanceof Uint8Array` checks must pass). */
  private bytesOf: (b: Uint8Array) => Uint8Array = (b) => b;

  constructor(private readonly opts: BoardOptions = {}) {
    this.nowMs = (opts.time ?? 1_767_225_600) * 1000;
  }

  get time(): number {
    return (this.nowMs + (this.opts.realClock ? performance.now() - this.realBase : 0)) / 1000;
  }

  /** Boots the code on a fresh context (a reset): timers and watches of the previous run are gone. */
  boot(code: string): void {
    this.timers = [];
    this.watches = [];
    this.dead = false;
    const ctx = vm.createContext(this.globals());
    vm.runInContext('var global = globalThis;', ctx);
    // Natives the crypto calls in inner loops are defined inside the context: cross-realm calls are slow.
    const E = (ctx as { E: Record<string, unknown> }).E;
    E.convolve = vm.runInContext('(function (a, b, off) { var v = 0; for (var i = 0; i < a.length; i++) v += a[i] * b[(i + off) % b.length]; return v; })', ctx);
    E.sum = vm.runInContext('(function (a) { var v = 0; for (var i = 0; i < a.length; i++) v += a[i]; return v; })', ctx);
    this.bytesOf = vm.runInContext('(function (b) { var u = new Uint8Array(b.length); u.set(b); return u; })', ctx) as (b: Uint8Array) => Uint8Array;
    // Espruino's typed-array slice() returns a plain Array (host/vboard/probes, typed-slice); only in
    // the firmware's context, not in Node's realm (installGlobals), where libraries rely on ES slice.
    vm.runInContext('Object.defineProperty(Object.getPrototypeOf(Uint8Array.prototype), "slice", { value: function (b, e) { return Array.prototype.slice.call(this, b, e); }, writable: true, configurable: true })', ctx);
    this.guard(() => vm.runInContext(code, ctx, { filename: 'meter.js' }));
  }

  /** Installs the same globals on `target` (e.g. Node's globalThis), to run the TypeScript sources directly. */
  installGlobals(target: Record<string, unknown>): void {
    Object.assign(target, this.globals());
  }

  private guard(fn: () => void): void {
    if (this.dead) return;
    try {
      fn();
    } catch (err) {
      if (!this.dead) this.errors.push(err);
    }
  }

  private storage() {
    return {
      // As Espruino's jsfReadFile clips them: offset below 0 is 0, length 0 (or none) is the rest.
      read: (name: string, offset?: number, length?: number) => {
        const s = this.flash.get(name);
        if (s === undefined) return undefined;
        const at = Math.min(Math.max(offset ?? 0, 0), s.length);
        const n = !length || length <= 0 || at + length > s.length ? s.length - at : length;
        return s.substring(at, at + n);
      },
      readArrayBuffer: (name: string) => {
        const s = this.flash.get(name);
        return s === undefined ? undefined : this.bytesOf(latin1(s)).buffer;
      },
      // As jsfWriteFile: at offset 0 a file of `size` bytes (default: the data's) is made erased (0xFF)
      // unless one of that size is there still erased; data then goes at `offset`, only over erased
      // bytes. A power cut tears the write: only the first half of the data lands.
      write: (name: string, data: string, offset?: number, size?: number) => {
        if (typeof data !== 'string') throw new TypeError('harness Storage.write takes a binary string');
        if (this.failWrites?.(name)) throw new Error('Out of Memory!');
        if (this.dead) throw new PowerCut();
        const at = offset ?? 0;
        const total = size || (at === 0 ? data.length : 0);
        let file = this.flash.get(name);
        const erased = (f: string, from: number, n: number): boolean => /^\xff*$/.test(f.substring(from, from + n));
        if (at === 0 && (file === undefined || file.length !== total || !erased(file, 0, total))) file = '\xff'.repeat(total);
        if (file === undefined) throw new Error('Unable to find or create file');
        if (at + data.length > file.length) throw new Error('Too much data for file size');
        if (!erased(file, at, data.length)) throw new Error('File already written with different data');
        this.flashWrites++;
        const cut = this.cutAtWrite !== null && this.flashWrites === this.cutAtWrite;
        const lands = cut && this.cutMode === 'torn' ? data.slice(0, data.length >> 1) : data;
        this.flash.set(name, file.substring(0, at) + lands + file.substring(at + lands.length));
        if (cut) {
          // Power is gone: whatever the firmware does next (it may catch this) reaches nothing.
          this.dead = true;
          this.timers = [];
          this.watches = [];
          throw new PowerCut();
        }
        return true;
      },
      erase: (name: string) => { this.flash.delete(name); },
    };
  }

  private globals(): Record<string, unknown> {
    const board = this;
    const storage = this.storage();
    const cryptoModule = { SHA256: (d: string | Uint8Array) => board.bytesOf(createHash('sha256').update(typeof d === 'string' ? latin1(d) : d).digest()).buffer };
    const g: Record<string, unknown> = {
      E: {
        hwRand: this.opts.hwRand ?? (() => randomBytes(4).readInt32LE(0)),
        CRC32: (s: string) => crc32(latin1(s)),
        toString: (u8: Uint8Array) => Buffer.from(u8.buffer, u8.byteOffset, u8.length).toString('latin1'),
        toUint8Array: (...args: unknown[]) => board.bytesOf(Uint8Array.from(espruinoBytes(args))),
        getConsole: () => board.console.device ?? undefined,
        setConsole: (d: string | null) => { board.console.device = d; },
        lockConsole: () => { board.console.locked = true; },
        setPassword: (p: string) => { board.console.password = p; },
      },
      require: (name: string) => {
        if (name === 'Storage') return storage;
        if (name === 'crypto') return cryptoModule;
        throw new Error(`Module "${name}" not found`);
      },
      getTime: () => board.time,
      setTimeout: (cb: () => void, ms: number) => board.addTimer(cb, ms, 0),
      setInterval: (cb: () => void, ms: number) => board.addTimer(cb, ms, Math.max(1, ms)),
      clearTimeout: (id: number) => board.clearTimer(id),
      clearInterval: (id: number) => board.clearTimer(id),
      setWatch: (cb: (e: { state: boolean; time: number }) => void, pin: { name: string }) => {
        board.watches.push({ pin: pin.name, cb });
        return board.watches.length;
      },
      btoa: (s: string) => latin1(s).toString('base64'),
      print: (s: string) => { board.output += s + '\n'; },
      USB: { write: (s: string) => { if (board.dead) return; board.output += s; board.onOutput?.(s); } },
      LoopbackA: { write: () => {} },
    };
    for (let k = 0; k < 32; k++) g[`D${k}`] = { name: `D${k}` };
    g.BTN1 = { name: 'BTN1' };
    return g;
  }

  private addTimer(cb: () => void, ms: number, every: number): number {
    const id = this.nextId++;
    if (this.dead) return id;
    this.timers.push({ id, due: this.nowMs + Math.max(0, ms || 0), every, cb });
    return id;
  }

  private clearTimer(id: number): void {
    this.timers = this.timers.filter((t) => t.id !== id);
  }

  /** Runs timers in due order while virtual time advances by `ms`. */
  advance(ms: number): void {
    const end = this.nowMs + ms;
    for (;;) {
      if (this.dead) break;
      let next: Timer | undefined;
      for (const t of this.timers) if (t.due <= end && (!next || t.due < next.due || (t.due === next.due && t.id < next.id))) next = t;
      if (!next) break;
      this.nowMs = Math.max(this.nowMs, next.due);
      if (next.every > 0) next.due += next.every;
      else this.clearTimer(next.id);
      this.guard(next.cb);
    }
    if (!this.dead) this.nowMs = end;
  }

  /** Runs everything due now (background fold, replay chunks), without moving the clock. */
  settle(): void {
    this.advance(0);
  }

  /** A rising edge on a pin (a metering pulse, the troubleshooting signal, the final-bill trigger). */
  edge(pin: string): void {
    for (const w of this.watches.filter((x) => x.pin === pin)) this.guard(() => w.cb({ state: true, time: this.time }));
  }
}
