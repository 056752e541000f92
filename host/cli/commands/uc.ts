// `sipster uc serve` runs the utility company's service (and, on the same store, its mint);
// `sipster uc register-meter` registers a provisioned meter's identity key and prints the
// account token its household settles with.
// Only option handling is loaded up front; the service modules (crypto, wasm) load once the
// options are valid, so --help and option errors answer at once.
import cluster from 'node:cluster';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net';
import { createLogger, type LogLevel, type Logger } from '../../common/log.ts';
import { describeOptions, OptionError, parseCommandOptions, type OptionSpec, type OptionValues } from '../../common/options.ts';
import { paymentOptions, paymentsFrom, type Payments } from '../../mint/payments.ts';
import type { SuiteId } from '../../protocol/suite.ts';
import type { UcGenesis } from '../../uc/service.ts';
import { CliError, runSubcommand, UsageError } from '../args.ts';
import { openExisting } from '../store.ts';

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

export const subcommands = ['serve', 'register-meter'];

export const summary = 'run the utility company service (sipster uc serve|register-meter --help)';

const common: OptionSpec[] = [
  { name: 'db', env: 'SIPSTER_UC_DB', kind: 'string', default: 'sipster-uc.sqlite', help: 'SQLite file path or postgres:// URL' },
  { name: 'log-level', env: 'SIPSTER_LOG_LEVEL', kind: 'string', default: 'info', choices: ['debug', 'info', 'warn', 'error'], help: 'debug logs every request' },
];

/** Defaults of a new store's parameters log; on an existing store, a given value must match it. */
const GENESIS_DEFAULTS = { suite: 'P256-SHA256', 'uc-name': 'Sipster Utility', 'epoch-length': 12, 'period-seconds': 30 * 24 * 3600, 'origin-unix': 1_767_225_600 } as const;

const genesisOptions: OptionSpec[] = [
  { name: 'suite', env: 'SIPSTER_UC_SUITE', kind: 'string', choices: ['P256-SHA256', 'BLS12381-SHA256'], help: `ciphersuite (default ${GENESIS_DEFAULTS.suite})` },
  { name: 'uc-name', env: 'SIPSTER_UC_NAME', kind: 'string', help: `name in the parameters log (default ${JSON.stringify(GENESIS_DEFAULTS['uc-name'])})` },
  { name: 'epoch-length', env: 'SIPSTER_UC_EPOCH_LENGTH', kind: 'int', min: 1, max: 0xffffffff, help: `billing periods per epoch (default ${GENESIS_DEFAULTS['epoch-length']})` },
  { name: 'period-seconds', env: 'SIPSTER_UC_PERIOD_SECONDS', kind: 'int', min: 1, max: 0xffffffff, help: `length of a billing period (default ${GENESIS_DEFAULTS['period-seconds']}: 30 days)` },
  { name: 'origin-unix', env: 'SIPSTER_UC_ORIGIN_UNIX', kind: 'int', min: 0, max: 2 ** 40, help: `UNIX time of period label 0 (default ${GENESIS_DEFAULTS['origin-unix']})` },
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
  { name: 'meter-id', kind: 'string', pattern: /^[\x21-\x7e]{1,64}$/, format: '1–64 printable ASCII characters', help: 'the meter identifier (required)' },
  { name: 'vk', kind: 'string', pattern: /^0[23][0-9a-fA-F]{64}$/, format: '66 hex digits starting 02 or 03 (a compressed P-256 point)', help: "the meter's identity key vkM from its boot record (required)" },
];

const usage = `usage: sipster uc serve [options]
       sipster uc register-meter --meter-id ID --vk HEX [options]

serve: the UC's HTTP API (parameters log, anonymous pay, receipt lookup, settle, dispute,
handover, status) and, on the same store, the Cashu mint, so that a coin's redemption and its
receipt commit in one transaction. The mint's quotes are paid by a payment provider's signed
webhooks (--payments provider); only tests and demos use --payments test, which gives e-cash
away. Without --no-mint, --payments is required. It binds its port first; a new store is then
initialised from the genesis options (--suite, --uc-name, --epoch-length, --period-seconds,
--origin-unix), which an existing store keeps: given again, they must match it.

register-meter: records a meter's vkM in an existing UC store (made by \`uc serve\`) and prints
the account token of its household.

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

function genesisFrom(v: OptionValues): UcGenesis {
  const get = <K extends keyof typeof GENESIS_DEFAULTS>(k: K) => (v[k] ?? GENESIS_DEFAULTS[k]) as (typeof GENESIS_DEFAULTS)[K] extends number ? number : string;
  return { suite: get('suite') as SuiteId, ucName: get('uc-name'), epochLength: get('epoch-length'), periodSeconds: get('period-seconds'), originUnix: get('origin-unix') };
}

/** A genesis option given for a store whose parameters log already says otherwise: refused, not ignored. */
function genesisConflict(v: OptionValues, p: { suite: { id: string }; ucName: string; epochLength: number; periodSeconds: number; originUnix: number }): string | undefined {
  const held: Record<keyof typeof GENESIS_DEFAULTS, string | number> = { suite: p.suite.id, 'uc-name': p.ucName, 'epoch-length': p.epochLength, 'period-seconds': p.periodSeconds, 'origin-unix': p.originUnix };
  for (const k of Object.keys(held) as (keyof typeof GENESIS_DEFAULTS)[]) {
    if (v[k] !== undefined && v[k] !== held[k]) {
      return `this store's UC has --${k} ${held[k]}, fixed in its parameters log when it was created; --${k} ${v[k]} needs a new store (another --db)`;
    }
  }
  return undefined;
}

/** Binds host:port (the UC writes nothing before it can serve); a port in use is one line. */
async function reserve(host: string, port: number): Promise<NetServer> {
  const server = createNetServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? 'the port is in use (another `sipster uc serve`? --port 0 takes any free port)'
      : code === 'EACCES' ? 'permission denied (ports below 1024 need privileges)'
      : code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' ? 'this machine has no such address'
      : (err as Error).message;
    throw new CliError(`cannot listen on ${host}:${port}: ${why}`);
  }
  return server;
}

function parse(specs: OptionSpec[], argv: string[], name: string): OptionValues | number {
  return parseCommandOptions(specs, argv, `uc ${name}`, usage);
}

export function run(argv: string[]): Promise<number> {
  return runSubcommand('uc', argv, usage, { serve, 'register-meter': register });
}

async function register(argv: string[]): Promise<number> {
  const v = parse(registerOptions, argv, 'register-meter');
  if (typeof v === 'number') return v;
  if (!v['meter-id'] || !v.vk) throw new UsageError('--meter-id and --vk are required');
  const log = createLogger('uc', v['log-level'] as LogLevel);
  const { decodeVerifyingKey, fromHex, Mint, ProviderPaymentBackend, UcService } = await load();
  const vk = fromHex((v.vk as string).toLowerCase(), 33);
  try {
    decodeVerifyingKey(vk);
  } catch {
    throw new UsageError('--vk is not a point on P-256 (copy vkM from the boot record `sipster flash` printed)');
  }
  const location = v.db as string;
  const db = await openExisting(location, 'uc', `sipster uc serve --db ${location}`);
  try {
    const mint = await Mint.open(db, new ProviderPaymentBackend()); // no quote is made here
    const uc = await UcService.open(db, mint, { log });
    const token = await uc.registerMeter(v['meter-id'] as string, vk);
    process.stdout.write(`${JSON.stringify({ meterId: v['meter-id'], accountToken: token, logVk: Buffer.from(uc.logVk).toString('hex') })}\n`);
    return 0;
  } catch (err) {
    throw new CliError(`cannot register meter ${v['meter-id']}: ${(err as Error).message}`);
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
  const { openStore, describeLocation, faultHookFromEnv, Mint, ProviderPaymentBackend, UcService, epochOf, createUcServer, listen, close } = await load();
  const faults = faultHookFromEnv();
  const workers = v.workers as number;
  // The port first: a UC that cannot serve must not write a new store's genesis. Workers share
  // the primary's port through the cluster; the primary only checks that it is free.
  const reserved = cluster.isWorker ? undefined : await reserve(v.host as string, v.port as number);
  if (reserved && workers > 1) await new Promise((resolve) => reserved.close(resolve));
  const location = v.db as string;
  let db;
  try {
    db = await openStore(location);
  } catch (err) {
    reserved?.close();
    throw new CliError(`cannot open ${describeLocation(location)}: ${(err as Error).message}`);
  }
  let mint: Awaited<ReturnType<typeof Mint.open>>;
  let uc: Awaited<ReturnType<typeof UcService.open>>;
  try {
    // Without the mint's API (--no-mint) no quote can be made, so none is ever paid.
    mint = await Mint.open(db, payments?.backend ?? new ProviderPaymentBackend());
    uc = await UcService.open(db, mint, { genesis: genesisFrom(v), faults, log });
  } catch (err) {
    // The store's connections (a PostgreSQL pool) would keep the process alive after the error.
    reserved?.close();
    await db.close();
    throw err;
  }
  const conflict = genesisConflict(v, uc.params);
  if (conflict) {
    reserved?.close();
    await db.close();
    throw new UsageError(conflict);
  }
  if (payments?.warning && cluster.isPrimary) log.warn(payments.warning);
  // Publish the current epoch's key and the next ones ahead of use.
  const p = uc.params;
  const label = Math.max(0, Math.floor((Date.now() / 1000 - p.originUnix) / p.periodSeconds));
  const current = epochOf(label, p.epochLength);
  for (let e = current; e <= current + (v['epochs-ahead'] as number); e++) {
    if (!p.epochKeys.has(e)) await uc.publishEpoch(e);
    else if (!p.ohttpKeys.has(e)) await uc.publishOhttpKey(e); // a store from before OHTTP
  }
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
  if (reserved) {
    await new Promise<void>((resolve) => server.listen(reserved, resolve));
    port = (server.address() as AddressInfo).port;
  } else {
    port = await listen(server, v.port as number, v.host as string);
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
