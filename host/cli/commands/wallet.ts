// `sipster wallet run|status|dispute`: the household's wallet daemon.
// Only option handling is loaded up front; the wallet's modules (crypto, wasm, serial) load once
// the options are valid, so --help and option errors answer at once.
import { createLogger, type LogLevel, type Logger } from '../../common/log.ts';
import { describeOptions, parseCommandOptions, type OptionSpec, type OptionValues } from '../../common/options.ts';
import type { Db } from '../../store/db.ts';
import type { WalletDaemon } from '../../wallet/daemon.ts';

export const summary = 'run the household wallet daemon (sipster wallet run|status|dispute --help)';

const URL_RE = /^https?:\/\/[^\s]+$/;
const base: OptionSpec[] = [
  { name: 'db', env: 'SIPSTER_WALLET_DB', kind: 'string', default: 'sipster-wallet.sqlite', help: 'SQLite file path or postgres:// URL' },
  { name: 'relay', env: 'SIPSTER_WALLET_RELAY', kind: 'string', pattern: URL_RE, help: 'relay (not run by the UC) for pay requests; without it privacy is off' },
  { name: 'log-level', env: 'SIPSTER_LOG_LEVEL', kind: 'string', default: 'info', choices: ['debug', 'info', 'warn', 'error'], help: 'debug logs every token' },
];
const connection: OptionSpec[] = [
  { name: 'uc', env: 'SIPSTER_WALLET_UC', kind: 'string', pattern: URL_RE, help: "the UC's URL (required)" },
  { name: 'mint', env: 'SIPSTER_WALLET_MINT', kind: 'string', pattern: URL_RE, help: 'the mint URL (default: the UC URL, which co-hosts it)' },
  { name: 'account-token-file', env: 'SIPSTER_ACCOUNT_TOKEN_FILE', kind: 'string', help: 'file holding the account token from `sipster uc register-meter` (required, or the token in SIPSTER_ACCOUNT_TOKEN)' },
  { name: 'account-token', env: 'SIPSTER_ACCOUNT_TOKEN', kind: 'string', pattern: /^[0-9a-f]{64}$/, help: 'the account token itself; on the command line it is visible in ps, so prefer the file or the environment' },
  { name: 'log-vk', env: 'SIPSTER_WALLET_LOG_VK', kind: 'string', pattern: /^0[23][0-9a-f]{64}$/, help: "the UC's parameters-log key, obtained out of band (required)" },
  { name: 'meter-id', env: 'SIPSTER_WALLET_METER_ID', kind: 'string', pattern: /^[\x21-\x7e]{1,64}$/, help: 'this household\'s meter id (required)' },
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
       sipster wallet status [options]    balance, unpaid tokens, periods, debts
       sipster wallet dispute --c N [options]  reveal period N's tokens to the UC (not private)

run options:
${describeOptions([...base, ...connection, ...runOnly])}

dispute options: --c N and the connection options above.`;

function parse(specs: OptionSpec[], argv: string[], name: string): OptionValues | number {
  return parseCommandOptions(specs, argv, `wallet ${name}`, usage);
}

function missing(v: OptionValues, names: string[], cmd: string): boolean {
  const absent = names.filter((n) => v[n] === undefined);
  if (absent.length) process.stderr.write(`sipster wallet ${cmd}: missing ${absent.map((n) => `--${n}`).join(', ')}\n`);
  return absent.length > 0;
}

/** Puts the token from --account-token-file (or the environment) into v['account-token']; false after printing an error. */
async function withAccountToken(v: OptionValues, argv: string[], log: Logger, cmd: string): Promise<boolean> {
  const { resolveAccountToken } = await import('../../wallet/account-token.ts');
  try {
    v['account-token'] = resolveAccountToken(v['account-token'] as string | undefined, v['account-token-file'] as string | undefined, argv, log);
    if (v['account-token'] === undefined) process.stderr.write(`sipster wallet ${cmd}: missing --account-token-file (or SIPSTER_ACCOUNT_TOKEN)\n`);
    return v['account-token'] !== undefined;
  } catch (err) {
    process.stderr.write(`sipster wallet ${cmd}: ${(err as Error).message}\n`);
    return false;
  }
}

async function open(v: OptionValues, log: Logger): Promise<Db | undefined> {
  const { openStoreOrLog } = await import('../../store/open.ts');
  return openStoreOrLog(v.db as string, log);
}

async function daemonFor(v: OptionValues, db: Db, log: Logger): Promise<WalletDaemon> {
  const { WalletDaemon } = await import('../../wallet/daemon.ts');
  const { fromHex } = await import('../../protocol/bytes.ts');
  return WalletDaemon.open({
    db,
    log,
    meterId: v['meter-id'] as string,
    ucUrl: v.uc as string,
    mintUrl: (v.mint as string | undefined) ?? (v.uc as string),
    relayUrl: v.relay as string | undefined,
    accountToken: v['account-token'] as string,
    logVk: fromHex(v['log-vk'] as string, 33),
    withdrawAmount: v['withdraw-amount'] as number | undefined,
    bufferTarget: v.buffer as number | undefined,
    withdrawIntervalMs: v['withdraw-interval'] === undefined ? undefined : (v['withdraw-interval'] as number) * 1000,
    retryMs: v.retry === undefined ? undefined : (v.retry as number) * 1000,
  });
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(usage + '\n');
    return sub === undefined ? 2 : 0;
  }
  if (sub === 'status') {
    const v = parse(base, rest, 'status');
    if (typeof v === 'number') return v;
    const log = createLogger('wallet', v['log-level'] as LogLevel);
    const db = await open(v, log);
    if (!db) return 1;
    const { formatStatus, walletStatus } = await import('../../wallet/status.ts');
    try {
      process.stdout.write(formatStatus(await walletStatus(db, v.relay ? 'on' : 'off')) + '\n');
      return 0;
    } finally {
      await db.close();
    }
  }
  if (sub === 'dispute') {
    const v = parse([...base, ...connection, ...disputeOnly], rest, 'dispute');
    if (typeof v === 'number') return v;
    const log = createLogger('wallet', v['log-level'] as LogLevel);
    if (!(await withAccountToken(v, rest, log, 'dispute'))) return 2;
    if (missing(v, ['uc', 'log-vk', 'meter-id', 'c'], 'dispute')) return 2;
    const db = await open(v, log);
    if (!db) return 1;
    try {
      const daemon = await daemonFor(v, db, log);
      const result = await daemon.dispute(v.c as number);
      process.stdout.write(`period ${v.c} closed by dispute: ${result.credited} units credited, ${result.owed} owed openly\n`);
      return 0;
    } catch (err) {
      log.error('dispute failed', { error: (err as Error).message });
      return 1;
    } finally {
      await db.close();
    }
  }
  if (sub !== 'run') {
    process.stderr.write(`sipster wallet: unknown subcommand ${JSON.stringify(sub)}\n${usage}\n`);
    return 2;
  }
  const v = parse([...base, ...connection, ...runOnly], rest, 'run');
  if (typeof v === 'number') return v;
  const log = createLogger('wallet', v['log-level'] as LogLevel);
  if (!(await withAccountToken(v, rest, log, 'run'))) return 2;
  if (missing(v, ['uc', 'log-vk', 'meter-id'], 'run')) return 2;
  const db = await open(v, log);
  if (!db) return 1;
  const daemon = await daemonFor(v, db, log);
  const { followPort, ingestFile } = await import('../../wallet/intake.ts');
  const { describeLocation } = await import('../../store/open.ts');
  if (v.records) {
    try {
      log.info('ingested recorded stream', { file: v.records, records: await ingestFile(daemon, v.records as string, log) });
    } catch (err) {
      log.error('cannot read recorded stream', { file: v.records, error: (err as Error).message });
      await db.close();
      return 1;
    }
  }
  const port = v.port ? followPort(daemon, v.port as string, log) : undefined;
  daemon.run(v['tick-ms'] as number);
  log.info('wallet running', { uc: v.uc, relay: v.relay ?? 'none (privacy OFF)', store: describeLocation(v.db as string), port: v.port ?? 'none' });
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log.info('stopping');
  await port?.stop();
  await daemon.stop();
  await db.close();
  return 0;
}
