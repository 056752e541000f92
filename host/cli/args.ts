/** Strict flag parsing for the lead's commands: --name value or --name=value, known names only. */
export class UsageError extends Error {}

export function parseFlags(argv: readonly string[], known: readonly string[], booleans: readonly string[] = []): Map<string, string> {
  const out = new Map<string, string>();
  for (let k = 0; k < argv.length; k++) {
    const arg = argv[k]!;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (booleans.includes(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      out.set(name, 'true');
      continue;
    }
    if (!known.includes(name)) throw new UsageError(`unknown option --${name}`);
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++k];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    out.set(name, value);
  }
  return out;
}

export function intFlag(flags: Map<string, string>, name: string, fallback: number, min: number, max: number): number {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new UsageError(`--${name} must be a whole number, got ${JSON.stringify(raw)}`);
  const v = Number(raw);
  if (v < min || v > max) throw new UsageError(`--${name} must be between ${min} and ${max}`);
  return v;
}
