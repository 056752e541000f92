/**
 * The crypto-only floor of the UC bench (bench/uc.bench.ts): the pay path's operations without
 * HTTP or storage, on all cores at once (one worker thread per core): the coin check
 * (Mint.verifyInputs), the receipt (issueReceipt: hash_to_curve, a_e·T, the DLEQ proof in the
 * P-256 suite) and its encoding, on the bench store's own mint and epoch key.
 *
 * `floorPerSecond(store, suiteId, coins, cores, ms)`: receipts per second summed over the workers.
 */
import { randomBytes } from 'node:crypto';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { TestPaymentBackend } from '../host/mint/backend.ts';
import { Mint, type ProofIn } from '../host/mint/mint.ts';
import { encodeReceipt, epochKeyFromSecret, getSuite, issueReceipt } from '../host/protocol/index.ts';
import { openStore } from '../host/store/open.ts';

interface Job {
  readonly store: string;
  readonly suite: string;
  readonly coins: readonly ProofIn[];
  readonly ms: number;
}

async function work(job: Job): Promise<number> {
  const suite = getSuite(job.suite);
  const db = await openStore(job.store);
  const mint = await Mint.open(db, new TestPaymentBackend(true));
  const [row] = await db.all<{ secret: Uint8Array }>('SELECT secret FROM uc_epoch_keys WHERE epoch = 0');
  await db.close();
  const key = epochKeyFromSecret(suite, 0, suite.decodeScalar(new Uint8Array(row!.secret)));
  const rand = (n: number) => new Uint8Array(randomBytes(n));
  const one = (k: number): void => {
    mint.verifyInputs([job.coins[k % job.coins.length]!]);
    encodeReceipt(suite, issueReceipt(suite, key, rand(32), rand));
  };
  for (let k = 0; k < 20; k++) one(k); // warm-up
  let n = 0;
  const t = performance.now();
  while (performance.now() - t < job.ms) one(n++);
  return (n / (performance.now() - t)) * 1000;
}

if (!isMainThread) parentPort!.postMessage(await work(workerData as Job));

/** Receipts per second of `cores` worker threads each running the pay path's crypto for `ms`. */
export async function floorPerSecond(store: string, suite: string, coins: readonly ProofIn[], cores: number, ms: number): Promise<number> {
  const rates = await Promise.all(
    Array.from(
      { length: cores },
      () =>
        new Promise<number>((resolve, reject) => {
          const w = new Worker(new URL('./uc-floor-worker.mjs', import.meta.url), { workerData: { store, suite, coins, ms } satisfies Job });
          w.once('message', resolve);
          w.once('error', reject);
        }),
    ),
  );
  return rates.reduce((a, b) => a + b, 0);
}
