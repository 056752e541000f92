// Fixtures for the UC's tests: a UC with its mint on one store, served over loopback HTTP, and
// a reference meter registered with it.
import type { Server } from 'node:http';
import { Wallet, type Proof } from '@cashu/cashu-ts';
import { TestPaymentBackend } from '../../mint/backend.ts';
import { close, listen } from '../../mint/http.ts';
import { createLogger, silentLogger, type Logger } from '../../common/log.ts';
import { Mint } from '../../mint/mint.ts';
import { drbg } from '../../meter/drbg.ts';
import { ReferenceMeter } from '../../meter/reference-meter.ts';
import { fromHex, getSuite, verifyParamsLog, type PinnedParams, type SuiteId } from '../../protocol/index.ts';
import type { Db } from '../../store/db.ts';
import { openStore } from '../../store/open.ts';
import { UcClient } from '../../wallet/uc-client.ts';
import { createUcServer } from '../server.ts';
import { UcService, type UcGenesis } from '../service.ts';

export const genesisFor = (suite: SuiteId = 'P256-SHA256'): UcGenesis => ({
  suite,
  ucName: 'Test Utility',
  epochLength: 4,
  periodSeconds: 3600,
  originUnix: 0,
});

export interface RunningUc {
  readonly url: string;
  readonly uc: UcService;
  readonly mint: Mint;
  readonly db: Db;
  stop(): Promise<void>;
}

/** A UC with its mint on the store at `location`, on `port` (0: any free port); `log` gets the HTTP layer's lines. */
export async function serveUc(location: string, genesis: UcGenesis = genesisFor(), port = 0, log?: Logger): Promise<RunningUc> {
  const db = await openStore(location);
  const mint = await Mint.open(db, new TestPaymentBackend(true));
  const uc = await UcService.open(db, mint, { genesis, epochs: [0, 1, 2], log: silentLogger });
  const server: Server = createUcServer(uc, log ?? (process.env.SIPSTER_TEST_LOG ? createLogger('uc', 'debug') : silentLogger), mint);
  const bound = await listen(server, port);
  return {
    url: `http://127.0.0.1:${bound}`,
    uc,
    mint,
    db,
    async stop() {
      await close(server);
      await db.close();
    },
  };
}

/** A reference meter; `device` tells apart two devices of one meterId (replacement). */
export function newMeter(name: string, device = 'first', suite: SuiteId = 'P256-SHA256'): ReferenceMeter {
  return new ReferenceMeter({ suite: getSuite(suite), meterId: name, epochLength: 4, tariffVersion: 1 }, drbg(`meter ${name} device ${device}`));
}

/** Pinned the way a wallet pins: the log from the UC, verified under the log key given out of band. */
export async function pin(client: UcClient, logVk: Uint8Array): Promise<PinnedParams> {
  const { entries } = await client.params();
  return verifyParamsLog(entries, logVk);
}

export async function withdraw(url: string, amount: number): Promise<Proof[]> {
  const wallet = new Wallet(url, { unit: 'tok' });
  await wallet.loadMint();
  return wallet.mintProofsBolt11(amount, await wallet.createMintQuoteBolt11(amount));
}

export { fromHex };
