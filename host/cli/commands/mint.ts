// `sipster mint serve`: runs the Cashu-compatible mint over HTTP until SIGINT/SIGTERM.
// Only option handling is loaded up front; the service modules (crypto, wasm) load once the
// options are valid, so --help and option errors answer at once.
import { createLogger, type LogLevel } from '../../common/log.ts';
import { describeOptions, OptionError, parseCommandOptions, type OptionSpec } from '../../common/options.ts';
import { runSubcommand } from '../args.ts';
import { paymentOptions, paymentsFrom, type Payments } from '../../mint/payments.ts';

export const summary = 'run the Cashu-compatible e-cash mint (sipster mint serve --help)';

const options: OptionSpec[] = [
  { name: 'db', env: 'SIPSTER_MINT_DB', kind: 'string', default: 'sipster-mint.sqlite', help: 'SQLite file path or postgres:// URL' },
  { name: 'host', env: 'SIPSTER_MINT_HOST', kind: 'string', default: '127.0.0.1', help: 'address to listen on' },
  { name: 'port', env: 'SIPSTER_MINT_PORT', kind: 'int', default: 3338, min: 0, max: 65535, help: 'TCP port (0: any free port)' },
  { name: 'unit', env: 'SIPSTER_MINT_UNIT', kind: 'string', default: 'tok', pattern: /^[a-z]{1,32}$/, help: 'unit of the keyset (lowercase letters)' },
  { name: 'max-mint', env: 'SIPSTER_MINT_MAX_MINT', kind: 'int', default: 10_000, min: 1, max: 1_000_000, help: 'largest amount of one mint quote' },
  { name: 'log-level', env: 'SIPSTER_LOG_LEVEL', kind: 'string', default: 'info', choices: ['debug', 'info', 'warn', 'error'], help: 'debug logs every request' },
  ...paymentOptions,
];

const usage = `usage: sipster mint serve [options]

Runs a Cashu mint (NUT-00/01/02/03/04/06/07/09/12) that cashu-ts wallets use unchanged. Mint
quotes are paid through a payment provider whose signed webhooks mark them PAID (--payments
provider), or, for tests only, at once (--payments test).

options:
${describeOptions(options)}`;

export function run(argv: string[]): Promise<number> {
  return runSubcommand('mint', argv, usage, { serve });
}

async function serve(rest: string[]): Promise<number> {
  const values = parseCommandOptions(options, rest, 'mint serve', usage);
  if (typeof values === 'number') return values;
  const log = createLogger('mint', values['log-level'] as LogLevel);
  let payments: Payments;
  try {
    payments = paymentsFrom(values);
  } catch (err) {
    if (!(err instanceof OptionError)) throw err;
    process.stderr.write(`sipster mint serve: ${err.message}\n`);
    return 2;
  }
  const { close, listen } = await import('../../mint/http.ts');
  const { Mint } = await import('../../mint/mint.ts');
  const { createMintServer } = await import('../../mint/server.ts');
  const { describeLocation, openStoreOrLog } = await import('../../store/open.ts');
  const location = values.db as string;
  const db = await openStoreOrLog(location, log);
  if (!db) return 1;
  const mint = await Mint.open(db, payments.backend, { unit: values.unit as string, maxMintAmount: values['max-mint'] as number });
  const server = createMintServer(mint, log, { webhookSecret: payments.webhookSecret, quotesPerMinute: payments.quotesPerMinute });
  let port: number;
  try {
    port = await listen(server, values.port as number, values.host as string);
  } catch (err) {
    log.error('cannot listen', { host: values.host, port: values.port, error: (err as Error).message });
    await db.close();
    return 1;
  }
  const keysets = (mint.keysetList() as { keysets: { id: string; active: boolean }[] }).keysets.filter((k) => k.active);
  if (payments.warning) log.warn(payments.warning);
  log.info('serving', { url: `http://${values.host}:${port}`, store: describeLocation(location), unit: mint.unit, keyset: keysets[0]?.id, payment: payments.description });
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log.info('stopping');
  await close(server);
  await db.close();
  return 0;
}
