// Loads the measured Espruino 2v29 facts (data/, copied from the team's probe of the real
// interpreter) into the shape the conformance checker needs.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RuntimeData {
  /** language.txt: feature name -> probe result ("true", "false", "ERR ..."). */
  readonly features: ReadonlyMap<string, string>;
  /** Global names that exist on the runtime. */
  readonly globals: ReadonlySet<string>;
  /** Static members per global (only for globals the probe enumerated). */
  readonly statics: ReadonlyMap<string, ReadonlySet<string>>;
  /** require()-able modules and their members; absent modules are not in the map. */
  readonly modules: ReadonlyMap<string, ReadonlySet<string>>;
}

const DATA_DIR = join(dirname(fileURLToPath(import.meta.url)), 'data');

interface SurfaceJson {
  globals: string[];
  members: Record<string, { static?: string[]; prototype?: string[]; missing?: string }>;
}

export function parseLanguage(text: string): Map<string, string> {
  const features = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.includes(':')) continue;
    const at = line.indexOf(':');
    features.set(line.slice(0, at).trim(), line.slice(at + 1).trim());
  }
  return features;
}

export function loadRuntimeData(dir: string = DATA_DIR): RuntimeData {
  const features = parseLanguage(readFileSync(join(dir, 'language.txt'), 'utf8'));
  const surface = JSON.parse(readFileSync(join(dir, 'surface-2v29.json'), 'utf8')) as SurfaceJson;
  const statics = new Map<string, Set<string>>();
  const modules = new Map<string, Set<string>>();
  for (const [name, entry] of Object.entries(surface.members)) {
    const m = /^require\('([^']+)'\)$/.exec(name);
    if (m) {
      if (entry.missing === undefined) modules.set(m[1]!, new Set(entry.static ?? []));
    } else {
      statics.set(name, new Set(entry.static ?? []));
    }
  }
  return { features, globals: new Set(surface.globals), statics, modules };
}

/** A feature is usable only if the probe evaluated it without error to something other than false. */
export function featureWorks(data: RuntimeData, feature: string): boolean {
  const result = data.features.get(feature);
  return result !== undefined && result !== 'false' && !result.startsWith('ERR');
}
