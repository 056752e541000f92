/**
 * Summary of the CPU profiles `npm run bench -- uc --cpu-prof=DIR` had the UC processes write
 * (node --cpu-prof), over the pay levels' window only (DIR/window.json, written by the bench):
 * per process busy and idle time, the top functions by self time, and self time per file.
 *
 *   node --import tsx bench/cpu-profile.ts DIR [TOP]   (after `npm run bench -- uc --cpu-prof=DIR`)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Profile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const [dir, topArg] = process.argv.slice(2);
if (!dir) {
  process.stderr.write('usage: node --import tsx bench/cpu-profile.ts DIR [TOP]\n');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const window = JSON.parse(readFileSync(join(dir, 'window.json'), 'utf8')) as { fromUs: number; toUs: number };
const bySelf = new Map<string, number>();
const byFile = new Map<string, number>();
const add = (m: Map<string, number>, k: string, v: number): void => void m.set(k, (m.get(k) ?? 0) + v);
let busy = 0;

/** `pkg/dir/file.js` for a dependency, `dir/file.ts` for ours, the name for built-ins. */
function place(url: string, fallback: string): string {
  if (!url) return fallback;
  const nm = url.split('node_modules/')[1];
  if (nm) return nm.split('/').filter((_, i, a) => i < 2 || i === a.length - 1).join('/');
  return url.replace(/^file:\/\//, '').split('/').slice(-2).join('/');
}

process.stdout.write(`window ${((window.toUs - window.fromUs) / 1000).toFixed(0)} ms\n`);
for (const f of readdirSync(dir).filter((n) => n.endsWith('.cpuprofile')).sort()) {
  const p = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Profile;
  const selfUs = new Map<number, number>();
  let t = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    if (t >= window.fromUs && t <= window.toUs) selfUs.set(p.samples[i]!, (selfUs.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i + 1] ?? 0));
  }
  let own = 0;
  let idle = 0;
  for (const n of p.nodes) {
    const ms = (selfUs.get(n.id) ?? 0) / 1000;
    if (!ms) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === '(idle)') {
      idle += ms;
      continue;
    }
    own += ms;
    add(bySelf, `${functionName || '(anonymous)'} ${place(url, '')}:${lineNumber + 1}`, ms);
    add(byFile, url.includes('node_modules/') ? url.split('node_modules/')[1]!.split('/').slice(0, 2).join('/') : place(url, functionName), ms);
  }
  busy += own;
  if (own + idle > 0) process.stdout.write(`${f}: busy ${own.toFixed(0)} ms, idle ${idle.toFixed(0)} ms\n`);
}
const table = (title: string, m: Map<string, number>): void => {
  process.stdout.write(`\n${title}\n`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${((v / busy) * 100).toFixed(1).padStart(5)}% ${v.toFixed(0).padStart(7)} ms  ${k}\n`);
};
table('self time by function (share of busy time)', bySelf);
table('self time by file or package', byFile);
