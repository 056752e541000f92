// Where the wallet keeps its store by default: a per-user data directory, as Cashu wallets do,
// not the directory the command happens to run in (XDG on Linux, the platform's own elsewhere).
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = homedir()): string {
  if (platform === 'win32') return join(env.LOCALAPPDATA || join(home, 'AppData', 'Local'), 'sipster');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'sipster');
  return join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'sipster');
}

export const WALLET_FILE = 'wallet.sqlite';
