import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { promisify } from 'node:util';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveBoard, type ServedBoard } from '../serve.ts';
import { tempFlash, Terminal } from './helpers.ts';

const ESPRUINO = join(process.cwd(), 'node_modules', '.bin', 'espruino');
let served: ServedBoard;
let term: Terminal;

beforeAll(async () => {
  served = await serveBoard({ flashPath: tempFlash() });
  term = new Terminal(served.board);
});
afterAll(async () => served.close());

describe('the console on its transports', () => {
  it('espruino-tools detects the board over tcp:// and uploads a program to flash unchanged', async () => {
    const dir = dirname(served.board.options.flashPath);
    const app = join(dir, 'app.js');
    // Over 512 bytes: espruino-tools only reports completion of uploads that long.
    const table = Array.from({ length: 300 }, (_, i) => i * 7).join(',');
    writeFileSync(app, `var table = [${table}];\nfunction onInit() {\n  print("app up", table.length, table[299]);\n}\nif (table.length > 3)\n  print("loaded");\n`);
    const from = term.text.length;
    const t0 = performance.now();
    const { stdout, stderr } = await promisify(execFile)(ESPRUINO, ['--no-ble', '-p', served.tcp.address, '--config', 'SAVE_ON_SEND=1', '--config', 'STORAGE_UPLOAD_METHOD=1', app], { timeout: 30_000 });
    const seconds = (performance.now() - t0) / 1000;
    expect(stdout + stderr).not.toContain('Unable to retrieve board information');
    expect(stdout).toContain('Upload Complete');
    await term.until(/loaded\r\napp up 300 2093\r\n/, from);
    expect(served.board.flash.read('.bootcde')?.toString('latin1')).toContain('function onInit()');
    expect(seconds).toBeLessThan(30);
    // After a power cut the program comes back from flash, as on a board.
    served.board.powerOff();
    const again = term.text.length;
    await served.board.powerOn();
    await term.until(/app up 300 2093\r\n/, again);
  });

  it('serialport opens the pseudo-terminal like a tty; the device vanishes on unplug and returns under the same path', async () => {
    const pty = served.pty!;
    const open = async (): Promise<SerialPort> => {
      const p = new SerialPort({ path: pty.path, baudRate: 115200, autoOpen: false });
      await new Promise<void>((res, rej) => p.open((e) => (e ? rej(e) : res())));
      return p;
    };
    const talk = async (p: SerialPort, line: string, want: RegExp): Promise<string> => {
      let got = '';
      p.on('data', (d: Buffer) => (got += d.toString('latin1')));
      p.write(line);
      const t0 = Date.now();
      while (!want.test(got) && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 10));
      return got;
    };
    const p1 = await open();
    expect(await talk(p1, '20+22\n', /=42\r\n>/)).toMatch(/=42\r\n>/);
    const closed = new Promise<void>((r) => p1.once('close', () => r()));
    await pty.unplug();
    await closed;
    await expect(open()).rejects.toThrow();
    await pty.plug();
    const p2 = await open();
    expect(await talk(p2, '6*7\n', /=42\r\n>/)).toMatch(/=42\r\n>/);
    await new Promise<void>((r) => p2.close(() => r()));
  });
});
