// Uploads files to a board's flash and sets its boot code with espruino-tools' own CLI
// (node_modules/.bin/espruino), unchanged: the same tool a developer uses on a real board.
// Files go as `--storage name:file` (binary-safe chunks of require("Storage").write(name,
// atob(...), offset)); the program sent after them sets the boot code. The CLI resets the board
// first and does not reboot it afterwards: the caller does that while listening for the boot record.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ESPRUINO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules', 'espruino', 'bin', 'espruino-cli.js');

/** One line saying what failed; espruino-tools' own output is kept in `output` (shown with --verbose). */
export class UploadError extends Error {
  override readonly name = 'UploadError';
  constructor(message: string, readonly output = '') {
    super(message);
  }
}

export interface UploadRequest {
  /** Serial device path or tcp://host:port, as espruino-tools takes it. */
  readonly port: string;
  readonly files: readonly { readonly name: string; readonly data: Uint8Array }[];
  readonly bootCode: string;
  readonly timeoutMs?: number;
  /** Set the board's clock to the host's (espruino-tools -t): boards without a battery-backed RTC start at 0. */
  readonly setTime?: boolean;
  /** Serial baud rate (espruino-tools -b); ignored for tcp://. */
  readonly baudRate?: number;
  /** Every line espruino-tools prints (for --verbose). */
  readonly onToolLine?: (line: string) => void;
  /** Bytes of upload code written so far, of the total. */
  readonly onProgress?: (sent: number, total: number) => void;
  /** Lines the board printed (espruino-tools prefixes them with "--]"). */
  readonly onBoardLine?: (line: string) => void;
}

export interface UploadResult {
  readonly seconds: number;
  readonly bytesSent: number;
}

export async function uploadWithEspruino(req: UploadRequest): Promise<UploadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'sipster-flash-'));
  try {
    const args = [ESPRUINO, '--no-ble', '-v', '-p', req.port, ...(req.setTime ? ['-t'] : []), ...(req.baudRate ? ['-b', String(req.baudRate)] : [])];
    for (const f of req.files) {
      if (!/^[A-Za-z0-9._-]{1,28}$/.test(f.name)) throw new UploadError(`bad Storage file name ${JSON.stringify(f.name)}`);
      const path = join(dir, f.name.replace(/^\./, '_'));
      writeFileSync(path, f.data);
      args.push('--storage', `${f.name}:${path}`);
    }
    // A network console has no baud rate to overrun: no per-write delays.
    if (req.port.startsWith('tcp://')) args.push('--config', 'STORAGE_UPLOAD_METHOD=1');
    const boot = join(dir, 'boot.js');
    writeFileSync(boot, `E.setBootCode(${JSON.stringify(req.bootCode)});\n`);
    args.push(boot);
    const t0 = performance.now();
    let total = 0;
    let sent = 0;
    let complete = false;
    let tail = '';
    const onLine = (line: string): void => {
      req.onToolLine?.(line);
      const all = /^serial: ---> (".*")$/.exec(line);
      if (all) total += (JSON.parse(all[1]!) as string).length;
      const chunk = /^serial: Sending (".*")$/.exec(line);
      if (chunk) {
        sent += (JSON.parse(chunk[1]!) as string).length;
        if (total > 0) req.onProgress?.(Math.min(sent, total), total);
      }
      if (line.startsWith('--]')) req.onBoardLine?.(line.slice(3).trim());
      if (line === 'Upload Complete') complete = true;
      if (!/^(serial: |Found |Initialising |  - Initialising |UTF8 )/.test(line)) tail = (tail + line + '\n').slice(-1500);
    };
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new UploadError(`espruino-tools did not finish uploading to ${req.port} within ${(req.timeoutMs ?? 120_000) / 1000} s`, tail));
      }, req.timeoutMs ?? 120_000);
      let buf = '';
      const feed = (d: Buffer): void => {
        buf += d.toString('utf8');
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          onLine(buf.slice(0, nl).replace(/\r$/, ''));
          buf = buf.slice(nl + 1);
        }
      };
      child.stdout.on('data', feed);
      child.stderr.on('data', feed);
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(new UploadError(`cannot run espruino-tools: ${e.message}`, tail));
      });
      child.on('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    if (code !== 0 || !complete) {
      throw new UploadError(`espruino-tools did not complete the upload to ${req.port} (exit ${code}${complete ? '' : ', no "Upload Complete"'})`, tail);
    }
    return { seconds: (performance.now() - t0) / 1000, bytesSent: sent };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
