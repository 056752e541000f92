/**
 * UC and mint throughput (`npm run bench -- uc`): receipts per second over real loopback HTTP
 * with 1, 8 and 64 concurrent wallets (coin verification, receipt + DLEQ proof and the SQLite
 * transaction included), settle latency for bills of 1, 100 and 10,000 units, and the mint's
 * swap rate. The UC runs as its own process (`sipster uc serve`, mint co-hosted, SQLite store).
 * Reference figures measured in the same run: the receipt alone in-process (issueReceipt, no
 * coin, no storage, no HTTP) and the coin check alone (Mint.verifyInputs);
 * printed beside the paper's 1.44 ms per receipt (C, one core, no proof/coin/storage) and the
 * issue's target of 2,500 receipts/s on this 2-core machine. At each level the same pays also go
 * through the Oblivious HTTP relay (`sipster relay serve`, its own process, rate limit off),
 * encapsulated to the UC's pinned OHTTP key, right after the direct ones: the relay path's cost.
 */
import { Bench, benchFlags } from './lib.ts';
import { createECDH, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRandomRawBlindedMessage, Wallet, type Proof } from '@cashu/cashu-ts';
import { TestPaymentBackend } from '../host/mint/backend.ts';
import { silentLogger } from '../host/common/log.ts';
import { Mint } from '../host/mint/mint.ts';
import { drbg } from '../host/meter/drbg.ts';
import { ReferenceMeter } from '../host/meter/reference-meter.ts';
import { encodePayRequest, fromHex, generateEpochKey, getSuite, issueReceipt, toHex, verifyParamsLog } from '../host/protocol/index.ts';
import { startRelayProcess } from '../host/relay/process.ts';
import { openStore } from '../host/store/open.ts';
import { startPostgres } from '../host/store/testing/postgres-server.ts';
import { startUcProcess } from '../host/uc/process.ts';
import { UcService } from '../host/uc/service.ts';
import type { StageTotals } from '../host/common/stage-times.ts';
import { UcClient, type ObliviousRoute } from '../host/wallet/uc-client.ts';

const PAPER_MS_PER_RECEIPT = 1.44;
const TARGET_RECEIPTS_PER_S = 2500;
/** Constant-time products per receipt (4) x OpenSSL ECDH calls per product (2); see ecdhCost. */
const ECDH_PER_RECEIPT = 8;
const LEVELS = [1, 8, 64];
const PAYS_PER_LEVEL = Number(process.env.SIPSTER_BENCH_PAYS ?? 240);
const SWAPS = 120;
const BILL_SIZES = [1, 100, 10_000];
const suite = getSuite('P256-SHA256');

// SIPSTER_BENCH_STORE=postgres runs the same measurements on a throwaway PostgreSQL server.
const STORE = process.env.SIPSTER_BENCH_STORE === 'postgres' ? 'postgres' : 'sqlite';
const flags = benchFlags({ 'cpu-prof': { type: 'string' } });
const bench = new Bench(STORE === 'sqlite' ? 'uc' : 'uc-postgres', flags);
// UC processes (`uc serve --workers`); default one per core, as a deployment would run it.
const WORKERS = Number(process.env.SIPSTER_BENCH_WORKERS ?? cpus().length);
const dir = mkdtempSync(join(tmpdir(), 'sipster-bench-uc-'));
const pg = STORE === 'postgres' ? await startPostgres() : undefined;
const location = pg ? pg.url : join(dir, 'uc.sqlite');

function rate(count: number, ms: number): number {
  return Math.round((count / ms) * 1000 * 10) / 10;
}

/** In-process references: receipt issuance alone, and the mint's coin check alone. */
async function references(coins: Proof[]): Promise<{ receiptMs: number; coinCheckMs: number; ecdhMs: number }> {
  const key = generateEpochKey(suite, 0, (n) => new Uint8Array(randomBytes(n)));
  const rand = (n: number) => new Uint8Array(randomBytes(n));
  const rhos = Array.from({ length: 200 }, () => new Uint8Array(randomBytes(32)));
  for (const rho of rhos.slice(0, 20)) issueReceipt(suite, key, rho, rand); // warm-up
  let t = performance.now();
  for (const rho of rhos) issueReceipt(suite, key, rho, rand);
  const receiptMs = (performance.now() - t) / rhos.length;
  const db = await openStore(location);
  const mint = await Mint.open(db, new TestPaymentBackend(true));
  const sample = coins.map((p) => ({ id: p.id, amount: Number(p.amount), secret: p.secret, C: p.C }));
  for (const c of sample.slice(0, 20)) mint.verifyInputs([c]);
  t = performance.now();
  for (const c of sample) mint.verifyInputs([c]);
  const coinCheckMs = (performance.now() - t) / sample.length;
  await db.close();
  return { receiptMs, coinCheckMs, ecdhMs: ecdhCost() };
}

/**
 * One OpenSSL P-256 ECDH (x(k·P) for a fresh k and P), the floor under receipt issuance: a
 * receipt takes four constant-time products by fresh scalars (a_e·T and the DLEQ prover's three),
 * each two ECDH calls (x(k·P), x((k+1)·P), then y by Okeya–Sakurai).
 */
function ecdhCost(): number {
  const a = createECDH('prime256v1');
  const peers = Array.from({ length: 220 }, () => createECDH('prime256v1').generateKeys());
  const ks = peers.map(() => {
    const e = createECDH('prime256v1');
    e.generateKeys();
    return e.getPrivateKey();
  });
  const product = (i: number) => {
    a.setPrivateKey(ks[i]!);
    a.computeSecret(peers[i]!);
  };
  for (let i = 0; i < 20; i++) product(i); // warm-up
  const t = performance.now();
  for (let i = 20; i < peers.length; i++) product(i);
  return (performance.now() - t) / (peers.length - 20);
}

async function payLevel(url: string, wallets: number, coins: Proof[], oblivious?: ObliviousRoute): Promise<number> {
  const client = new UcClient({ ucUrl: url, oblivious });
  let next = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: wallets }, async () => {
      for (let k = next++; k < coins.length; k = next++) {
        const res = await client.pay(encodePayRequest({ e: 0, rho: new Uint8Array(randomBytes(32)) }), coins[k]!);
        if (res.replay) throw new Error('fresh token came back as a replay');
      }
    }),
  );
  return rate(coins.length, performance.now() - t);
}

async function swapRate(url: string, coins: Proof[]): Promise<number> {
  const keysetId = coins[0]!.id;
  let next = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let k = next++; k < coins.length; k = next++) {
        const c = coins[k]!;
        const out = createRandomRawBlindedMessage();
        const res = await fetch(`${url}/v1/swap`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ inputs: [{ id: c.id, amount: 1, secret: c.secret, C: c.C }], outputs: [{ id: keysetId, amount: 1, B_: out.B_.toHex(true) }] }),
        });
        if (!res.ok) throw new Error(`swap failed: ${await res.text()}`);
      }
    }),
  );
  return rate(coins.length, performance.now() - t);
}

interface SettleSample {
  units: number;
  ms: number;
}

/** Bills of n units from reference meters; C = a_e·R computed with the UC's own epoch secret (read
 * from its store) instead of paying n tokens first: settle's work does not depend on how C was made. */
async function settleLatency(url: string, tokens: Map<string, string>, meters: Map<number, ReferenceMeter>): Promise<SettleSample[]> {
  const db = await openStore(location);
  const [row] = await db.all<{ secret: Uint8Array }>('SELECT secret FROM uc_epoch_keys WHERE epoch = 0');
  await db.close();
  const a = suite.decodeScalar(new Uint8Array(row!.secret));
  // All bills first (the meter's n hash-to-curves take a while), then the timed settles.
  // Index 0 is a warm-up settle (a 1-unit bill of its own meter), not reported.
  const bills = [0, ...BILL_SIZES].map((units) => {
    const meter = meters.get(units)!;
    meter.startPeriod(1);
    for (let i = 0; i < Math.max(units, 1); i++) meter.tokenGen();
    return { units, meterId: meter.meterId, bill: meter.billGen() };
  });
  const out: SettleSample[] = [];
  for (const { units, meterId, bill } of bills) {
    const C = suite.encodePoint(suite.mul(bill.bill.R, a));
    const client = new UcClient({ ucUrl: url, accountToken: tokens.get(meterId)! });
    const t = performance.now();
    const res = await client.settle(bill.billMessage, bill.beta, C);
    const ms = performance.now() - t;
    if (res.status !== 'settled') throw new Error('bill did not settle');
    if (units > 0) out.push({ units, ms: Math.round(ms * 100) / 100 });
  }
  return out;
}

function svg(levels: { wallets: number; receiptsPerS: number }[], reference: number): string {
  const W = 560;
  const H = 300;
  const max = Math.max(TARGET_RECEIPTS_PER_S, reference, ...levels.map((l) => l.receiptsPerS)) * 1.1;
  const y = (v: number) => H - 40 - (v / max) * (H - 80);
  const bars = levels
    .map((l, i) => {
      const x = 80 + i * 140;
      return `<rect x="${x}" y="${y(l.receiptsPerS)}" width="80" height="${H - 40 - y(l.receiptsPerS)}" fill="#4878a8"/><text x="${x + 40}" y="${y(l.receiptsPerS) - 6}" text-anchor="middle">${l.receiptsPerS}</text><text x="${x + 40}" y="${H - 22}" text-anchor="middle">${l.wallets} wallet${l.wallets > 1 ? 's' : ''}</text>`;
    })
    .join('');
  const line = (v: number, label: string, colour: string) =>
    `<line x1="60" x2="${W - 20}" y1="${y(v)}" y2="${y(v)}" stroke="${colour}" stroke-dasharray="6 4"/><text x="${W - 20}" y="${y(v) - 4}" text-anchor="end" fill="${colour}">${label}</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">
<text x="${W / 2}" y="18" text-anchor="middle" font-size="14">UC receipts per second over HTTP (coin + receipt + ${STORE})</text>
<line x1="60" x2="60" y1="30" y2="${H - 40}" stroke="#000"/><line x1="60" x2="${W - 20}" y1="${H - 40}" y2="${H - 40}" stroke="#000"/>
${bars}
${line(TARGET_RECEIPTS_PER_S, `target ${TARGET_RECEIPTS_PER_S}/s`, '#b03030')}
${line(reference, `receipt alone in-process ${reference}/s`, '#30a030')}
</svg>
`;
}

/** Per-stage wall time of the UC's pay path, summed over its processes (host/common/stage-times.ts). */
function stageTable(stageDir: string): void {
  const sum = new Map<string, { n: number; ms: number }>();
  let cpuMs = 0;
  for (const f of readdirSync(stageDir)) {
    const t = JSON.parse(readFileSync(join(stageDir, f), 'utf8')) as StageTotals;
    cpuMs += t.cpuMs;
    for (const [k, v] of Object.entries(t.stages)) {
      const s = sum.get(k) ?? { n: 0, ms: 0 };
      s.n += v.n;
      s.ms += v.ms;
      sum.set(k, s);
    }
  }
  const pays = sum.get('pay: coin check')?.n ?? 0;
  const rows = [...sum].filter(([k]) => k.startsWith('pay') || k.startsWith('/v1/pay')).map(([k, v]) => [k, String(v.n), (v.ms / v.n * 1000).toFixed(0), (v.ms / pays * 1000).toFixed(0)]);
  bench.say('');
  bench.table(['UC pay stage (wall time)', 'calls', 'µs/call', 'µs/receipt'], [...rows, ['UC processes CPU time, all requests', '', '', (cpuMs / pays * 1000).toFixed(0)]]);
}

async function main(): Promise<void> {
  // The UC operator's setup: store, genesis, epoch 0 key, one registered meter per bill size.
  const db = await openStore(location);
  const mint = await Mint.open(db, new TestPaymentBackend(true), { maxMintAmount: 100_000, maxOutputs: 1000 });
  const uc = await UcService.open(db, mint, { genesis: { suite: suite.id, ucName: 'bench', epochLength: 4, periodSeconds: 3600, originUnix: 0 }, epochs: [0], log: silentLogger });
  const accountTokens = new Map<string, string>();
  const meters = new Map<number, ReferenceMeter>();
  for (const units of [0, ...BILL_SIZES]) {
    const meter = new ReferenceMeter({ suite, meterId: `bench-${units}`, epochLength: 4, tariffVersion: 1 }, drbg(`bench meter ${units}`));
    accountTokens.set(meter.meterId, await uc.registerMeter(meter.meterId, meter.vkM));
    meters.set(units, meter);
  }
  await db.close();

  const stageDir = join(dir, 'stages');
  mkdirSync(stageDir);
  const cpuProf = flags['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', flags['cpu-prof']] : [];
  const proc = await startUcProcess(location, { SIPSTER_STAGE_TIMES: stageDir }, ['--workers', String(WORKERS)], cpuProf);
  try {
    const wallet = new Wallet(proc.url, { unit: 'tok' });
    await wallet.loadMint();
    const need = 2 * PAYS_PER_LEVEL * LEVELS.length + SWAPS;
    const coins: Proof[] = [];
    while (coins.length < need) {
      const amount = Math.min(500, need - coins.length);
      coins.push(...(await wallet.mintProofsBolt11(amount, await wallet.createMintQuoteBolt11(amount))));
    }
    const ref = await references(coins.slice(need - SWAPS));
    const served = (await (await fetch(`${proc.url}/v1/params`)).json()) as { logVk: string; entries: [] };
    const key = verifyParamsLog(served.entries, fromHex(served.logVk, 33)).ohttpKeys.get(0)!;
    const relay = await startRelayProcess(`${proc.url}/v1/ohttp`, ['--rate', '1000000', '--burst', '1000000']);
    const levels = [];
    const viaRelay = [];
    // The pay levels' window on the monotonic clock the CPU profiles' timestamps use.
    const window = { fromUs: Number(process.hrtime.bigint() / 1000n), toUs: 0 };
    try {
      for (const [k, wallets] of LEVELS.entries()) {
        const batch = (j: number) => coins.slice((2 * k + j) * PAYS_PER_LEVEL, (2 * k + j + 1) * PAYS_PER_LEVEL);
        const receiptsPerS = await payLevel(proc.url, wallets, batch(0));
        levels.push({ wallets, receiptsPerS });
        const relayed = await payLevel(proc.url, wallets, batch(1), { relayUrl: relay.url, keyConfig: () => key });
        viaRelay.push({ wallets, receiptsPerS: relayed, ratioToDirect: Math.round((relayed / receiptsPerS) * 1000) / 1000 });
      }
    } finally {
      await relay.stop();
    }
    window.toUs = Number(process.hrtime.bigint() / 1000n);
    if (flags['cpu-prof']) writeFileSync(join(flags['cpu-prof'], 'window.json'), JSON.stringify(window));
    const swapsPerS = await swapRate(proc.url, coins.slice(need - SWAPS));
    const settle = await settleLatency(proc.url, accountTokens, meters);

    const receiptAlonePerS = Math.round(1000 / ref.receiptMs);
    bench.clearProgress();
    const paperPerS = Math.round(1000 / PAPER_MS_PER_RECEIPT);
    const ecdhFloorPerS = Math.round((1000 / (ECDH_PER_RECEIPT * ref.ecdhMs)) * cpus().length);
    bench.say(
      `UC over loopback HTTP, ${STORE === 'sqlite' ? 'SQLite (WAL, synchronous=FULL, group commit)' : 'PostgreSQL (throwaway server, fsync off)'},`,
      `${WORKERS} UC worker process(es), ${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)} (other work slows every figure), ${PAYS_PER_LEVEL} pays per level`,
      '',
    );
    const x = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;
    bench.table(
      ['receipts/s (pay over HTTP)', 'value', `/ target ${TARGET_RECEIPTS_PER_S}`, '/ in-process', '/ paper (C)'],
      levels.map((l) => {
        bench.target(`receipts/s, ${l.wallets} wallet(s)`, l.receiptsPerS, { min: TARGET_RECEIPTS_PER_S });
        return [`${l.wallets} wallet(s)`, String(l.receiptsPerS), x(l.receiptsPerS, TARGET_RECEIPTS_PER_S), x(l.receiptsPerS, receiptAlonePerS), x(l.receiptsPerS, paperPerS)];
      }),
    );
    bench.say('');
    bench.table(
      ['receipts/s through the OHTTP relay', 'value', '/ direct', `/ target ${TARGET_RECEIPTS_PER_S}`, '/ paper (C)'],
      viaRelay.map((l) => [`${l.wallets} wallet(s)`, String(l.receiptsPerS), `${l.ratioToDirect}×`, x(l.receiptsPerS, TARGET_RECEIPTS_PER_S), x(l.receiptsPerS, paperPerS)]),
    );
    bench.say('');
    bench.table(['reference', 'value'], [
      ['receipt alone in-process (issueReceipt, 1 core)', `${receiptAlonePerS}/s (${ref.receiptMs.toFixed(2)} ms)`],
      [`ECDH floor: ${ECDH_PER_RECEIPT} P-256 ECDH per receipt on ${cpus().length} cores`, `${ecdhFloorPerS}/s (${(ref.ecdhMs * 1000).toFixed(0)} µs each)`],
      ['coin check alone (Mint.verifyInputs)', `${Math.round(1000 / ref.coinCheckMs)}/s (${ref.coinCheckMs.toFixed(2)} ms)`],
      ['mint swaps/s (1 in → 1 out, 8 clients)', String(swapsPerS)],
      ...settle.map((st) => [`settle latency, ${st.units}-unit bill`, `${st.ms} ms`]),
    ]);

    const name = STORE === 'sqlite' ? 'uc' : 'uc-postgres';
    bench.save(
      {
        [`${name}.json`]: {
          bench: 'uc',
          ucWorkers: WORKERS,
          store: STORE,
          paysPerLevel: PAYS_PER_LEVEL,
          receiptsPerSecond: levels,
          receiptsPerSecondViaRelay: viaRelay,
          reference: { receiptAloneMs: ref.receiptMs, coinCheckMs: ref.coinCheckMs, ecdhMs: ref.ecdhMs, ecdhPerReceipt: ECDH_PER_RECEIPT, paperMsPerReceipt: PAPER_MS_PER_RECEIPT, targetReceiptsPerSecond: TARGET_RECEIPTS_PER_S },
          mintSwapsPerSecond: swapsPerS,
          settleLatencyMs: settle,
          logVk: toHex(uc.logVk),
        },
        [`${name}.svg`]: svg(levels, receiptAlonePerS),
      },
      { board: 'none: host only (UC and wallets on loopback)' },
    );
    await proc.stop();
    stageTable(stageDir);
  } finally {
    await proc.stop();
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
bench.finish();
