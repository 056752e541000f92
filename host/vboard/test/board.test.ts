import { describe, expect, it } from 'vitest';
import { readFlashFiles } from '../flash.ts';
import { startBoard } from './helpers.ts';

describe('console protocol', () => {
  it('echoes, prints =value and the prompt; \\x10 lines are silent; brackets continue lines', async () => {
    const { board, term } = await startBoard();
    let from = term.text.length;
    term.type('1+2\n');
    expect(await term.until(/>$/, from)).toBe('1+2\r\n=3\r\n>');
    from = term.text.length;
    term.type('\x10var q = 7\n');
    await term.settle();
    expect(term.text.slice(from)).toBe('');
    from = term.text.length;
    term.type('function f(a) {\n  return a * q;\n}\n');
    expect(await term.until(/>$/, from)).toContain('\r\n:');
    expect(await term.eval('f(3)')).toBe('21');
    from = term.text.length;
    term.type('\x10var w = [1,\x1b\n2]\n\x10print(w.length)\n');
    expect(await term.until(/2\r\n/, from)).toBe('2\r\n');
    board.powerOff();
  });

  it('Ctrl-C drops a half-typed line; echo(0) silences echo, results and prompt', async () => {
    const { board, term } = await startBoard();
    term.type('thisWouldFail(');
    term.type('\x03');
    expect(await term.eval('40+2')).toBe('42');
    let from = term.text.length;
    term.type('echo(0)\n');
    await term.settle();
    from = term.text.length;
    term.type('print("x" + (1+1))\n');
    expect(await term.until(/x2\r\n$/, from)).toBe('x2\r\n');
    await term.settle();
    expect(term.text.slice(from)).toBe('x2\r\n');
    board.powerOff();
  });

  it('a locked production console answers nothing, not even after a host reconnects', async () => {
    const { board, term } = await startBoard();
    term.type('\x10var secret = "k3y"; E.setConsole("LoopbackA", {force: true}); E.setPassword("never typed"); E.lockConsole();\n');
    await term.settle();
    const from = term.text.length;
    board.hostConnected();
    term.type('print(secret)\n\x03\x03\n\x10print(secret)\nnever\nreset()\nsecret\n');
    await term.settle(100);
    expect(term.text.slice(from)).toBe('');
    board.powerOff();
  });
});

describe('power, flash and boot', () => {
  it('flash survives a power cut, RAM does not; boot code from flash runs at power-on', async () => {
    const { board, term } = await startBoard();
    await term.eval('var inRam = 1; require("Storage").write("kept", "v\\u0000w")');
    await term.eval('E.setBootCode("print(\'booted with \' + JSON.stringify(require(\'Storage\').read(\'kept\')))")');
    board.powerOff();
    expect(board.powered).toBe(false);
    const from = term.text.length;
    await board.powerOn();
    await term.until(/booted with "v\\u0000w"\r\n>$/, from);
    expect(await term.eval('typeof inRam')).toBe('"undefined"');
    board.powerOff();
  });

  it('reset() clears RAM without running the boot code; load() runs it', async () => {
    const { board, term } = await startBoard();
    await term.eval('E.setBootCode("var fromBoot = 5")');
    term.type('\x10var x = 1; reset();\n');
    await term.settle(200);
    expect(await term.eval('typeof x + typeof fromBoot')).toBe('"undefinedundefined"');
    term.type('\x10load()\n');
    await term.settle(200);
    expect(await term.eval('fromBoot')).toBe('5');
    board.powerOff();
  });

  it('save() keeps what was typed at the console across a power cycle (replayed at boot)', async () => {
    const { board, term } = await startBoard();
    await term.eval('var kept = 6; function twice(x) { return 2 * x; }');
    term.type('save()\n');
    await term.settle(200);
    board.powerOff();
    await board.powerOn();
    await term.settle(50);
    expect(await term.eval('twice(kept)')).toBe('12');
    board.powerOff();
  });

  it('an armed cut tears the Nth flash write and nothing after it happens', async () => {
    const { board, term } = await startBoard();
    board.armCut({ afterFlashWrites: 2, tornBytes: 3 });
    term.type('\x10var S = require("Storage"); S.write("a", "first"); S.write("b", "second"); S.write("c", "third"); print("after");\n');
    await term.settle(100);
    expect(board.powered).toBe(false);
    expect(term.text).not.toContain('after');
    const files = Object.fromEntries([...readFlashFiles(board.options.flashPath)].map(([k, v]) => [k, v.toString('latin1')]));
    expect(files).toEqual({ a: 'first', b: 'sec' });
  });

  it('an armed cut after the Nth record leaves the (N+1)th unsent', async () => {
    const { board, term } = await startBoard();
    board.armCut({ afterRecords: 2 });
    term.type('\x10for (var k = 0; k < 4; k++) USB.write("\\r\\n@S1:AAAA*2144df1c\\r\\n");\n');
    await term.settle(100);
    expect(board.powered).toBe(false);
    expect(term.text.split('@S1:').length - 1).toBe(2);
  });
});

describe('clock, timers and pins', () => {
  it('timers run on the virtual clock: a jump of an hour runs 3600 one-second ticks in order', async () => {
    const { board, term } = await startBoard({ clockStartMs: 1_700_000_000_000 });
    await term.eval('var ticks = 0, last = 0, ordered = true; setInterval(function(){ ticks++; var t = getTime(); if (t <= last) ordered = false; last = t; }, 1000)');
    await board.advance(3600_000);
    expect(await term.eval('ticks')).toBe('3600');
    expect(await term.eval('ordered')).toBe('true');
    expect(Number(await term.eval('Math.round(getTime())'))).toBeGreaterThanOrEqual(1_700_003_600);
    board.powerOff();
  });

  it('setWatch sees every rig pulse, with edge times on the virtual clock', async () => {
    const { board, term } = await startBoard();
    await term.eval('var n = 0, times = []; setWatch(function(e){ n++; times.push(e.time); }, D5, {repeat: true, edge: "rising"})');
    board.pulse('D5', 25, 1000);
    await board.advance(30_000);
    expect(await term.eval('n')).toBe('25');
    expect(await term.eval('Math.round(times[24] - times[0])')).toBe('24');
    board.powerOff();
  });

  it('the accelerated clock runs timers speed times faster than real time', async () => {
    const { board, term } = await startBoard({ clockSpeed: 1000 });
    const t0 = performance.now();
    await term.eval('var fired = 0; setTimeout(function(){ fired = getTime(); print("fired"); }, 60000)');
    await term.until(/fired\r\n/, 0, 10_000);
    // A minute of board time: well under a few seconds of real time (60 ms at 1000x, plus host load).
    expect(performance.now() - t0).toBeLessThan(10_000);
    board.powerOff();
  });
});

describe('resource caps', () => {
  it('running out of RAM raises an error and the board keeps working', async () => {
    const { board, term } = await startBoard({ ramBytes: 2 * 1024 * 1024 });
    const r = await term.eval('var hog = []; for (;;) hog.push(new Float64Array(1000))');
    expect(r).toMatch(/out of memory/i);
    await term.eval('hog = undefined');
    expect(await term.eval('6*7')).toBe('42');
    board.powerOff();
  });

  it('unbounded recursion is stopped by the stack cap and the board keeps working', async () => {
    const { board, term } = await startBoard();
    expect(await term.eval('function down(n) { return down(n + 1) + 1; }; down(0)')).toMatch(/stack/i);
    expect(await term.eval('6*7')).toBe('42');
    board.powerOff();
  });
});
