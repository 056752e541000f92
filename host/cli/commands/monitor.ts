// sipster monitor --port P: the live record stream of a meter, decoded and verified.
import { bytesToHex } from '@noble/hashes/utils.js';
import { decodeVerifyingKey } from '../../protocol/signature.ts';
import { ResilientPort } from '../../serial/port.ts';
import { probePort } from '../../serial/probe.ts';
import { RecordReader, type ReceivedRecord } from '../../serial/records.ts';
import { StreamVerifier } from '../../serial/verify.ts';
import { CliError, parseCommandArgs, UsageError } from '../args.ts';

export const summary = 'show the live record stream of a meter (serial device or tcp://host:port), decoded and verified';

const HELP = `usage: sipster monitor --port P [--vk HEX] [--baud N] [--json] [--count N] [--seconds S]

Reads framed records from P (a serial device such as /dev/ttyACM0, the virtual board's device
path, or a tcp://host:port console), drops duplicates, reports gaps, checks every signature and
the self-check of each closed period. A port that does not open at the start is an error (exit
1); once open, it keeps reading through unplug/replug.
  --baud N     serial baud rate (default 115200)
  --vk HEX     the meter's vkM (33-byte compressed point), to verify signatures before a boot record
  --json       one JSON object per line (records, checks, faults, link events)
  --count N    exit after N new records
  --seconds S  exit after S seconds
Exit status: 0, or 1 if any check failed.
`;

function plain(v: unknown): unknown {
  if (v instanceof Uint8Array) return bytesToHex(v);
  if (typeof v === 'bigint') return v.toString(16).padStart(64, '0');
  if (v && typeof v === 'object') {
    const p = v as { toBytes?: (c?: boolean) => Uint8Array; toHex?: (c?: boolean) => string };
    if (typeof p.toHex === 'function') return p.toHex(true);
    if ('id' in v && 'order' in v) return (v as { id: string }).id;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = plain(x);
    return out;
  }
  return v;
}

function line(r: ReceivedRecord): string {
  const { kind, bootSeq, recordSeq, ...rest } = r.record;
  const fields = Object.entries(plain(rest) as Record<string, unknown>)
    .filter(([k]) => !['billMessage', 'disputeMessage', 'faultMessage', 'handoverMessage', 'suite'].includes(k))
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
  return `#${recordSeq} boot ${bootSeq} ${kind.toUpperCase()} ${fields}`;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs('monitor', argv, {
    port: { type: 'string', short: 'p' },
    vk: { type: 'string' },
    baud: { type: 'string' },
    json: { type: 'boolean' },
    count: { type: 'string' },
    seconds: { type: 'string' },
  }, HELP);
  if (typeof args === 'number') return args;
  if (!args.port) throw new UsageError('--port is required (a serial device such as /dev/ttyACM0, or tcp://host:port)');
  const num = (v: string | undefined, name: string): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`${name} must be a positive number, got ${JSON.stringify(v)}`);
    return n;
  };
  let baud: number | undefined, count: number | undefined, seconds: number | undefined;
  let port: ResilientPort;
  let vk: Uint8Array | null = null;
  try {
    if (args.vk !== undefined) {
      if (!/^0[23][0-9a-fA-F]{64}$/.test(args.vk)) throw new UsageError('--vk: malformed: expected 66 hex digits starting 02 or 03 (the meter\'s vkM)');
      vk = decodeVerifyingKey(new Uint8Array(Buffer.from(args.vk, 'hex')));
    }
    baud = num(args.baud, '--baud');
    count = num(args.count, '--count');
    seconds = num(args.seconds, '--seconds');
    port = new ResilientPort({ path: args.port, baudRate: baud });
  } catch (e) {
    throw e instanceof CliError ? e : new UsageError((e as Error).message);
  }
  try {
    await probePort(args.port, { baudRate: baud });
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  const json = args.json === true;
  const out = (obj: Record<string, unknown>, text: string): void => {
    process.stdout.write(json ? JSON.stringify(obj) + '\n' : text + '\n');
  };
  const reader = new RecordReader();
  const verifier = new StreamVerifier(vk);
  let failed = false;
  let seen = 0;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  port.on('data', (d: Buffer) => reader.push(d));
  port.on('open', () => out({ event: 'open', port: args.port }, `-- port ${args.port} open`));
  port.on('close', (reason: string) => out({ event: 'close', reason }, `-- port closed (${reason})`));
  port.on('retry', (attempt: number, delay: number, reason: string) => {
    if (attempt === 1 || attempt % 10 === 0) out({ event: 'retry', attempt, delayMs: delay, reason }, `-- reopening (attempt ${attempt}, ${reason})`);
  });
  reader.on('fault', (f: Record<string, unknown>) => out({ event: 'fault', ...f }, `!! ${String(f.layer)} ${String(f.fault ?? f.code)}: ${String(f.detail)}`));
  reader.on('record', (r: ReceivedRecord) => {
    if (r.gap) out({ event: 'gap', ...r.gap }, `!! gap: records ${r.gap.from}..${r.gap.to} missing (replay with the troubleshooting signal)`);
    out({ event: 'record', record: plain(r.record) }, line(r));
    for (const c of verifier.check(r.record)) {
      if (c.ok === false) failed = true;
      out({ event: 'check', ...c }, c.ok === true ? `   ok   ${c.what}` : c.ok === false ? `   FAIL ${c.what}: ${c.detail}` : `   --   ${c.what}: ${c.detail}`);
    }
    seen++;
    if (count !== undefined && seen >= count) finish();
  });
  const stop = (): void => finish();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const timer = seconds === undefined ? undefined : setTimeout(finish, seconds * 1000);
  port.start();
  await done;
  if (timer) clearTimeout(timer);
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  await port.close();
  const s = reader.stats;
  out(
    { event: 'summary', records: s.sequence.accepted, duplicates: s.sequence.duplicates, gaps: s.sequence.gaps, missing: s.sequence.missing, frame: s.frame, rejected: s.rejected },
    `-- ${s.sequence.accepted} records, ${s.sequence.duplicates} duplicates dropped, ${s.sequence.gaps} gaps (${s.sequence.missing} missing), ` +
      `frame faults crc=${s.frame.crc} base64=${s.frame.base64} length=${s.frame.length} truncated=${s.frame.truncated}, rejected=${s.rejected}`,
  );
  return failed ? 1 : 0;
}
