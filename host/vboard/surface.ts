// The Espruino 2v29 runtime surface the virtual board exposes, read from the one copy of the probe
// data in the repository (firmware/conformance/data/surface-2v29.json, copied by firmware-app from
// the team's probe of the real interpreter; see its README). The guest prelude builds the board's
// objects; the filter script generated here then deletes every global, static member and (where
// the probe enumerated them) prototype member that the real interpreter does not have.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SURFACE_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'firmware', 'conformance', 'data', 'surface-2v29.json');

/**
 * Names in the probe output that are the probe's own variables, not the runtime's: `out` (its
 * result object), `g` (a 156-element scratch array) and `arguments` (it ran inside a function).
 */
const PROBE_ARTIFACTS = new Set(['out', 'g', 'arguments']);
/** Entries that list the global object itself rather than a global's members. */
const GLOBAL_OBJECT_ALIASES = new Set(['global', 'globalThis']);
/**
 * Prototype lists the probe enumerated faithfully. Every other prototype list in the file is empty
 * (the interpreter keeps built-in prototype members in a native table the probe cannot walk) or, for
 * Serial, is Function.prototype's list; those prototypes keep the engine's members.
 */
const ENUMERATED_PROTOTYPES = ['Array', 'Function'];

export interface Surface {
  readonly env: Record<string, string | number>;
  readonly globals: readonly string[];
  readonly statics: Readonly<Record<string, readonly string[]>>;
  readonly prototypes: Readonly<Record<string, readonly string[]>>;
  readonly modules: Readonly<Record<string, readonly string[]>>;
}

interface SurfaceJson {
  env: Record<string, string | number>;
  globals: string[];
  members: Record<string, { static?: string[]; prototype?: string[]; missing?: string }>;
}

export function loadSurface(path: string = SURFACE_PATH): Surface {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as SurfaceJson;
  const statics: Record<string, string[]> = {};
  const prototypes: Record<string, string[]> = {};
  const modules: Record<string, string[]> = {};
  for (const [name, entry] of Object.entries(raw.members)) {
    const m = /^require\('([^']+)'\)$/.exec(name);
    if (m) {
      if (entry.missing === undefined) modules[m[1]!] = entry.static ?? [];
      continue;
    }
    if (PROBE_ARTIFACTS.has(name) || GLOBAL_OBJECT_ALIASES.has(name)) continue;
    statics[name] = entry.static ?? [];
    if (ENUMERATED_PROTOTYPES.includes(name)) prototypes[name] = entry.prototype ?? [];
  }
  return {
    env: raw.env,
    globals: raw.globals.filter((g) => !PROBE_ARTIFACTS.has(g)),
    statics,
    prototypes,
    modules,
  };
}

/**
 * Guest script that removes what Espruino lacks. Function metadata (`length`, `name`, `prototype`,
 * `constructor`) and symbol-keyed members (the engine's iteration protocol, which for..of needs) stay.
 * Statics the language makes non-configurable (Number.EPSILON, Number.MAX_SAFE_INTEGER, ...) cannot
 * be deleted, so such a constructor is replaced by a wrapper carrying only the listed statics (it
 * calls and constructs through to the original, and takes over its prototype). `undefined` is the
 * one global no script can remove; Espruino has it too, as a keyword rather than a global property.
 */
export function surfaceFilterScript(surface: Surface): string {
  return `(function (globals, statics, prototypes) {
  var keep = { length: 1, name: 1, prototype: 1, constructor: 1 };
  var G = globalThis;
  var construct = Reflect.construct;
  var defineProperty = Object.defineProperty;
  var getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
  Object.getOwnPropertyNames(G).forEach(function (k) {
    if (globals.indexOf(k) < 0) delete G[k];
  });
  function prune(obj, allowed) {
    var stuck = false;
    Object.getOwnPropertyNames(obj).forEach(function (k) {
      if (allowed.indexOf(k) < 0 && !keep[k] && !delete obj[k]) stuck = true;
    });
    return stuck;
  }
  function wrap(orig, allowed) {
    var W = function () { return new.target ? construct(orig, arguments, new.target) : orig.apply(this, arguments); };
    defineProperty(W, 'name', { value: orig.name });
    W.prototype = orig.prototype;
    defineProperty(orig.prototype, 'constructor', { value: W, writable: true, configurable: true, enumerable: false });
    allowed.forEach(function (k) {
      if (k !== 'prototype' && k in orig) defineProperty(W, k, getOwnPropertyDescriptor(orig, k));
    });
    return W;
  }
  Object.keys(statics).forEach(function (g) {
    var obj = G[g];
    if (obj === null || (typeof obj !== 'object' && typeof obj !== 'function')) return;
    if (prune(obj, statics[g]) && typeof obj === 'function') G[g] = wrap(obj, statics[g]);
  });
  Object.keys(prototypes).forEach(function (g) { if (G[g]) prune(G[g].prototype, prototypes[g]); });
})(${JSON.stringify(surface.globals)}, ${JSON.stringify(surface.statics)}, ${JSON.stringify(surface.prototypes)});`;
}
