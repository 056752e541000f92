// `sipster uc serve` runs the utility company's service (and, on the same store, its mint);
// `sipster uc register-meter` registers a provisioned meter's identity key and prints the
// account token its household settles with.
// Only option handling is loaded up front; the service modules (crypto, wasm) load once the
// options are valid, so --help and option errors answer at once.
import cluster from 'node:cluster';
import { createLogger, type LogLevel, type Logger } from '../../common/log.ts';
import { describeOptions, OptionError, parseCommandOptions, type OptionSpec, type OptionValues } from '../../common/options.ts';
import { paymentOptions, paymentsFrom, type Payments } from '../../mint/payments.ts';
import type { SuiteId } from '../../protocol/suite.ts';
import type { UcGenesis } from '../../uc/service.ts';

async function load() {
  const [{ ProviderPaymentBackend }, http, { Mint }, protocol, store, { faultHookFromEnv }, { createUcServer }, { UcService }] = await Promise.all([
    import('../../mint/backend.ts'),
    import('../../mint/http.ts'),
    import('../../mint/mint.ts'),
    import('../../protocol/index.ts'),
    import('../../store/open.ts'),
    import('../../uc/faults.ts'),
    import('../../uc/server.ts'),
    import('../../uc/service.ts'),
  ]);
  return { ProviderPaymentBackend, ...http, Mint, ...protocol, ...store, faultHookFromEnv, createUcServer, UcService };
}

export const summary = 'run the utility company service (sipster uc serve|register-meter --help)';

const common: OptionSpec[] = [
  { name: 'db', env: 'SIPSTER_UC_DB', kind: 'string', default: 'sipster-uc.sqlite', help: 'SQLite file path or postgres:// URL' },
  { name: 'log-level', env: 'SIPSTER_LOG_LEVEL', kind: 'string', default: 'info', choices: ['debug', 'info', 'warn', 'error'], help: 'debug logs every request' },
];

const genesisOptions: OptionSpec[] = [
  { name: 'suite', env: 'SIPSTER_UC_SUITE', kind: 'string', default: 'P256-SHA256', pattern: /^[A-Z0-9-]{1,32}$/, help: 'ciphersuite: P256-SHA256 or BLS12381-SHA256 (new store only)' },
  { name: 'uc-name', env: 'SIPSTER_UC_NAME', kind: 'string', default: 'Sipster Utility', help: 'name in the parameters log (new store only)' },
  { name: 'epoch-length', env: 'SIPSTER_UC_EPOCH_LENGTH', kind: 'int', default: 12, min: 1, max: 0xffffffff, help: 'billing periods per epoch (new store only)' },
  { name: 'period-seconds', env: 'SIPSTER_UC_PERIOD_SECONDS', kind: 'int', default: 30 * 24 * 3600, min: 1, max: 0xffffffff, help: 'length of a billing period (new store only)' },
  { name: 'origin-unix', env: 'SIPSTER_UC_ORIGIN_UNIX', kind: 'int', default: 1_767_225_600, min: 0, max: 2 ** 40, help: 'UNIX time of period label 0 (new store only)' },
];

const serveOptions: OptionSpec[] = [
  ...common,
  { name: 'host', env: 'SIPSTER_UC_HOST', kind: 'string', default: '127.0.0.1', help: 'address to listen on' },
  { name: 'port', env: 'SIPSTER_UC_PORT', kind: 'int', default: 3340, min: 0, max: 65535, help: 'TCP port (0: any free port)' },
  { name: 'epochs-ahead', env: 'SIPSTER_UC_EPOCHS_AHEAD', kind: 'int', default: 2, min: 0, max: 100, help: 'epoch keys published ahead of the current epoch' },
  { name: 'no-mint', env: 'SIPSTER_UC_NO_MINT', kind: 'boolean', default: false, help: 'do not serve the Cashu mint API beside the UC' },
  { name: 'workers', env: 'SIPSTER_UC_WORKERS', kind: 'int', default: 1, min: 1, max: 64, help: 'processes serving the port, all on the one store (use the core count)' },
  ...paymentOptions,
  ...genesisOptions,
];

const registerOptions: OptionSpec[] = [
  ...common,
  { name: 'meter-id', kind: 'string', pattern: /^[\x21-\x7e]{1,64}$/, help: 'the meter identifier (1–64 printable ASCII characters)' },
  { name: 'vk', kind: 'string', pattern: /^0[23][0-9a-fA-F]{64}$/, help: "the meter's identity key vkM (33-byte compressed P-256 point, hex)" },
  ...genesisOptions,
];

const usage = `usage: sipster uc serve [options]
       sipster uc register-meter --meter-id ID --vk HEX [options]

serve: the UC's HTTP API (parameters log, anonymous pay, receipt lookup, settle, dispute,
handover, status) and, on the same store, the Cashu mint, so that a coin's redemption and its
receipt commit in one transaction. A new store is initialised from the genesis options. The
mint's quotes are paid by a payment provider's signed webhooks (--payments provider); only
tests and demos use --payments test, which gives e-cash away. Without --no-mint, --payments is
required.

serve options:
${describeOptions(serveOptions)}

register-meter options:
${describeOptions(registerOptions)}`;

/**
 * The primary of a multi-process UC: the store is initialised (genesis, keyset, epoch keys)
 * before the workers start, so they only load it; each worker serves the shared port on its own
 * connection to the store. A worker that dies is logged and replaced.
 */
async function supervise(workers: number, db: { close(): Promise<void> }, log: Logger, describe: (port: number) => Record<string, unknown>): Promise<number> {
  await db.close();
  let stopping = false;
  const ports: number[] = [];
  const start = (): void => {
    const worker = cluster.fork();
    worker.on('message', (m: { listening?: number }) => {
      if (typeof m?.listening !== 'number') return;
      ports.push(m.listening);
      if (ports.length === workers) log.info('serving', describe(m.listening));
    });
    worker.on('exit', (code, signal) => {
      if (stopping || code === 0) return; // a clean stop (SIGINT reaches the whole process group)
      log.error('worker died; starting another', { code, signal });
      start();
    });
  };
  for (let k = 0; k < workers; k++) start();
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  stopping = true;
  log.info('stopping');
  const all = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
  await Promise.all(all.map((w) => new Promise<void>((resolve) => {
    w.once('exit', () => resolve());
    // A signal, not worker.kill(): that disconnects first, and a worker's server.close() needs
    // the connection to the primary to finish.
    w.process.kill('SIGTERM');
  })));
  return 0;
}

function badSuite(cmd: string, ids: readonly string[]): number {
  process.stderr.write(`sipster uc ${cmd}: --suite must be one of ${ids.join(', ')}\n`);
  return 2;
}

function genesisFrom(v: OptionValues): UcGenesis {
  return {
    suite: v.suite as SuiteId,
    ucName: v['uc-name'] as string,
    epochLength: v['epoch-length'] as number,
    periodSeconds: v['period-seconds'] as number,
    originUnix: v['origin-unix'] as number,
  };
}

function parse(specs: OptionSpec[], argv: string[], name: string): OptionValues | number {
  return parseCommandOptions(specs, argv, `uc ${name}`, usage);
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(usage + '\n');
    return sub === undefined ? 2 : 0;
  }
  if (sub === 'serve') return serve(rest);
  if (sub === 'register-meter') return register(rest);
  process.stderr.write(`sipster uc: unknown subcommand ${JSON.stringify(sub)}\n${usage}\n`);
  return 2;
}

async function register(argv: string[]): Promise<number> {
  const v = parse(registerOptions, argv, 'register-meter');
  if (typeof v === 'number') return v;
  if (!v['meter-id'] || !v.vk) {
    process.stderr.write('sipster uc register-meter: --meter-id and --vk are required\n');
    return 2;
  }
  const log = createLogger('uc', v['log-level'] as LogLevel);
  const { decodeVerifyingKey, fromHex, openStoreOrLog, Mint, ProviderPaymentBackend, UcService, SUITE_IDS } = await load();
  if (!SUITE_IDS.includes(v.suite as SuiteId)) return badSuite('register-meter', SUITE_IDS);
  try {
    decodeVerifyingKey(fromHex((v.vk as string).toLowerCase(), 33));
  } catch {
    process.stderr.write('sipster uc register-meter: --vk is not a valid P-256 point\n');
    return 2;
  }
  const db = await openStoreOrLog(v.db as string, log);
  if (!db) return 1;
  try {
    const mint = await Mint.open(db, new ProviderPaymentBackend()); // no quote is made here
    const uc = await UcService.open(db, mint, { genesis: genesisFrom(v), log });
    const token = await uc.registerMeter(v['meter-id'] as string, fromHex((v.vk as string).toLowerCase(), 33));
    process.stdout.write(`${JSON.stringify({ meterId: v['meter-id'], accountToken: token, logVk: Buffer.from(uc.logVk).toString('hex') })}\n`);
    return 0;
  } catch (err) {
    log.error('cannot register meter', { error: (err as Error).message });
    return 1;
  } finally {
    await db.close();
  }
}

async function serve(argv: string[]): Promise<number> {
  const v = parse(serveOptions, argv, 'serve');
  if (typeof v === 'number') return v;
  let payments: Payments | undefined;
  try {
    if (!v['no-mint']) payments = paymentsFrom(v);
  } catch (err) {
    if (!(err instanceof OptionError)) throw err;
    process.stderr.write(`sipster uc serve: ${err.message}\n`);
    return 2;
  }
  const log = createLogger('uc', v['log-level'] as LogLevel);
  if (payments?.warning && cluster.isPrimary) log.warn(payments.warning);
  const { openStoreOrLog, describeLocation, faultHookFromEnv, Mint, ProviderPaymentBackend, UcService, epochOf, createUcServer, listen, close, SUITE_IDS } = await load();
  if (!SUITE_IDS.includes(v.suite as SuiteId)) return badSuite('serve', SUITE_IDS);
  const location = v.db as string;
  const db = await openStoreOrLog(location, log);
  if (!db) return 1;
  let faults;
  try {
    faults = faultHookFromEnv();
  } catch (err) {
    log.error((err as Error).message);
    await db.close();
    return 2;
  }
  // Without the mint's API (--no-mint) no quote can be made, so none is ever paid.
  const mint = await Mint.open(db, payments?.backend ?? new ProviderPaymentBackend());
  const uc = await UcService.open(db, mint, { genesis: genesisFrom(v), faults, log });
  // Publish the current epoch's key and the next ones ahead of use.
  const p = uc.params;
  const label = Math.max(0, Math.floor((Date.now() / 1000 - p.originUnix) / p.periodSeconds));
  const current = epochOf(label, p.epochLength);
  for (let e = current; e <= current + (v['epochs-ahead'] as number); e++) {
    if (!p.epochKeys.has(e)) await uc.publishEpoch(e);
    else if (!p.ohttpKeys.has(e)) await uc.publishOhttpKey(e); // a store from before OHTTP
  }
  const workers = v.workers as number;
  const describe = (port: number) => ({
    url: `http://${v.host}:${port}`,
    store: describeLocation(location),
    suite: uc.params.suite.id,
    logVk: Buffer.from(uc.logVk).toString('hex'),
    epochs: [...uc.params.epochKeys.keys()].join(','),
    mint: v['no-mint'] ? 'off' : `on (unit ${mint.unit})`,
    payments: payments?.description ?? 'none (no mint API)',
    workers,
  });
  if (workers > 1 && cluster.isPrimary) return supervise(workers, db, log, describe);
  const server = createUcServer(uc, log, v['no-mint'] ? undefined : mint, { webhookSecret: payments?.webhookSecret, quotesPerMinute: payments?.quotesPerMinute });
  let port: number;
  try {
    port = await listen(server, v.port as number, v.host as string);
  } catch (err) {
    log.error('cannot listen', { host: v.host, port: v.port, error: (err as Error).message });
    await db.close();
    return 1;
  }
  if (cluster.isWorker) {
    process.send?.({ listening: port });
  } else {
    log.info('serving', describe(port));
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log.info('stopping');
  await close(server);
  await db.close();
  cluster.worker?.disconnect(); // a worker's IPC channel would keep it alive
  return 0;
}
