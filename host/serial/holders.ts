// Which processes hold a device open: serialport's "Cannot lock port" names no one, and a person
// needs to know which program to stop. Linux's /proc only; elsewhere nobody is named.
import { readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';

export interface Holder {
  readonly pid: number;
  readonly command: string;
}

export function portHolders(path: string): Holder[] {
  let target: string;
  let pids: string[];
  try {
    target = realpathSync(path);
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid);
  } catch {
    return [];
  }
  const holders: Holder[] = [];
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone, or not ours to look at
    }
    const holds = fds.some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === target;
      } catch {
        return false;
      }
    });
    if (holds) holders.push({ pid: Number(pid), command: commandOf(pid) });
  }
  return holders;
}

function commandOf(pid: string): string {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    return argv.join(' ').replace(/\s+/g, ' ').slice(0, 80) || readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}
