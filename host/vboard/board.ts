// The virtual board: flash (a file), a clock, pins, the USB link and a power switch around the
// QuickJS engine. Everything the HIL rig does to a real board goes through here: bytes in and out
// of the link, pin levels and pulses, clock speed and jumps, power cuts (optionally armed to hit at
// a given flash write or record, torn or not).
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { crc32 } from 'node:zlib';
import { sha1 } from '@noble/hashes/legacy.js';
import { sha224, sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { VirtualClock } from './clock.ts';
import { Engine, type HostOp, type HostValue } from './engine.ts';
import { FlashStore, type TearPlan } from './flash.ts';
import { Repl } from './repl.ts';
import { loadSurface, type Surface } from './surface.ts';

export interface BoardOptions {
  /** File holding the board's flash (created if missing). */
  readonly flashPath: string;
  /** Guest heap cap in bytes. */
  readonly ramBytes?: number;
  readonly stackBytes?: number;
  readonly flashBytes?: number;
  /** Virtual ms per real ms. */
  readonly clockSpeed?: number;
  /** Initial clock reading (ms since 1970); defaults to the host's clock. */
  readonly clockStartMs?: number;
  /** process.env.SERIAL, distinct per board. */
  readonly serial?: string;
}

/** A power cut armed to hit at a precise point rather than between host turns. */
export type CutPlan =
  | { readonly afterFlashWrites: number; readonly tornBytes?: number }
  | { readonly afterRecords: number };

/**
 * 1 MiB of QuickJS heap. The meter firmware's working set measures ~430 KB here (QuickJS values are
 * several times larger than Espruino's 12-16-byte variables), so this cap leaves it the same kind
 * of headroom a small board's 2,500-5,000 variables leave it, and a bundle that grows carelessly
 * runs out of memory here as it would there.
 */
export const DEFAULT_RAM_BYTES = 1024 * 1024;
export const DEFAULT_STACK_BYTES = 256 * 1024;
/** process.memory() counts the heap in units of 1/4096 of the cap: totals read like the 4,096 variables of Espruino's Linux build. */
const VARS_TOTAL = 4096;
const SHA: Record<string, (m: Uint8Array) => Uint8Array> = { SHA1: sha1, SHA224: sha224, SHA256: sha256, SHA384: sha384, SHA512: sha512 };
const FRAME_END = /@S1:[A-Za-z0-9+/=]*\*[0-9a-f]{8}\r\n/g;

interface PinEvent {
  readonly at: number;
  readonly pin: string;
  readonly level: boolean;
}

/**
 * Events: 'data' (Buffer: bytes the board sends on its USB link), 'power' (boolean), 'pin'
 * (name, level: outputs the firmware drives), 'uncaught' (text).
 */
export class VirtualBoard extends EventEmitter {
  readonly clock: VirtualClock;
  readonly flash: FlashStore;
  readonly surface: Surface;
  private engine: Engine | undefined;
  private booting: Promise<void> | undefined;
  private readonly repl: Repl;
  private consoleDevice = 'USB';
  private consoleForced = false;
  private readonly listening = new Set<string>();
  private readonly levels = new Map<string, boolean>();
  private pinQueue: PinEvent[] = [];
  private guestDue = -1;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private restarting = false;
  private inbox = '';
  private outbox = '';
  private pendingPower: { kind: string; arg: string } | undefined;
  private cut: CutPlan | undefined;
  private cutBase = 0;
  private frameTail = '';
  /** Records (framed lines) the board has sent since it was created. */
  recordsSent = 0;
  /** Console lines executed since the last reset, kept for save(). */
  private sessionCode: string[] = [];
  private replayingImage = false;

  constructor(readonly options: BoardOptions) {
    super();
    this.surface = loadSurface();
    this.clock = new VirtualClock(options.clockStartMs ?? Date.now(), options.clockSpeed ?? 1);
    this.flash = new FlashStore(options.flashPath, options.flashBytes ?? Number(this.surface.env.STORAGE));
    this.repl = new Repl({
      write: (t) => this.consoleOut(t, false),
      execute: (code) => this.executeLine(code),
      paused: () => this.pendingPower !== undefined || this.engine === undefined,
    });
  }

  get powered(): boolean {
    return this.engine !== undefined;
  }

  /** Power on: fresh RAM, boot code from flash, E.on('init') and onInit(), then the prompt. */
  async powerOn(): Promise<void> {
    if (this.engine || this.booting) return this.booting;
    this.booting = this.start('power');
    try {
      await this.booting;
    } finally {
      this.booting = undefined;
    }
  }

  /** Power cut now: RAM and timers are gone, flash stays. */
  powerOff(): void {
    if (!this.engine) return;
    this.engine.kill();
    this.engine = undefined;
    this.guestDue = -1;
    this.cut = undefined;
    this.inbox = '';
    this.pendingPower = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.emit('power', false);
  }

  /** Arms a power cut that hits inside the guest at an exact point (see CutPlan). */
  armCut(plan: CutPlan): void {
    this.cut = plan;
    this.cutBase = 'afterFlashWrites' in plan ? this.flash.writes : this.recordsSent;
  }

  /** Bytes arriving on the USB link (from the pseudo-terminal or a TCP console client). */
  input(data: Buffer): void {
    if (!this.engine && !this.booting && !this.restarting) return; // a board without power reads nothing
    this.inbox += data.toString('latin1');
    this.drain();
  }

  /** Feeds queued input to the console (or to USB.on('data') when the console is elsewhere). */
  private drain(): void {
    while (this.inbox.length > 0 && this.engine && !this.restarting && this.pendingPower === undefined) {
      if (this.consoleDevice === 'USB') {
        const n = this.repl.feed(this.inbox);
        this.inbox = this.inbox.slice(n);
      } else {
        const text = this.inbox;
        this.inbox = '';
        if (this.listening.has('USB')) this.engine.call('serialData', 'USB', text);
      }
      this.afterGuest();
    }
  }

  /** A host attached to the USB link (a cable plugged in): the console returns to USB unless forced away. */
  hostConnected(): void {
    if (this.engine && !this.consoleForced && this.consoleDevice !== 'USB') this.consoleDevice = 'USB';
  }

  /** Sets an input pin's level now (the rig's wire to the board). */
  setPin(pin: string, level: boolean): void {
    this.queuePin({ at: this.clock.now(), pin, level });
  }

  /** `count` pulses on a pin: high for `widthMs`, then low, every `periodMs` (virtual time). */
  pulse(pin: string, count: number, periodMs: number, widthMs = Math.min(periodMs / 2, 5)): void {
    const t0 = this.clock.now();
    for (let k = 0; k < count; k++) {
      this.queuePin({ at: t0 + k * periodMs, pin, level: true });
      this.queuePin({ at: t0 + k * periodMs + widthMs, pin, level: false });
    }
  }

  pinLevel(pin: string): boolean {
    return this.levels.get(pin) ?? false;
  }

  /** Jumps the clock forward, running every timer and pin event due on the way, in order. */
  async advance(ms: number): Promise<void> {
    const target = this.clock.now() + ms;
    for (;;) {
      const next = this.nextEventAt();
      if (next === undefined || next > target) break;
      if (next > this.clock.now()) this.clock.set(next);
      this.runDue();
      await new Promise<void>((r) => setImmediate(r));
    }
    if (target > this.clock.now()) this.clock.set(target);
    this.reschedule();
  }

  setSpeed(speed: number): void {
    this.clock.speed = speed;
    this.reschedule();
  }

  /** The guest heap in bytes now (undefined when off). */
  memoryUsed(): number | undefined {
    return this.engine?.memoryUsed();
  }

  // ---------------------------------------------------------------- internals

  private async start(kind: 'power' | 'load' | 'reset', name = ''): Promise<void> {
    const ramBytes = this.options.ramBytes ?? DEFAULT_RAM_BYTES;
    this.engine = await Engine.create({
      ramBytes,
      stackBytes: this.options.stackBytes ?? DEFAULT_STACK_BYTES,
      surface: this.surface,
      ops: this.ops(ramBytes),
      onUncaught: (t) => this.consoleOut(t + '\n', true),
    });
    this.consoleDevice = 'USB';
    this.consoleForced = false;
    this.listening.clear();
    this.repl.echo = true;
    this.repl.locked = false;
    this.repl.password = undefined;
    this.repl.clear();
    this.guestDue = -1;
    this.sessionCode = [];
    if (kind === 'power') this.emit('power', true);
    if (kind === 'power') this.consoleOut('\r\nSipster virtual board: Espruino 2v29 surface on QuickJS\r\n', false);
    const engine = this.engine;
    for (const file of this.bootFiles(kind, name)) {
      const code = this.flash.read(file);
      if (!code) continue;
      // The saved console session becomes this session's start (a later save() keeps it); a
      // save() inside it is not a new save.
      this.replayingImage = file === '.varimg';
      if (this.replayingImage) this.sessionCode.push(code.toString('latin1'));
      const r = engine.evalScript(code.toString('latin1'), file);
      this.afterGuest();
      this.replayingImage = false;
      if (!r.ok && !r.killed) this.consoleOut(r.error + '\n', true);
      if (!engine.alive || this.engine !== engine) return;
    }
    if (kind !== 'reset') engine.call('boot');
    if (!engine.alive) return;
    this.afterGuest();
    if (this.engine === engine && this.consoleDevice === 'USB') this.repl.showPrompt();
    this.drain();
  }

  private bootFiles(kind: 'power' | 'load' | 'reset', name: string): string[] {
    if (kind === 'reset') return ['.bootrst'];
    if (name) return [name];
    return ['.bootrst', '.boot0', '.boot1', '.boot2', '.boot3', '.varimg', '.bootcde'];
  }

  private executeLine(code: string): { ok: true; value: string } | { ok: false; error: string } {
    if (!this.engine) return { ok: false, error: 'power is off' };
    const r = this.engine.evalScript(code, 'console');
    if (code.length > 0) this.sessionCode.push(code);
    if (r.ok) return { ok: true, value: String(r.value) };
    return { ok: false, error: r.killed ? '' : r.error };
  }

  /** Output that originates on the console device (prints, REPL echo). */
  private consoleOut(text: string, fromGuest: boolean): void {
    const dev = this.consoleDevice;
    if (dev !== 'USB') {
      if (dev === 'LoopbackA' && this.listening.has('LoopbackB') && this.engine) this.engine.call('serialData', 'LoopbackB', text);
      return;
    }
    if (fromGuest) this.repl.beforeOutput();
    this.transmit(fromGuest ? text.replace(/\r?\n/g, '\r\n') : text);
  }

  private transmit(text: string): void {
    if (text.length === 0) return;
    // Coalesced per host turn: a line's echo goes out as one write, not one per character.
    if (this.outbox.length === 0) process.nextTick(() => this.flushOut());
    this.outbox += text;
    this.frameTail += text;
    const ends = this.frameTail.match(FRAME_END);
    if (ends) this.recordsSent += ends.length;
    const lastEnd = this.frameTail.lastIndexOf('\r\n');
    this.frameTail = this.frameTail.slice(lastEnd >= 0 ? lastEnd + 2 : Math.max(0, this.frameTail.length - 2100));
    if (this.cut && 'afterRecords' in this.cut && this.recordsSent - this.cutBase >= this.cut.afterRecords) this.cutNow();
  }

  private flushOut(): void {
    const text = this.outbox;
    this.outbox = '';
    if (text.length > 0) this.emit('data', Buffer.from(text, 'latin1'));
  }

  private cutNow(): void {
    this.cut = undefined;
    this.powerOff();
  }

  /** The flash write that an armed cut tears, if this is it. */
  private flashTear(): { tear: TearPlan | undefined; cutAfter: boolean } {
    const c = this.cut;
    if (!c || !('afterFlashWrites' in c)) return { tear: undefined, cutAfter: false };
    const n = this.flash.writes - this.cutBase + 1;
    if (n < c.afterFlashWrites) return { tear: undefined, cutAfter: false };
    return { tear: c.tornBytes !== undefined ? { keepBytes: c.tornBytes } : undefined, cutAfter: true };
  }

  private flashWrite(write: (tear: TearPlan | undefined) => boolean): boolean {
    const { tear, cutAfter } = this.flashTear();
    const ok = write(tear);
    if (cutAfter) this.cutNow();
    return ok;
  }

  private queuePin(e: PinEvent): void {
    this.pinQueue.push(e);
    this.pinQueue.sort((a, b) => a.at - b.at);
    this.reschedule();
  }

  private nextEventAt(): number | undefined {
    const p = this.pinQueue[0]?.at;
    const g = this.engine && this.guestDue >= 0 ? this.guestDue : undefined;
    if (p === undefined) return g;
    if (g === undefined) return p;
    return Math.min(p, g);
  }

  /** Runs one due event (the earliest), if any. */
  private runDue(): void {
    const engine = this.engine;
    const now = this.clock.now();
    const p = this.pinQueue[0];
    if (p && p.at <= now && (this.guestDue < 0 || p.at <= this.guestDue)) {
      this.pinQueue.shift();
      const was = this.levels.get(p.pin) ?? false;
      this.levels.set(p.pin, p.level);
      if (engine && was !== p.level) engine.call('pinEdge', p.pin, p.level, p.at);
    } else if (engine && this.guestDue >= 0 && this.guestDue <= now) {
      const r = engine.call('runTimer', now);
      if (r.ok && typeof r.value === 'number') this.guestDue = r.value;
    }
    this.afterGuest();
  }

  private reschedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const next = this.nextEventAt();
    if (next === undefined) return;
    this.timer = setTimeout(() => this.tick(), Math.min(this.clock.realDelayUntil(next), 2 ** 31 - 1));
  }

  private tick(): void {
    this.timer = undefined;
    if (this.running) return;
    this.running = true;
    try {
      const next = this.nextEventAt();
      if (next !== undefined && next <= this.clock.now()) this.runDue();
    } finally {
      this.running = false;
    }
    this.reschedule();
  }

  /** After any entry into the guest: deferred power actions, prompt, rescheduling. */
  private afterGuest(): void {
    const p = this.pendingPower;
    if (p && this.engine && p.kind === 'save') {
      // save() keeps RAM as it is; what it stores is replayed at the next boot.
      this.pendingPower = undefined;
      if (!this.replayingImage) this.flash.write('.varimg', Buffer.from(this.sessionCode.join('\n'), 'latin1'));
    } else if (p && this.engine) {
      this.pendingPower = undefined;
      this.engine.call('kill');
      this.engine.kill();
      this.engine = undefined;
      if (p.kind === 'off') {
        this.emit('power', false);
      } else {
        if (p.kind === 'resetClear') this.flash.eraseAll();
        const kind = p.kind === 'reset' || p.kind === 'resetClear' ? 'reset' : p.kind === 'reboot' ? 'power' : 'load';
        this.restarting = true;
        this.start(kind, p.kind === 'load' ? p.arg : '')
          .catch((e: unknown) => this.emit('uncaught', `vboard restart failed: ${(e as Error).message}`))
          .finally(() => {
            this.restarting = false;
            this.drain();
          });
        return;
      }
    }
    if (this.engine && this.consoleDevice === 'USB') this.repl.afterOutput();
    this.reschedule();
  }

  private ops(ramBytes: number): Record<string, HostOp> {
    const str = (v: HostValue): string => (typeof v === 'string' ? v : String(v));
    const bin = (v: HostValue): Buffer => (v instanceof Uint8Array ? Buffer.from(v) : Buffer.from(str(v), 'latin1'));
    const text = (v: HostValue): string => bin(v).toString('latin1');
    return {
      con: (t) => {
        this.consoleOut(text(t), true);
        return undefined;
      },
      tx: (dev, data) => {
        if (dev === 'USB') this.transmit(text(data));
        else if (dev === 'LoopbackA' && this.consoleDevice === 'LoopbackA') this.repl.feed(text(data));
        return undefined;
      },
      inject: (dev, data) => {
        if (dev === 'USB') this.input(bin(data));
        return undefined;
      },
      listen: (dev, ev) => {
        if (ev === 'data') this.listening.add(str(dev));
        return undefined;
      },
      now: () => this.clock.now(),
      setTime: (ms) => {
        this.clock.set(Number(ms));
        return undefined;
      },
      sched: (due) => {
        this.guestDue = Number(due);
        return undefined;
      },
      // An int32, as E.hwRand returns a board's 32 random bits (Espruino's Linux build returns rand(): 31).
      rand: () => randomBytes(4).readInt32BE(0),
      crc32: (data) => crc32(bin(data)) >>> 0,
      sha: (alg, data) => {
        const f = SHA[str(alg)];
        if (!f) throw new Error(`no hash ${str(alg)}`);
        return f(new Uint8Array(bin(data)));
      },
      btoa: (data) => bin(data).toString('base64'),
      atob: (data) => new Uint8Array(Buffer.from(str(data), 'base64')),
      env: () => JSON.stringify({ ...this.surface.env, BOARD: 'SIPSTER_VBOARD', SERIAL: this.options.serial ?? this.surface.env.SERIAL, CONSOLE: this.consoleDevice }),
      mem: () => {
        const used = this.engine?.memoryUsed() ?? 0;
        const total = VARS_TOTAL;
        const usage = Math.ceil((used * VARS_TOTAL) / ramBytes);
        return JSON.stringify({ total, usage, free: Math.max(0, total - usage) });
      },
      stRead: (name) => {
        const b = this.flash.read(str(name));
        return b === undefined ? undefined : new Uint8Array(b);
      },
      stWrite: (name, data) => this.flashWrite((tear) => this.flash.write(str(name), bin(data), tear)),
      stWriteAt: (name, data, offset, size) =>
        this.flashWrite((tear) => this.flash.writeAt(str(name), bin(data), Number(offset), Number(size), tear)),
      stErase: (name) => {
        this.flashWrite(() => {
          this.flash.erase(str(name));
          return true;
        });
        return undefined;
      },
      stEraseAll: () => {
        this.flash.eraseAll();
        return undefined;
      },
      stList: () => JSON.stringify(this.flash.list()),
      stFree: () => this.flash.free(),
      stUsed: () => this.flash.used(),
      power: (kind, arg) => {
        this.pendingPower = { kind: str(kind), arg: arg === undefined ? '' : str(arg) };
        return undefined;
      },
      getConsole: () => (this.consoleDevice === 'null' ? undefined : this.consoleDevice),
      setConsole: (dev, force) => {
        this.consoleDevice = str(dev);
        this.consoleForced = force === true;
        return undefined;
      },
      lock: () => {
        if (this.repl.password !== undefined) this.repl.locked = true;
        return undefined;
      },
      password: (pw) => {
        this.repl.password = pw === undefined ? undefined : str(pw);
        return undefined;
      },
      echo: (on) => {
        this.repl.echo = on === true;
        return undefined;
      },
      pinRead: (name) => this.levels.get(str(name)) ?? false,
      pinWrite: (name, level) => {
        this.levels.set(str(name), level === true);
        this.emit('pin', str(name), level === true);
        return undefined;
      },
      watch: () => undefined,
    };
  }
}
