// `sipster wallet run|status|dispute`: the household's wallet daemon.
// Only option handling is loaded up front; the wallet's modules (crypto, wasm, serial) load once
// the options are valid, so --help and option errors answer at once.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, type LogLevel, type Logger } from '../../common/log.ts';
import { describeOptions, parseCommandOptions, type OptionSpec, type OptionValues } from '../../common/options.ts';
import type { Db } from '../../store/db.ts';
import type { WalletDaemon } from '../../wallet/daemon.ts';
import { defaultDataDir, WALLET_FILE } from '../../wallet/data-dir.ts';
import { CliError, runSubcommand, UsageError } from '../args.ts';
import { openExisting } from '../store.ts';

export const subcommands = ['run', 'status', 'dispute'];

export const summary = 'run the household wallet daemon (sipster wallet run|status|dispute --help)';

const URL_RE = /^https?:\/\/[^\s]+$/;
const URL_FORMAT = 'an http:// or https:// URL';
const base: OptionSpec[] = [
  { name: 'data-dir', env: 'SIPSTER_WALLET_DATA_DIR', kind: 'string', default: defaultDataDir(), help: "the wallet's directory (per user)" },
  { name: 'db', env: 'SIPSTER_WALLET_DB', kind: 'string', help: `SQLite file path or postgres:// URL (default <data-dir>/${WALLET_FILE})` },
  { name: 'relay', env: 'SIPSTER_WALLET_RELAY', kind: 'string', pattern: URL_RE, format: URL_FORMAT, help: 'relay (not run by the UC) for pay requests; without it privacy is off' },
  { name: 'log-level', env: 'SIPSTER_LOG_LEVEL', kind: 'string', default: 'info', choices: ['debug', 'info', 'warn', 'error'], help: 'debug logs every token' },
];
const statusOnly: OptionSpec[] = [{ name: 'json', kind: 'boolean', default: false, help: 'print the status as one JSON object' }];
const connection: OptionSpec[] = [
  { name: 'uc', env: 'SIPSTER_WALLET_UC', kind: 'string', pattern: URL_RE, format: URL_FORMAT, help: "the UC's URL (required)" },
  { name: 'mint', env: 'SIPSTER_WALLET_MINT', kind: 'string', pattern: URL_RE, format: URL_FORMAT, help: 'the mint URL (default: the UC URL, which co-hosts it)' },
  { name: 'account-token-file', env: 'SIPSTER_ACCOUNT_TOKEN_FILE', kind: 'string', help: 'file holding the account token from `sipster uc register-meter` (required, or the token in SIPSTER_ACCOUNT_TOKEN)' },
  { name: 'account-token', env: 'SIPSTER_ACCOUNT_TOKEN', kind: 'string', pattern: /^[0-9a-f]{64}$/, format: '64 lowercase hex digits', secret: true, help: 'the account token itself; on the command line it is visible in ps, so prefer the file or the environment' },
  { name: 'log-vk', env: 'SIPSTER_WALLET_LOG_VK', kind: 'string', pattern: /^0[23][0-9a-f]{64}$/, format: '66 lowercase hex digits starting 02 or 03', help: "the UC's parameters-log key, obtained out of band (required)" },
  { name: 'meter-id', env: 'SIPSTER_WALLET_METER_ID', kind: 'string', pattern: /^[\x21-\x7e]{1,64}$/, format: '1–64 printable ASCII characters', help: 'this household\'s meter id (required)' },
];
const runOnly: OptionSpec[] = [
  { name: 'port', env: 'SIPSTER_WALLET_PORT', kind: 'string', help: 'meter serial port (/dev/ttyACM0 or tcp://host:port)' },
  { name: 'records', env: 'SIPSTER_WALLET_RECORDS', kind: 'string', help: 'a recorded stream of framed meter records to ingest instead of a port' },
  { name: 'withdraw-amount', env: 'SIPSTER_WALLET_WITHDRAW_AMOUNT', kind: 'int', default: 20, min: 1, max: 1000, help: 'coins per withdrawal (fixed)' },
  { name: 'buffer', env: 'SIPSTER_WALLET_BUFFER', kind: 'int', default: 20, min: 0, max: 100_000, help: 'withdraw while fewer coins than this are held' },
  { name: 'withdraw-interval', env: 'SIPSTER_WALLET_WITHDRAW_INTERVAL', kind: 'int', default: 3600, min: 1, max: 10_000_000, help: 'seconds between scheduled withdrawals' },
  { name: 'retry', env: 'SIPSTER_WALLET_RETRY', kind: 'int', default: 60, min: 1, max: 86_400, help: 'seconds before a failed request is retried (plus random jitter)' },
  { name: 'tick-ms', env: 'SIPSTER_WALLET_TICK_MS', kind: 'int', default: 1000, min: 10, max: 600_000, help: 'how often the daemon looks for due work' },
];
const disputeOnly: OptionSpec[] = [{ name: 'c', kind: 'int', min: 0, max: 0xffffffff, help: 'the period counter to dispute (required)' }];

const usage = `usage: sipster wallet run [options]       the daemon: ingest, withdraw, pay, verify, settle
       sipster wallet status [--json] [options]    balance, meter port, unpaid tokens, periods, debts
       sipster wallet dispute --c N --uc URL --account-token-file F --log-vk HEX --meter-id ID [options]
                                          reveal period N's tokens to the UC (not private)

The wallet's store is <data-dir>/${WALLET_FILE}; \`wallet run\` creates it, \`status\` and
\`dispute\` only open it.

run options:
${describeOptions([...base, ...connection, ...runOnly])}

status options: --json and --data-dir, --db, --relay, --log-level as above.
dispute options: --c N, the connection options above (all required) and --data-dir, --db.`;

function parse(specs: OptionSpec[], argv: string[], name: string): OptionValues | number {
  return parseCommandOptions(specs, argv, `wallet ${name}`, usage);
}

function requireAll(v: OptionValues, names: string[]): void {
  const absent = names.filter((n) => v[n] === undefined);
  if (absent.length) throw new UsageError(`missing ${absent.map((n) => `--${n}`).join(', ')} (\`sipster wallet --help\` says what each is)`);
}

/** Puts the token from --account-token-file (or the environment) into v['account-token'], or a usage error. */
async function withAccountToken(v: OptionValues, argv: string[], log: Logger): Promise<void> {
  const { resolveAccountToken } = await import('../../wallet/account-token.ts');
  try {
    v['account-token'] = resolveAccountToken(v['account-token'] as string | undefined, v['account-token-file'] as string | undefined, argv, log);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (v['account-token'] === undefined) throw new UsageError('missing --account-token-file (or SIPSTER_ACCOUNT_TOKEN)');
}

const storeOf = (v: OptionValues): string => (v.db as string | undefined) ?? join(v['data-dir'] as string, WALLET_FILE);

/** The UC's log key as a point, or a usage error: a key off the curve can never verify a log. */
async function logKey(v: OptionValues): Promise<Uint8Array> {
  const [{ fromHex }, { decodeVerifyingKey }] = await Promise.all([import('../../protocol/bytes.ts'), import('../../protocol/signature.ts')]);
  const vk = fromHex(v['log-vk'] as string, 33);
  try {
    decodeVerifyingKey(vk);
  } catch {
    throw new UsageError('--log-vk is not a point on P-256: check the UC\'s log key you were given');
  }
  return vk;
}

async function daemonFor(v: OptionValues, db: Db, log: Logger): Promise<WalletDaemon> {
  const { WalletDaemon } = await import('../../wallet/daemon.ts');
  return WalletDaemon.open({
    db,
    log,
    meterId: v['meter-id'] as string,
    ucUrl: v.uc as string,
    mintUrl: (v.mint as string | undefined) ?? (v.uc as string),
    relayUrl: v.relay as string | undefined,
    accountToken: v['account-token'] as string,
    logVk: await logKey(v),
    withdrawAmount: v['withdraw-amount'] as number | undefined,
    bufferTarget: v.buffer as number | undefined,
    withdrawIntervalMs: v['withdraw-interval'] === undefined ? undefined : (v['withdraw-interval'] as number) * 1000,
    retryMs: v.retry === undefined ? undefined : (v.retry as number) * 1000,
  });
}

async function status(argv: string[]): Promise<number> {
  const v = parse([...base, ...statusOnly], argv, 'status');
  if (typeof v === 'number') return v;
  const db = await openExisting(storeOf(v), 'wallet', 'sipster wallet run');
  const { formatStatus, walletStatus } = await import('../../wallet/status.ts');
  try {
    const s = await walletStatus(db, v.relay ? 'on' : 'off');
    process.stdout.write((v.json ? JSON.stringify({ store: storeOf(v), ...s }) : `store:    ${storeOf(v)}\n${formatStatus(s)}`) + '\n');
    return 0;
  } finally {
    await db.close();
  }
}

async function dispute(argv: string[]): Promise<number> {
  const v = parse([...base, ...connection, ...disputeOnly], argv, 'dispute');
  if (typeof v === 'number') return v;
  const log = createLogger('wallet', v['log-level'] as LogLevel);
  requireAll(v, ['c', 'uc', 'log-vk', 'meter-id']);
  await withAccountToken(v, argv, log);
  const db = await openExisting(storeOf(v), 'wallet', 'sipster wallet run');
  try {
    const daemon = await daemonFor(v, db, log);
    const result = await daemon.dispute(v.c as number);
    process.stdout.write(`period ${v.c} closed by dispute: ${result.credited} units credited, ${result.owed} owed openly\n`);
    return 0;
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`period ${v.c} not disputed: ${(err as Error).message}`);
  } finally {
    await db.close();
  }
}

async function runDaemon(argv: string[]): Promise<number> {
  const v = parse([...base, ...connection, ...runOnly], argv, 'run');
  if (typeof v === 'number') return v;
  const log = createLogger('wallet', v['log-level'] as LogLevel);
  requireAll(v, ['uc', 'log-vk', 'meter-id']);
  await withAccountToken(v, argv, log);
  await logKey(v);
  const location = storeOf(v);
  if (v.db === undefined) mkdirSync(v['data-dir'] as string, { recursive: true });
  const { openStore, describeLocation } = await import('../../store/open.ts');
  let db: Db;
  try {
    db = await openStore(location);
  } catch (err) {
    throw new CliError(`cannot open ${describeLocation(location)}: ${(err as Error).message}`);
  }
  const daemon = await daemonFor(v, db, log);
  const { followPort, ingestFile } = await import('../../wallet/intake.ts');
  if (v.records) {
    try {
      log.info('ingested recorded stream', { file: v.records, records: await ingestFile(daemon, v.records as string, log) });
    } catch (err) {
      await db.close();
      throw new CliError(`cannot read the recorded stream ${v.records}: ${(err as Error).message}`);
    }
  }
  const path = v.port as string | undefined;
  if (path === undefined) {
    await daemon.notePort({ path: null, open: false, since: Date.now() });
    if (!v.records) log.warn('no meter port given (--port): this wallet receives no meter records; it only pays and settles what its store already holds');
  }
  const port = path === undefined ? undefined : followPort(daemon, path, log);
  daemon.run(v['tick-ms'] as number);
  log.info('wallet running', { uc: v.uc, relay: v.relay ?? 'none (privacy OFF)', store: describeLocation(location), port: path ?? 'none' });
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log.info('stopping');
  await port?.stop();
  await daemon.stop();
  if (path !== undefined) await daemon.notePort({ path, open: false, problem: '`wallet run` stopped', since: Date.now() });
  await db.close();
  return 0;
}

export function run(argv: string[]): Promise<number> {
  return runSubcommand('wallet', argv, usage, { run: runDaemon, status, dispute });
}
