/**
 * UC and mint throughput (`npm run bench -- uc [--suite=BLS12381-SHA256] [--cpu-prof=DIR] [--sqlite-only] [--workers N]`):
 * receipts per second over real loopback HTTP for 1, 8, 64 and 256 concurrent wallets, coin
 * redemption, receipt (+ DLEQ proof in the P-256 suite) and the store's transaction included, on
 *   - SQLite: one `sipster uc serve --workers <cores>`;
 *   - PostgreSQL (a throwaway server, fsync off): the same;
 *   - two `uc serve` processes (one worker each, the same CPU budget) on that one PostgreSQL,
 *     the wallets spread over both;
 * beside the crypto-only floor measured in the same run (the same coin check and receipt
 * without HTTP or storage, one worker thread per core: bench/uc-floor.ts), the paper's 1.44 ms
 * per receipt per core (C, no proof, no coin, no storage) and the issue's targets. Per level also
 * the UC processes' CPU time per receipt (/proc), which the load of other work on this machine
 * does not inflate as much as wall time. Settle latency over HTTP for bills of 1, 100 and 10,000
 * units; the OHTTP relay's rate at 64 wallets; the mint's swap rate; the UC's per-stage times
 * (host/common/stage-times.ts). `--cpu-prof=DIR`: the SQLite UC under node --cpu-prof, summed by
 * bench/cpu-profile.ts. `--sqlite-only`: the SQLite runs alone (quicker, nothing saved for PostgreSQL).
 * `--workers N`: UC worker processes (default one per core).
 */
import { Bench, benchFlags, type Target } from './lib.ts';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createRandomRawBlindedMessage, hashToCurve, type Proof } from '@cashu/cashu-ts';
import { TestPaymentBackend } from '../host/mint/backend.ts';
import { silentLogger } from '../host/common/log.ts';
import type { StageTotals } from '../host/common/stage-times.ts';
import { Mint, type ProofIn } from '../host/mint/mint.ts';
import { drbg } from '../host/meter/drbg.ts';
import { ReferenceMeter } from '../host/meter/reference-meter.ts';
import { encodePayRequest, fromHex, getSuite, SUITE_IDS, verifyParamsLog, type SuiteId } from '../host/protocol/index.ts';
import { startRelayProcess } from '../host/relay/process.ts';
import { openStore } from '../host/store/open.ts';
import { startPostgres } from '../host/store/testing/postgres-server.ts';
import { startUcProcess, type UcProcess } from '../host/uc/process.ts';
import { UcService } from '../host/uc/service.ts';
import { UcClient, type ObliviousRoute } from '../host/wallet/uc-client.ts';
import { floorPerSecond } from './uc-floor.ts';

const flags = benchFlags({ suite: { type: 'string' }, 'cpu-prof': { type: 'string' }, 'sqlite-only': { type: 'boolean' }, workers: { type: 'string' } });
const suiteId = (flags.suite ?? 'P256-SHA256') as SuiteId;
if (!SUITE_IDS.includes(suiteId)) {
  process.stderr.write(`bench: --suite must be one of ${SUITE_IDS.join(', ')}\n`);
  process.exit(2);
}
const suite = getSuite(suiteId);
const P256 = suiteId === 'P256-SHA256';
const bench = new Bench('uc', flags);

const PAPER_MS_PER_RECEIPT = 1.44;
const TARGET_RECEIPTS_PER_S = 2500; // P-256 with proof, SQLite, 64 wallets
const TARGET_FLOOR_RATIO = 1.5;
const TARGET_SETTLE_MS = 2;
const LEVELS = [1, 8, 64, 256];
const PAYS = Number(process.env.SIPSTER_BENCH_PAYS ?? 300);
/** Pays per level: PAYS, and at least 3 per wallet so every wallet pays in a steady state. */
const paysAt = (wallets: number): number => Math.max(PAYS, 3 * wallets);
const RELAY_WALLETS = 64;
const SWAPS = 120;
const BILL_SIZES = [1, 100, 10_000];
const CORES = cpus().length;
/** UC worker processes per SQLite/PostgreSQL UC (default: one per core). */
const WORKERS = flags.workers === undefined ? CORES : Number(flags.workers);
if (!Number.isInteger(WORKERS) || WORKERS < 1 || WORKERS > 64) {
  process.stderr.write(`bench: --workers must be an integer from 1 to 64, got ${JSON.stringify(flags.workers)}\n`);
  process.exit(2);
}
const FLOOR_MS = 2000;

const dir = mkdtempSync(join(tmpdir(), 'sipster-bench-uc-'));

const round1 = (x: number): number => Math.round(x * 10) / 10;
const rate = (count: number, ms: number): number => round1((count / ms) * 1000);

/** CPU time (ms) of a process and all its descendants, from /proc (0 where there is no /proc). */
function treeCpuMs(root: number): number {
  const CLK_TCK = 100;
  const stats = new Map<number, { ppid: number; ticks: number }>();
  let names: string[] = [];
  try {
    names = readdirSync('/proc').filter((n) => /^\d+$/.test(n));
  } catch {
    return 0;
  }
  for (const n of names) {
    try {
      const s = readFileSync(`/proc/${n}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(n), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      // gone meanwhile
    }
  }
  let ticks = 0;
  const walk = (pid: number): void => {
    ticks += stats.get(pid)?.ticks ?? 0;
    for (const [child, s] of stats) if (s.ppid === pid) walk(child);
  };
  walk(root);
  return (ticks * 1000) / CLK_TCK;
}

interface Level {
  readonly wallets: number;
  readonly pays: number;
  readonly receiptsPerS: number;
  /** CPU of the UC processes per receipt (ms). */
  readonly ucCpuMs: number;
  /** CPU of this process (the wallets' side: HTTP client, JSON) per receipt (ms). */
  readonly clientCpuMs: number;
}

/** `coins.length` pays by `wallets` concurrent wallets, spread over the UC URLs. */
async function payLevel(procs: readonly UcProcess[], wallets: number, coins: readonly Proof[], oblivious?: ObliviousRoute): Promise<Level> {
  const clients = procs.map((p) => new UcClient({ ucUrl: p.url, oblivious }));
  const uc0 = procs.reduce((a, p) => a + treeCpuMs(p.child.pid!), 0);
  const me0 = process.cpuUsage();
  let next = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: wallets }, async (_, w) => {
      const client = clients[w % clients.length]!;
      for (let k = next++; k < coins.length; k = next++) {
        const res = await client.pay(encodePayRequest({ e: 0, rho: new Uint8Array(randomBytes(32)) }), coins[k]!);
        if (res.replay) throw new Error('fresh token came back as a replay');
      }
      bench.progress(`${wallets} wallets: ${next}/${coins.length} pays`);
    }),
  );
  const ms = performance.now() - t;
  const me = process.cpuUsage(me0);
  const uc = procs.reduce((a, p) => a + treeCpuMs(p.child.pid!), 0) - uc0;
  return { wallets, pays: coins.length, receiptsPerS: rate(coins.length, ms), ucCpuMs: round1((uc / coins.length) * 100) / 100, clientCpuMs: Math.round(((me.user + me.system) / 1000 / coins.length) * 100) / 100 };
}

async function swapRate(url: string, coins: readonly Proof[]): Promise<number> {
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

type Bill = ReturnType<ReferenceMeter['billGen']>;

/** One bill per size (index 0: a warm-up bill of 1 unit), from reference meters; made once, registered in each store. */
function makeBills(): { units: number; meter: ReferenceMeter; bill: Bill }[] {
  return [0, ...BILL_SIZES].map((units) => {
    bench.progress(`bill of ${units} units`);
    const meter = new ReferenceMeter({ suite, meterId: `bench-${units}`, epochLength: 4, tariffVersion: 1 }, drbg(`bench meter ${units}`));
    meter.startPeriod(1);
    for (let i = 0; i < Math.max(units, 1); i++) meter.tokenGen();
    return { units, meter, bill: meter.billGen() };
  });
}

/** Settle latency over HTTP; C = a_e·R with the UC's epoch secret from its store (settle's work does not depend on how C was made). */
async function settleLatency(location: string, url: string, bills: ReturnType<typeof makeBills>, tokens: Map<string, string>): Promise<{ units: number; ms: number }[]> {
  const db = await openStore(location);
  const [row] = await db.all<{ secret: Uint8Array }>('SELECT secret FROM uc_epoch_keys WHERE epoch = 0');
  await db.close();
  const a = suite.decodeScalar(new Uint8Array(row!.secret));
  const out = [];
  for (const { units, meter, bill } of bills) {
    const C = suite.encodePoint(suite.mul(bill.bill.R, a));
    const client = new UcClient({ ucUrl: url, accountToken: tokens.get(meter.meterId)! });
    const t = performance.now();
    const res = await client.settle(bill.billMessage, bill.beta, C);
    const ms = performance.now() - t;
    if (res.status !== 'settled') throw new Error('bill did not settle');
    if (units > 0) out.push({ units, ms: Math.round(ms * 100) / 100 });
  }
  return out;
}

/** The UC operator's setup on a new store: genesis, epoch 0's key, the bench meters' accounts. */
async function setUp(location: string, bills: ReturnType<typeof makeBills>): Promise<Map<string, string>> {
  const db = await openStore(location);
  const mint = await Mint.open(db, new TestPaymentBackend(true), { maxMintAmount: 100_000, maxOutputs: 1000 });
  const uc = await UcService.open(db, mint, { genesis: { suite: suite.id, ucName: 'bench', epochLength: 4, periodSeconds: 3600, originUnix: 0 }, epochs: [0], log: silentLogger });
  const tokens = new Map<string, string>();
  for (const { meter } of bills) tokens.set(meter.meterId, await uc.registerMeter(meter.meterId, meter.vkM));
  await db.close();
  return tokens;
}

/**
 * `n` one-unit coins of the store's mint, signed directly with its key (C = k·hash_to_curve(secret),
 * NUT-00) instead of through the blind-signature API: the pays check them the same way, and the
 * bench does not spend minutes in cashu-ts's blinding.
 */
async function makeCoins(location: string, n: number): Promise<Proof[]> {
  const db = await openStore(location);
  const rows = await db.all<{ id: string; keys: string }>("SELECT id, keys FROM mint_keysets WHERE unit = 'tok' AND active = 1");
  await db.close();
  const { id, keys } = rows[0]!;
  const k = BigInt(`0x${(JSON.parse(keys) as Record<string, { priv: string }>)['1']!.priv}`);
  return Array.from({ length: n }, (_, i) => {
    if (i % 200 === 0) bench.progress(`coins ${i}/${n}`);
    const secret = randomBytes(32).toString('hex');
    const C = hashToCurve(new TextEncoder().encode(secret)).multiply(k);
    return { id, amount: 1, secret, C: C.toHex(true) } as unknown as Proof; // cashu-ts's Proof as its Wallet would hold it
  });
}

const asProofIn = (p: Proof): ProofIn => ({ id: p.id, amount: Number(p.amount), secret: p.secret, C: p.C });

/** Per-stage wall time of the UC's pay path, summed over its processes (host/common/stage-times.ts). */
function stageRows(stageDir: string): string[][] {
  const sum = new Map<string, { n: number; ms: number }>();
  for (const f of readdirSync(stageDir)) {
    const t = JSON.parse(readFileSync(join(stageDir, f), 'utf8')) as StageTotals;
    for (const [k, v] of Object.entries(t.stages)) {
      const s = sum.get(k) ?? { n: 0, ms: 0 };
      s.n += v.n;
      s.ms += v.ms;
      sum.set(k, s);
    }
  }
  const pays = sum.get('pay: coin check')?.n ?? 1;
  return [...sum].filter(([k]) => /^(pay|settle|\/v1\/(pay|settle)|sqlite)/.test(k)).map(([k, v]) => [k, String(v.n), ((v.ms / v.n) * 1000).toFixed(0), ((v.ms / pays) * 1000).toFixed(0)]);
}

interface ConfigResult {
  readonly name: string;
  readonly levels: Level[];
  readonly stages: string[][];
  /** Coins of this store as the UC received them, for the floor (the check is the same, spent or not). */
  readonly coinSample: ProofIn[];
  settle?: { units: number; ms: number }[];
  relay?: Level;
  swapsPerS?: number;
}

/** Runs the levels on `procs` UC processes serving `location` (created by the first config that uses it). */
async function runConfig(
  name: string,
  location: string,
  processes: number,
  workers: number,
  opts: { bills?: ReturnType<typeof makeBills>; tokens?: Map<string, string>; extras?: boolean; cpuProf?: string },
): Promise<ConfigResult> {
  const stageDir = join(dir, `stages-${name.replace(/\W+/g, '-')}`);
  mkdirSync(stageDir);
  const nodeArgs = opts.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProf] : [];
  bench.progress(`${name}: starting ${processes} UC process(es)`);
  const procs = await Promise.all(Array.from({ length: processes }, () => startUcProcess(location, { SIPSTER_STAGE_TIMES: stageDir }, ['--workers', String(workers)], nodeArgs)));
  try {
    const need = LEVELS.reduce((a, w) => a + paysAt(w), 0) + (opts.extras ? paysAt(RELAY_WALLETS) + SWAPS : 0);
    const coins = await makeCoins(location, need);
    let used = 0;
    const take = (n: number): Proof[] => coins.slice(used, (used += n));
    const window = { fromUs: Number(process.hrtime.bigint() / 1000n), toUs: 0 };
    const levels: Level[] = [];
    for (const wallets of LEVELS) levels.push(await payLevel(procs, wallets, take(paysAt(wallets))));
    window.toUs = Number(process.hrtime.bigint() / 1000n);
    if (opts.cpuProf) writeFileSync(join(opts.cpuProf, 'window.json'), JSON.stringify(window));
    const result: ConfigResult = { name, levels, stages: [], coinSample: coins.slice(0, 64).map(asProofIn) };
    if (opts.extras) {
      const served = (await (await fetch(`${procs[0]!.url}/v1/params`)).json()) as { logVk: string; entries: [] };
      const key = verifyParamsLog(served.entries, fromHex(served.logVk, 33)).ohttpKeys.get(0)!;
      const relay = await startRelayProcess(`${procs[0]!.url}/v1/ohttp`, ['--rate', '1000000', '--burst', '1000000']);
      try {
        result.relay = await payLevel(procs, RELAY_WALLETS, take(paysAt(RELAY_WALLETS)), { relayUrl: relay.url, keyConfig: () => key });
      } finally {
        await relay.stop();
      }
      result.swapsPerS = await swapRate(procs[0]!.url, take(SWAPS));
    }
    if (opts.bills && opts.tokens) result.settle = await settleLatency(location, procs[0]!.url, opts.bills, opts.tokens);
    await Promise.all(procs.map((p) => p.stop()));
    return { ...result, stages: stageRows(stageDir) };
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
  }
}

function svg(configs: readonly ConfigResult[], floor: number): string {
  const W = 640;
  const H = 320;
  const all = configs.flatMap((c) => c.levels.map((l) => l.receiptsPerS));
  const max = Math.max(TARGET_RECEIPTS_PER_S, floor, ...all) * 1.1;
  const y = (v: number) => H - 50 - (v / max) * (H - 90);
  const colours = ['#4878a8', '#a87848', '#48a878'];
  const bw = 36;
  const bars = LEVELS.map((w, i) => {
    const x0 = 80 + i * 140;
    const group = configs
      .map((c, j) => {
        const v = c.levels[i]!.receiptsPerS;
        return `<rect x="${x0 + j * bw}" y="${y(v)}" width="${bw - 4}" height="${H - 50 - y(v)}" fill="${colours[j]}"/><text x="${x0 + j * bw + bw / 2 - 2}" y="${y(v) - 4}" text-anchor="middle" font-size="10">${Math.round(v)}</text>`;
      })
      .join('');
    return `${group}<text x="${x0 + (configs.length * bw) / 2}" y="${H - 32}" text-anchor="middle">${w} wallet${w > 1 ? 's' : ''}</text>`;
  }).join('');
  const legend = configs.map((c, j) => `<rect x="${80 + j * 170}" y="${H - 18}" width="10" height="10" fill="${colours[j]}"/><text x="${94 + j * 170}" y="${H - 9}">${c.name}</text>`).join('');
  const line = (v: number, label: string, colour: string) =>
    `<line x1="60" x2="${W - 20}" y1="${y(v)}" y2="${y(v)}" stroke="${colour}" stroke-dasharray="6 4"/><text x="${W - 20}" y="${y(v) - 4}" text-anchor="end" fill="${colour}">${label}</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">
<text x="${W / 2}" y="18" text-anchor="middle" font-size="14">UC receipts/s over HTTP, ${suite.id} (coin + receipt + store), ${CORES} cores</text>
<line x1="60" x2="60" y1="30" y2="${H - 50}" stroke="#000"/><line x1="60" x2="${W - 20}" y1="${H - 50}" y2="${H - 50}" stroke="#000"/>
${bars}
${line(TARGET_RECEIPTS_PER_S, `target ${TARGET_RECEIPTS_PER_S}/s`, '#b03030')}
${line(floor, `crypto-only floor ${Math.round(floor)}/s`, '#30a030')}
${line((1000 / PAPER_MS_PER_RECEIPT) * CORES, `paper (C) 1.44 ms x ${CORES} cores`, '#808080')}
${legend}
</svg>
`;
}

async function main(): Promise<void> {
  bench.progress('bills for the settle latency');
  const bills = makeBills();
  const sqlite = join(dir, 'uc.sqlite');
  const sqliteTokens = await setUp(sqlite, bills);
  const configs: ConfigResult[] = [];
  configs.push(await runConfig('SQLite', sqlite, 1, WORKERS, { bills, tokens: sqliteTokens, extras: true, cpuProf: flags['cpu-prof'] }));
  bench.progress(`crypto-only floor on ${CORES} cores`);
  const floor = round1(await floorPerSecond(sqlite, suite.id, configs[0]!.coinSample, CORES, FLOOR_MS));
  if (flags['sqlite-only']) return report(configs, floor);
  const pg = await startPostgres();
  try {
    const pgTokens = await setUp(pg.url, bills);
    configs.push(await runConfig('PostgreSQL', pg.url, 1, WORKERS, { bills, tokens: pgTokens }));
    configs.push(await runConfig(`${CORES > 1 ? 2 : 1} UC on 1 PG`, pg.url, 2, Math.max(1, Math.floor(CORES / 2)), {}));
  } finally {
    await pg.stop();
  }
  report(configs, floor);
}

function report(configs: readonly ConfigResult[], floor: number): void {
  const [sq] = configs;
  const paperPerS = round1((1000 / PAPER_MS_PER_RECEIPT) * CORES);
  bench.say(
    `UC over loopback HTTP, ${suite.id}${P256 ? ' (receipt + DLEQ proof)' : ' (receipt, no proof)'}, one coin redeemed per receipt;`,
    `${CORES} cores shared with this bench's wallets (and other work: load ${loadavg()[0]!.toFixed(1)}); SQLite: WAL, fsynced group`,
    `commits; PostgreSQL: throwaway server, fsync off. "UC ms": UC processes' CPU per receipt.`,
    '',
  );
  const head = ['receipts/s', ...configs.flatMap((c) => [c.name, 'UC ms'])];
  bench.table(
    head,
    LEVELS.map((w, i) => [`${w} wallet${w > 1 ? 's' : ''}`, ...configs.flatMap((c) => [String(c.levels[i]!.receiptsPerS), c.levels[i]!.ucCpuMs.toFixed(2)])]),
  );
  bench.say('');
  const at64 = sq!.levels[LEVELS.indexOf(64)]!;
  const targets: Target[] = [];
  if (P256) targets.push(bench.target('receipts/s, P-256, SQLite, 64 wallets', at64.receiptsPerS, { min: TARGET_RECEIPTS_PER_S }));
  const best = Math.max(...sq!.levels.map((l) => l.receiptsPerS));
  targets.push(bench.target('crypto-only floor / best SQLite receipts/s', Math.round((floor / best) * 100) / 100, { max: TARGET_FLOOR_RATIO }));
  for (const s of sq!.settle ?? []) targets.push(bench.target(`settle over HTTP, ${s.units}-unit bill (ms)`, s.ms, { max: TARGET_SETTLE_MS }));
  bench.table(['figure', 'value', 'target', 'met'], targets.map((t) => [t.name, String(t.value), t.max !== undefined ? `≤ ${t.max}` : `≥ ${t.min}`, t.met ? 'yes' : 'NO']));
  bench.say('');
  bench.table(['reference (same run)', 'value'], [
    [`crypto-only floor: coin check + receipt, ${CORES} worker threads`, `${floor}/s (${((1000 / floor) * CORES).toFixed(2)} ms/core)`],
    [`paper (C, no proof/coin/storage): 1.44 ms/receipt/core x ${CORES}`, `${paperPerS}/s`],
    [`best SQLite rate / floor`, `${(best / floor).toFixed(2)}×`],
    [`through the OHTTP relay, SQLite, ${RELAY_WALLETS} wallets`, `${sq!.relay?.receiptsPerS}/s (UC ${sq!.relay?.ucCpuMs} ms CPU)`],
    ['client side (this process) CPU per receipt at 64 wallets, SQLite', `${at64.clientCpuMs} ms`],
    ['mint swaps/s (1 in → 1 out, 8 clients)', String(sq!.swapsPerS)],
    ...configs.slice(1).flatMap((c) => (c.settle ?? []).map((s) => [`settle, ${c.name}, ${s.units}-unit bill`, `${s.ms} ms`])),
  ]);
  bench.say('');
  bench.table(['UC pay stage, SQLite (wall time, all levels)', 'calls', 'µs/call', 'µs/receipt'], sq!.stages);
  const base = { bench: 'uc', suite: suite.id, cores: CORES, levels: LEVELS, paysPerLevel: LEVELS.map(paysAt), floorReceiptsPerS: floor, paperMsPerReceipt: PAPER_MS_PER_RECEIPT, targetReceiptsPerS: TARGET_RECEIPTS_PER_S };
  const suffix = P256 ? '' : '-bls12381';
  bench.save(
    {
      [`uc${suffix}.json`]: { ...base, store: 'sqlite', ucWorkers: WORKERS, receiptsPerSecond: sq!.levels, viaRelay: sq!.relay, mintSwapsPerSecond: sq!.swapsPerS, settleLatencyMs: sq!.settle, stages: sq!.stages },
      [`uc${suffix}.svg`]: svg(configs, floor),
      ...(configs.length > 1 && {
        [`uc-postgres${suffix}.json`]: { ...base, store: 'postgres (throwaway server, fsync off)', configs: configs.slice(1).map((c) => ({ name: c.name, receiptsPerSecond: c.levels, settleLatencyMs: c.settle, stages: c.stages })) },
      }),
    },
    { board: 'none: host only (UC and wallets on loopback)' },
  );
}

try {
  await main();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
bench.finish();
