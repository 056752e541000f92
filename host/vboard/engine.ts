// One power-on of the virtual board: a fresh QuickJS WebAssembly instance (its own memory: a power
// cut drops the whole instance, nothing is freed or kept), the Espruino surface installed by the
// guest prelude, and a single host bridge function. Guest code runs synchronously on the host's
// thread; timers and pin edges enter through `__vb` on later host turns.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newQuickJSWASMModule, RELEASE_SYNC, type QuickJSContext, type QuickJSHandle, type QuickJSRuntime } from 'quickjs-emscripten';
import { surfaceFilterScript, type Surface } from './surface.ts';

const PRELUDE = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'guest', 'espruino.js'), 'utf8');

export type HostValue = string | number | boolean | undefined | ArrayBuffer | Uint8Array;
export type HostOp = (...args: HostValue[]) => HostValue;

export interface EngineOptions {
  /** Guest heap cap in bytes (QuickJS malloc limit). */
  readonly ramBytes: number;
  /** Guest stack cap in bytes: deep recursion raises a RangeError instead of corrupting the engine. */
  readonly stackBytes: number;
  readonly surface: Surface;
  /** The board's side of the bridge, by op name (see guest/espruino.js). */
  readonly ops: Readonly<Record<string, HostOp>>;
  /** Where an error nobody caught (a rejected promise job) is reported, as the board prints it. */
  readonly onUncaught: (text: string) => void;
}

export type RunResult = { ok: true; value: string | number | undefined } | { ok: false; error: string; killed: boolean };

export class Engine {
  private killed = false;
  private constructor(
    private readonly rt: QuickJSRuntime,
    private readonly ctx: QuickJSContext,
    private readonly vb: QuickJSHandle,
    readonly ramBytes: number,
    private readonly onUncaught: (text: string) => void,
  ) {}

  static async create(opts: EngineOptions): Promise<Engine> {
    // A new module per power-on: the WebAssembly memory is the board's RAM.
    const mod = await newQuickJSWASMModule(RELEASE_SYNC);
    const rt = mod.newRuntime();
    rt.setMemoryLimit(opts.ramBytes);
    rt.setMaxStackSize(opts.stackBytes);
    const ctx = rt.newContext();
    let engine: Engine | undefined;
    rt.setInterruptHandler(() => engine?.killed === true);
    const bridge = ctx.newFunction('__host', (opHandle, ...argHandles) => {
      if (engine?.killed) return ctx.undefined;
      const op = opts.ops[ctx.getString(opHandle)];
      if (!op) throw new Error(`vboard: unknown host op ${ctx.dump(opHandle)}`);
      const args = argHandles.map((h) => fromGuest(ctx, h));
      return toGuest(ctx, op(...args));
    });
    ctx.setProp(ctx.global, '__host', bridge);
    bridge.dispose();
    ctx.unwrapResult(ctx.evalCode(PRELUDE, 'espruino.js')).dispose();
    const vb = ctx.getProp(ctx.global, '__vb');
    ctx.unwrapResult(ctx.evalCode(surfaceFilterScript(opts.surface), 'surface.js')).dispose();
    engine = new Engine(rt, ctx, vb, opts.ramBytes, opts.onUncaught);
    return engine;
  }

  /** Power cut: from now on the guest does nothing observable and any running code is interrupted. */
  kill(): void {
    this.killed = true;
  }

  get alive(): boolean {
    return !this.killed;
  }

  /** Evaluates a script in the global scope (REPL line, boot code). The value comes back formatted. */
  evalScript(code: string, filename: string): RunResult {
    if (this.killed) return { ok: false, error: 'power is off', killed: true };
    return this.settle(this.ctx.evalCode(code, filename), true);
  }

  /** Calls a `__vb` entry point with primitive arguments. */
  call(method: 'runTimer' | 'pinEdge' | 'serialData' | 'boot' | 'kill', ...args: (string | number | boolean)[]): RunResult {
    if (this.killed) return { ok: false, error: 'power is off', killed: true };
    const fn = this.ctx.getProp(this.vb, method);
    const handles = args.map((a) => toGuest(this.ctx, a));
    const result = this.ctx.callFunction(fn, this.vb, ...handles);
    fn.dispose();
    for (const h of handles) h.dispose();
    return this.settle(result, false);
  }

  /** Bytes the guest heap uses now. */
  memoryUsed(): number {
    const h = this.rt.computeMemoryUsage();
    const usage = this.ctx.dump(h) as { memory_used_size: number };
    h.dispose();
    return usage.memory_used_size;
  }

  private settle(result: ReturnType<QuickJSContext['evalCode']>, format: boolean): RunResult {
    let out: RunResult;
    if (result.error) {
      const killed = this.killed;
      out = { ok: false, error: killed ? 'power cut' : this.formatError(result.error), killed };
      result.error.dispose();
    } else {
      const v = result.value;
      out = { ok: true, value: format ? this.format(v) : primitive(this.ctx, v) };
      v.dispose();
    }
    if (!this.killed) this.pumpJobs();
    return out;
  }

  /** Promise reactions run after each entry into the guest, as on the board's idle loop. */
  private pumpJobs(): void {
    const r = this.rt.executePendingJobs();
    if (r.error) {
      if (!this.killed) this.onUncaught(this.callFormatter('fmtErr', r.error));
      r.error.dispose();
    }
  }

  private format(v: QuickJSHandle): string {
    return this.callFormatter('fmt', v);
  }

  private formatError(e: QuickJSHandle): string {
    return this.callFormatter('fmtErr', e);
  }

  private callFormatter(name: 'fmt' | 'fmtErr', v: QuickJSHandle): string {
    const fn = this.ctx.getProp(this.vb, name);
    const r = this.ctx.callFunction(fn, this.vb, v);
    fn.dispose();
    if (r.error) {
      r.error.dispose();
      return name === 'fmtErr' ? 'Uncaught Error' : '?';
    }
    const s = this.ctx.getString(r.value);
    r.value.dispose();
    return s;
  }
}

function primitive(ctx: QuickJSContext, h: QuickJSHandle): string | number | undefined {
  const t = ctx.typeof(h);
  if (t === 'number') return ctx.getNumber(h);
  if (t === 'string') return ctx.getString(h);
  return undefined;
}

function fromGuest(ctx: QuickJSContext, h: QuickJSHandle): HostValue {
  switch (ctx.typeof(h)) {
    case 'string':
      return ctx.getString(h);
    case 'number':
      return ctx.getNumber(h);
    case 'boolean':
      return ctx.dump(h) as boolean;
    case 'undefined':
      return undefined;
    case 'object': {
      // Binary data comes as an ArrayBuffer (getArrayBuffer throws for anything else).
      const view = ctx.getArrayBuffer(h);
      const copy = new Uint8Array(view.value);
      view.dispose();
      return copy;
    }
    default:
      throw new TypeError('vboard: host bridge takes only primitives and ArrayBuffers');
  }
}

function toGuest(ctx: QuickJSContext, v: HostValue): QuickJSHandle {
  if (v === undefined) return ctx.undefined;
  if (typeof v === 'string') return ctx.newString(v);
  if (typeof v === 'number') return ctx.newNumber(v);
  if (typeof v === 'boolean') return v ? ctx.true : ctx.false;
  if (v instanceof Uint8Array) return ctx.newArrayBuffer(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
  return ctx.newArrayBuffer(v);
}
