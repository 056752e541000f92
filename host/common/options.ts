// Settings of a service command (`sipster mint serve`, `uc serve`, `wallet run`) from, in order
// of precedence: command-line flags, environment variables, a JSON config file, defaults. Every
// value is validated; a bad one is an OptionError (the command prints it and exits 2).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

export class OptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OptionError';
  }
}

export interface OptionSpec {
  /** Flag name (`--db`), also the config-file key. */
  readonly name: string;
  readonly env?: string;
  readonly kind: 'string' | 'int' | 'boolean';
  readonly help: string;
  readonly default?: string | number | boolean;
  readonly min?: number;
  readonly max?: number;
  readonly choices?: readonly string[];
  readonly pattern?: RegExp;
  /** What a value matching `pattern` looks like, for the error on a malformed one. */
  readonly format?: string;
  /** Never echoed back in an error (an account token). */
  readonly secret?: boolean;
}

export type OptionValues = Record<string, string | number | boolean | undefined>;

function coerce(spec: OptionSpec, raw: unknown, source: string): string | number | boolean {
  const where = source === 'config file' ? `"${spec.name}" in the config file` : source;
  const got = (): string => (spec.secret ? `a value of ${String(raw).length} characters` : JSON.stringify(raw));
  if (spec.kind === 'boolean') {
    if (typeof raw === 'boolean') return raw;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    throw new OptionError(`${where}: expected true or false, got ${got()}`);
  }
  if (spec.kind === 'int') {
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
    const range = `between ${spec.min ?? '-∞'} and ${spec.max ?? '∞'}`;
    if (!Number.isSafeInteger(n)) throw new OptionError(`${where}: expected a whole number ${range}, got ${got()}`);
    if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) throw new OptionError(`${where}: must be ${range}, got ${n}`);
    return n;
  }
  if (typeof raw !== 'string' || raw === '') throw new OptionError(`${where}: expected a non-empty value`);
  if (spec.choices && !spec.choices.includes(raw)) throw new OptionError(`${where}: expected one of ${spec.choices.join(', ')}, got ${got()}`);
  if (spec.pattern && !spec.pattern.test(raw)) throw new OptionError(`${where}: malformed: expected ${spec.format ?? `a value matching ${spec.pattern}`}, got ${got()}`);
  return raw;
}

/** Parses argv (after the subcommand) into validated values; `--config FILE` is always accepted. */
export function resolveOptions(specs: readonly OptionSpec[], argv: string[], env: NodeJS.ProcessEnv = process.env): { values: OptionValues; help: boolean } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        config: { type: 'string' },
        ...Object.fromEntries(specs.map((s) => [s.name, { type: s.kind === 'boolean' ? ('boolean' as const) : ('string' as const) }])),
      },
    });
  } catch (err) {
    throw new OptionError(`${(err as Error).message.split('\n')[0]} (--help lists the options)`);
  }
  if (parsed.values.help) return { values: {}, help: true };
  let file: Record<string, unknown> = {};
  const configPath = parsed.values.config as string | undefined;
  if (configPath !== undefined) {
    let text: string;
    try {
      text = readFileSync(configPath, 'utf8');
    } catch (err) {
      throw new OptionError(`cannot read config file ${configPath}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    try {
      file = JSON.parse(text);
    } catch {
      throw new OptionError(`config file ${configPath} is not valid JSON`);
    }
    if (typeof file !== 'object' || file === null || Array.isArray(file)) throw new OptionError(`config file ${configPath} must hold a JSON object`);
    const unknown = Object.keys(file).filter((k) => !specs.some((s) => s.name === k));
    if (unknown.length) throw new OptionError(`config file ${configPath}: unknown keys ${unknown.join(', ')}`);
  }
  const values: OptionValues = {};
  for (const spec of specs) {
    const flag = (parsed.values as Record<string, unknown>)[spec.name];
    if (flag !== undefined) values[spec.name] = coerce(spec, flag, `--${spec.name}`);
    else if (spec.env && env[spec.env] !== undefined && env[spec.env] !== '') values[spec.name] = coerce(spec, env[spec.env], `$${spec.env}`);
    else if (file[spec.name] !== undefined) values[spec.name] = coerce(spec, file[spec.name], 'config file');
    else values[spec.name] = spec.default;
  }
  return { values, help: false };
}

/** The options part of a --help text. */
export function describeOptions(specs: readonly OptionSpec[]): string {
  const rows = specs.map((s) => {
    const flag = `--${s.name}${s.kind === 'boolean' ? '' : s.kind === 'int' ? ' N' : ' VALUE'}`;
    const extra = [s.env ? `env ${s.env}` : '', s.default !== undefined ? `default ${s.default}` : ''].filter(Boolean).join('; ');
    return `  ${flag.padEnd(24)} ${s.help}${extra ? ` (${extra})` : ''}`;
  });
  rows.push(`  ${'--config FILE'.padEnd(24)} JSON file with any of the options above as keys`);
  rows.push(`  ${'-h, --help'.padEnd(24)} show this help`);
  return rows.join('\n');
}

/**
 * The options of `sipster <command>`, or the exit code to return at once: 0 after printing the
 * usage for --help, 2 after printing an option error.
 */
export function parseCommandOptions(specs: readonly OptionSpec[], argv: string[], command: string, usage: string): OptionValues | number {
  try {
    const r = resolveOptions(specs, argv);
    if (r.help) {
      process.stdout.write(usage + '\n');
      return 0;
    }
    return r.values;
  } catch (err) {
    if (!(err instanceof OptionError)) throw err;
    process.stderr.write(`sipster ${command}: ${err.message}\n`);
    return 2;
  }
}
