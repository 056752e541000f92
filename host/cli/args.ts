/**
 * What every CLI command shares: strict flag parsing (node:util parseArgs) with help handled
 * once, and the errors a command throws for main.ts to print as one line,
 * `sipster <command>: <what went wrong>`, with exit 2 for a usage error and 1 otherwise.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;
type Values<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: false }>>['values'];

/** A failure the command explains in one line (exit 1 unless said otherwise). */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'CliError';
  }
}

/** A wrong flag or a missing one (exit 2). */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}

/** The command's flags, or 0 after printing the help for --help/-h; a bad flag throws a UsageError. */
export function parseCommandArgs<const O extends Options>(command: string, argv: string[], options: O, help: string): Values<O> | number {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(help);
    return 0;
  }
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as Values<O>;
  } catch (err) {
    throw new UsageError(`${(err as Error).message.split('\n')[0]} (\`sipster ${command} --help\` lists the options)`);
  }
}

/** An optional whole-number flag within [min, max]. */
export function intFlag(raw: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new UsageError(`--${name} must be a whole number, got ${JSON.stringify(raw)}`);
  const v = Number(raw);
  if (v < min || v > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${v}`);
  return v;
}

/** --verbose / --quiet, as espruino-tools and serialport's tools take them. */
export type Verbosity = 'quiet' | 'normal' | 'verbose';
export function verbosity(flags: { verbose?: boolean; quiet?: boolean }): Verbosity {
  if (flags.verbose && flags.quiet) throw new UsageError('--verbose and --quiet exclude each other');
  return flags.verbose ? 'verbose' : flags.quiet ? 'quiet' : 'normal';
}

/**
 * `sipster <command> <subcommand> [options]`: runs the subcommand's handler on the options after it;
 * help is answered (exit 0, or 2 without a subcommand) and an unknown subcommand is one line, exit 2.
 */
export async function runSubcommand(command: string, argv: string[], usage: string, handlers: Record<string, (rest: string[]) => Promise<number>>): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(usage + '\n');
    return sub === undefined ? 2 : 0;
  }
  const handler = Object.hasOwn(handlers, sub) ? handlers[sub] : undefined;
  if (!handler) {
    process.stderr.write(`sipster ${command}: unknown subcommand ${JSON.stringify(sub)} (${Object.keys(handlers).join(', ')})\n`);
    return 2;
  }
  return handler(rest);
}
