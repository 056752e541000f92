// The README's commands, run as written: every `npx sipster …` and `npm …` line of its sh blocks,
// in order, in a scratch directory. Changed only where a person's machine differs from a test's:
// /tmp/sipster/ is a fresh directory, the fixed ports are free ones, the wallet's per-user
// directory is in the scratch directory, and the upper-case words stand for what an earlier
// command printed (VKM, TOKEN, LOGVK). Services that end in `&` keep running until the end; the
// others are stopped (Ctrl-C) once they serve.
// The few that cannot run here say why (a real board, the suite itself, minutes of runtime).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const sipster = join(root, 'bin', 'sipster.mjs');
const dir = mkdtempSync(join(tmpdir(), 'sipster-readme-'));
const env = { ...process.env, XDG_DATA_HOME: join(dir, 'data') };
const daemons: { line: string; child: ChildProcess; exited: Promise<number | string | null>; out: () => string }[] = [];
afterAll(() => {
  for (const d of daemons) if (d.child.exitCode === null) d.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const INTERPRETER_MARK = '⟨interpreter⟩';

/** Lines that cannot run in a test, and why. */
const SKIP: [RegExp, string][] = [
  [/⟨interpreter⟩$/, "needs a build of Espruino's Linux interpreter (SIPSTER_ESPRUINO)"],
  [/\/dev\/ttyACM0/, 'needs a real board'],
  [/^npm (ci|test)\b|^npm run hil\b/, 'installs or runs the suite itself'],
  [/^npm start\b|sipster demo --units|^npm run bench/, 'minutes long: host/demo/test/demo.test.ts runs the same demo; benchmarks are not tests'],
  [/^npm run vectors\b/, 'rewrites host/vectors/, which host/vectors/test checks'],
  [/^npm run build\b/, 'rewrites dist/, which other tests read meanwhile; `sipster conformance` runs the same build in memory'],
  [/postgres:\/\//, 'needs a PostgreSQL server: host/store/test and host/uc/test start their own'],
  [/…/, 'holds a placeholder for a secret the reader supplies'],
  [/sipster espruino-linux/, "needs a build of Espruino's Linux interpreter"],
];

/** What a background command prints once it serves. */
const READY: [RegExp, RegExp][] = [
  [/sipster vboard/, /^device: /m],
  [/sipster (uc|mint|relay) serve/, /serving url=/],
  [/sipster wallet run/, /parameters log pinned[\s\S]*meter port open|meter port open[\s\S]*parameters log pinned/],
];

/** A block run against Espruino's own Linux interpreter (SIPSTER_ESPRUINO): each of its lines needs it. */
const INTERPRETER_BLOCK = /SIPSTER_ESPRUINO/;

function commands(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks
    .flatMap((b) => b.split('\n').map((l) => (INTERPRETER_BLOCK.test(b) ? `${l} ${INTERPRETER_MARK}` : l)))
    .map((l) => l.replace(/\s+#\s.*?( ⟨interpreter⟩)?$/, '$1').trim())
    .filter((l) => /^(npx sipster|npm |SIPSTER_\w+=)/.test(l));
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

const captured: Record<string, string> = {};
const ports = new Map<string, number>();

async function asWritten(line: string): Promise<string> {
  let cmd = line.replace(/\bnpx sipster\b/, `${JSON.stringify(process.execPath)} ${JSON.stringify(sipster)}`).replaceAll('/tmp/sipster/', `${dir}/tmp/`);
  for (const fixed of new Set(cmd.match(/(?<=127\.0\.0\.1:|--port |--tcp-port )(2323|3338|3340|3341)\b/g) ?? [])) {
    if (!ports.has(fixed)) ports.set(fixed, await freePort());
    cmd = cmd.replace(new RegExp(`\\b${fixed}\\b`, 'g'), String(ports.get(fixed)));
  }
  for (const [word, value] of Object.entries(captured)) cmd = cmd.replace(new RegExp(`\\b${word}\\b`, 'g'), value);
  expect(cmd, `a placeholder of "${line}" was never printed before`).not.toMatch(/\b(VKM|TOKEN|LOGVK)\b/);
  return cmd;
}

/** What later lines need from what this one printed. */
function capture(out: string): void {
  const vk = /vkM ([0-9a-f]{66})/.exec(out);
  if (vk) captured.VKM = vk[1]!;
  for (const l of out.split('\n')) {
    if (!l.startsWith('{')) continue;
    const o = JSON.parse(l) as { accountToken?: string; logVk?: string };
    if (o.accountToken) captured.TOKEN = o.accountToken;
    if (o.logVk) captured.LOGVK = o.logVk;
  }
}

/** Before `wallet dispute --c N`: the wallet must hold period N's bill (the period ends as time passes). */
async function untilBillHeld(c: number): Promise<void> {
  for (let k = 0; k < 240; k++) {
    const s = spawnSync(process.execPath, [sipster, 'wallet', 'status', '--json'], { encoding: 'utf8', env, cwd: dir });
    if (s.status === 0 && (JSON.parse(s.stdout) as { periods: { c: number }[] }).periods.some((p) => p.c === c)) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`the wallet never received the bill of period ${c}`);
}

describe('README', () => {
  it('every command runs as written', async () => {
    const skipped: string[] = [];
    const ran: string[] = [];
    for (const line of commands()) {
      const skip = SKIP.find(([re]) => re.test(line));
      if (skip) {
        skipped.push(`${line}: ${skip[1]}`);
        continue;
      }
      const dispute = /sipster wallet dispute --c (\d+)/.exec(line);
      if (dispute) await untilBillHeld(Number(dispute[1]));
      const cmd = await asWritten(line);
      const ready = READY.find(([re]) => re.test(line));
      if (ready) {
        // exec: the signal reaches the command itself (after any VAR=value it is given).
        const [, assigns, rest] = /^((?:\w+=\S+\s+)*)(.*)$/.exec(cmd.replace(/&$/, ''))!;
        const child = spawn('bash', ['-c', `${assigns ? `export ${assigns.trim()}; ` : ''}exec ${rest}`], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
        const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
        daemons.push({ line, child, exited, out: () => out });
        await new Promise<void>((resolve, reject) => {
          const t = setInterval(() => {
            if (ready![1].test(out)) {
              clearInterval(t);
              resolve();
            }
          }, 100);
          void exited.then((code) => {
            clearInterval(t);
            reject(new Error(`"${line}" exited ${code} before it was ready:\n${out}`));
          });
        });
        capture(out);
        if (!line.endsWith('&')) {
          const d = daemons.pop()!;
          d.child.kill('SIGINT');
          expect(await d.exited, `"${line}" on SIGINT:\n${d.out()}`).toBe(0);
        }
      } else {
        const res = spawnSync('bash', ['-c', cmd], { cwd: line.startsWith('npm') ? root : dir, env, encoding: 'utf8', timeout: 300_000 });
        expect(res.status, `"${line}" exited ${res.status}:\n${res.stdout}\n${res.stderr}`).toBe(0);
        capture(res.stdout);
      }
      ran.push(line);
    }
    for (const d of daemons.reverse()) {
      d.child.kill('SIGINT');
      expect(await d.exited, `"${d.line}" on SIGINT:\n${d.out()}`).toBe(0);
    }
    process.stdout.write(`README: ran ${ran.length} commands; skipped ${skipped.length}:\n  ${skipped.join('\n  ')}\n`);
    // The by-hand period went through: its bill was received and disputed.
    expect(ran.some((l) => l.includes('wallet dispute'))).toBe(true);
  }, 600_000);
});
