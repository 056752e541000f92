/** Flag parsing shared by the CLI commands: strict node:util parseArgs, help and usage errors handled once. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;
type Values<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: false }>>['values'];

export class UsageError extends Error {}

/**
 * The command's flags, or the exit code to return at once: 0 after printing the help for
 * --help/-h, 2 after printing the error and the help for an unknown or malformed flag.
 */
export function parseCommandArgs<const O extends Options>(command: string, argv: string[], options: O, help: string): Values<O> | number {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(help);
    return 0;
  }
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as Values<O>;
  } catch (err) {
    process.stderr.write(`sipster ${command}: ${(err as Error).message}\n\n${help}`);
    return 2;
  }
}

/** An optional whole-number flag within [min, max]. */
export function intFlag(raw: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new UsageError(`--${name} must be a whole number, got ${JSON.stringify(raw)}`);
  const v = Number(raw);
  if (v < min || v > max) throw new UsageError(`--${name} must be between ${min} and ${max}`);
  return v;
}
