// Espruino's Linux interpreter as a board. The checks of the path run everywhere; the board itself
// runs where SIPSTER_ESPRUINO names the user's own build (not in CI, which has none).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkInterpreter, espruinoPath, InterpreterError } from '../interpreter.ts';
import { serveInterpreter, type ServedInterpreter } from '../serve.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const ESPRUINO = espruinoPath();

describe('finding the interpreter', () => {
  it('refuses a missing file, a non-executable one and a program that is not Espruino, each with a typed error naming the path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sipster-el-check-'));
    const plain = join(dir, 'espruino');
    writeFileSync(plain, 'not a program');
    for (const path of [join(dir, 'missing'), plain, '/bin/true']) {
      expect(() => checkInterpreter(path)).toThrow(InterpreterError);
      expect(() => checkInterpreter(path)).toThrow(path);
    }
  });

  it('sipster espruino-linux without an interpreter: one line and exit 2; with a wrong one: one line and exit 1', () => {
    const env = { ...process.env, SIPSTER_ESPRUINO: '' };
    const none = spawnSync(process.execPath, [join(ROOT, 'bin', 'sipster.mjs'), 'espruino-linux'], { encoding: 'utf8', env });
    expect(none.status).toBe(2);
    expect(none.stderr.trim()).toBe('sipster espruino-linux: no interpreter: pass --espruino PATH or set SIPSTER_ESPRUINO');
    const wrong = spawnSync(process.execPath, [join(ROOT, 'bin', 'sipster.mjs'), 'espruino-linux', '--espruino', '/bin/true'], { encoding: 'utf8', env });
    expect(wrong.status).toBe(1);
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
    expect(wrong.stderr).toMatch(/^sipster espruino-linux: \/bin\/true did not answer as an Espruino interpreter/);
  });
});

/** Sends `line` on the TCP console and returns what comes back until `until` matches. */
function ask(port: number, line: string, until: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const s = connect(port, '127.0.0.1', () => s.write(line));
    const timer = setTimeout(() => (s.destroy(), reject(new Error(`no ${until} in ${JSON.stringify(out)}`))), 20_000);
    s.on('data', (d) => {
      out += d.toString('latin1');
      if (until.test(out)) {
        clearTimeout(timer);
        s.destroy();
        resolve(out);
      }
    });
  });
}

describe.runIf(ESPRUINO)('the interpreter served as a board', () => {
  let served: ServedInterpreter;
  beforeAll(async () => {
    served = await serveInterpreter({ binary: ESPRUINO!, dir: mkdtempSync(join(tmpdir(), 'sipster-el-')) });
  });
  afterAll(async () => served?.close());

  it('answers on its TCP console; a Ctrl-D typed there does not end it (the Linux build would exit, a board would not)', async () => {
    expect(await ask(served.tcp.port, '\x10print("A"+(6*7))\n', /A42/)).toMatch(/A42/);
    expect(await ask(served.tcp.port, '\x04\x10print("B"+(6*7))\n', /B42/)).toMatch(/B42/);
    expect(served.board.powered).toBe(true);
  });

  it('a power cut (SIGKILL) keeps what was written to flash, loses RAM; power-on runs the boot code', async () => {
    await ask(served.tcp.port, '\x10var inRam=1;require("Storage").write("kept","v1");E.setBootCode("print(\'BOOTED\')");print("W"+"ROTE")\n', /WROTE/);
    const control = served.control.url;
    const off = (await (await fetch(`${control}/power`, { method: 'POST', body: JSON.stringify({ action: 'off' }) })).json()) as { powered: boolean; inputDropped: number };
    expect(off.powered).toBe(false);
    expect(off.inputDropped).toBe(0);
    let booted = '';
    served.board.on('data', (d: Buffer) => (booted += d.toString('latin1')));
    await fetch(`${control}/power`, { method: 'POST', body: JSON.stringify({ action: 'on' }) });
    for (let k = 0; k < 200 && !booted.includes('BOOTED'); k++) await new Promise((r) => setTimeout(r, 50));
    expect(booted).toContain('BOOTED');
    expect(await ask(served.tcp.port, '\x10print("R"+JSON.stringify([typeof inRam, require("Storage").read("kept")]))\n', /R\[[^\]]*\]/)).toContain('R["undefined","v1"]');
    expect(served.board.powerOns).toBe(2);
    const bad = await fetch(`${control}/pulse`, { method: 'POST', body: JSON.stringify({ pin: 'D5', count: 1, periodMs: 10 }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/no pins/);
  });
});
