// The household's account token authenticates settlements: anyone holding it can settle, dispute
// or read the meter's status at the UC. A command-line argument is visible to every local user
// (ps, /proc/PID/cmdline), so the token comes from a file (--account-token-file, readable by its
// owner only) or the environment (SIPSTER_ACCOUNT_TOKEN); --account-token still works but warns.
import { readFileSync, statSync } from 'node:fs';
import type { Logger } from '../common/log.ts';
import { OptionError } from '../common/options.ts';

const TOKEN = /^[0-9a-f]{64}$/;

/**
 * The token from `--account-token-file` if given, else the value already resolved for
 * `--account-token` (flag, environment or config file); undefined when neither is set.
 */
export function resolveAccountToken(fromOption: string | undefined, file: string | undefined, argv: readonly string[], log: Logger): string | undefined {
  if (file !== undefined && fromOption !== undefined) throw new OptionError('give the account token once: --account-token-file or SIPSTER_ACCOUNT_TOKEN, not both');
  if (argv.some((a) => a === '--account-token' || a.startsWith('--account-token='))) {
    log.warn('--account-token on the command line is visible to every local user (ps); use --account-token-file PATH or SIPSTER_ACCOUNT_TOKEN');
  }
  if (file === undefined) return fromOption;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new OptionError(`cannot read --account-token-file ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const token = text.trim();
  if (!TOKEN.test(token)) throw new OptionError(`--account-token-file ${file}: expected 64 lowercase hex digits`);
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077) log.warn('the account token file is readable by other users; chmod 600 it', { file, mode: mode.toString(8) });
  return token;
}
