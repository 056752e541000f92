// The household's wallet daemon as the demos run it: on the board's serial records (in arrival
// order, each exactly once), paying through the UC's mint, with its log lines counted into what
// the demo waits for (tokens paid, coins withdrawn, the period settled, the first error).
import { createLogger, type Logger } from '../common/log.ts';
import type { Listener } from '../serial/listener.ts';
import type { ReceivedRecord } from '../serial/records.ts';
import type { Db } from '../store/db.ts';
import { openStore } from '../store/open.ts';
import { startRelayProcess } from '../relay/process.ts';
import { WalletDaemon } from '../wallet/daemon.ts';
import type { Condition, Steps } from './steps.ts';

export interface DemoWallet {
  readonly db: Db;
  /** Tokens paid, coins withdrawn, whether the period was settled, the first error. */
  readonly paid: () => number;
  readonly withdrawn: () => number;
  readonly settled: () => boolean;
  /** Throws the wallet's first error, if any. */
  readonly ok: () => void;
}

export interface DemoWalletOptions {
  readonly dbPath: string;
  readonly meterId: string;
  readonly ucUrl: string;
  /** The Oblivious HTTP relay every pay goes through (privacy ON); undefined: straight to the UC. */
  readonly relayUrl: string | undefined;
  readonly accountToken: string;
  readonly logVk: Uint8Array;
  readonly now: () => number;
  readonly link: Listener;
  readonly changed: Condition;
  readonly say: (line: string) => void;
}

export async function startDemoWallet(steps: Steps, o: DemoWalletOptions): Promise<DemoWallet> {
  let paid = 0;
  let settled = false;
  let withdrawn = 0;
  let walletError: string | undefined;
  const print = createLogger('wallet', 'info', (line) => o.say(`  ${line}`));
  const log: Logger = {
    debug: (msg) => {
      if (msg === 'token paid') {
        paid++;
        o.changed.poke();
      }
    },
    info: (msg, f) => {
      if (msg === 'period settled') settled = true;
      if (msg === 'withdrew e-cash') withdrawn += Number(f?.coins ?? 0);
      if (msg !== 'wallet running') print.info(msg, f);
      o.changed.poke();
    },
    warn: (msg, f) => print.warn(msg, f),
    error: (msg, f) => {
      walletError ??= msg;
      print.error(msg, f);
      o.changed.poke();
    },
  };
  const db: Db = await openStore(o.dbPath);
  steps.defer('wallet store', () => db.close());
  const w = await WalletDaemon.open({
    db, log, meterId: o.meterId, ucUrl: o.ucUrl, mintUrl: o.ucUrl, relayUrl: o.relayUrl, accountToken: o.accountToken, logVk: o.logVk,
    withdrawAmount: 100, bufferTarget: 100, withdrawIntervalMs: 5_000, retryMs: 2_000, now: o.now,
  });
  let chain = Promise.resolve();
  const ingest = (r: ReceivedRecord): void => {
    chain = chain.then(() => w.ingest(r.record, r.payload)).catch((err) => log.error('cannot store a meter record', { error: (err as Error).message }));
  };
  o.link.records.forEach(ingest);
  o.link.reader.on('record', ingest);
  w.run(100);
  steps.defer('wallet daemon', async () => {
    await w.stop();
    await chain;
  });
  return {
    db,
    paid: () => paid,
    withdrawn: () => withdrawn,
    settled: () => settled,
    ok: () => {
      if (walletError) throw new Error(`the wallet reported: ${walletError}`);
    },
  };
}

/** `sipster relay serve` in front of the UC's gateway (privacy ON), or, when `on` is false, nothing and a loud PRIVACY OFF. */
export async function startDemoRelay(steps: Steps, ucUrl: string, on: boolean, say: (line: string) => void): Promise<{ readonly url: string } | undefined> {
  if (!on) {
    say('  PRIVACY OFF (--no-relay): the wallet pays the UC directly, so the UC sees this household\'s address beside every (e, ρ, coin)');
    return undefined;
  }
  return steps.run('starting the Oblivious HTTP relay (`sipster relay serve`, a process of its own)', async () => {
    const r = await startRelayProcess(`${ucUrl}/v1/ohttp`);
    steps.defer('relay', () => r.stop());
    say(`  relay at ${r.url} → the UC's gateway ${ucUrl}/v1/ohttp`);
    say('  privacy ON: every pay and receipt lookup is encapsulated (RFC 9458) to the UC\'s OHTTP key pinned from its signed log;');
    say('  the relay sees the wallet\'s address but only ciphertext, the UC sees (e, ρ, coin) but only the relay\'s address');
    return r;
  });
}
