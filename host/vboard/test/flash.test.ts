// The virtual board's flash image (snapshot + journal): what was written survives a reopen, a
// write cut short by a kill is dropped without hiding later writes, and readers see the current
// files without changing the image.
import { appendFileSync, existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FlashError, FlashStore, readFlashFiles } from '../flash.ts';

const fresh = () => join(mkdtempSync(join(tmpdir(), 'vboard-flash-')), 'flash.json');
const text = (files: Map<string, Buffer>) => Object.fromEntries([...files].map(([k, v]) => [k, v.toString('latin1')]));

describe('FlashStore image', () => {
  it('keeps every write, erase and erase-all across a reopen, and folds the journal when it opens', () => {
    const path = fresh();
    const a = new FlashStore(path, 1 << 16);
    a.write('x', Buffer.from('one'));
    a.write('y', Buffer.from('two'));
    a.write('x', Buffer.from('three'));
    a.erase('y');
    expect(a.writeAt('z', Buffer.from('ab'), 0, 4)).toBe(true);
    expect(a.writeAt('z', Buffer.from('cd'), 2, -1)).toBe(true);
    expect(existsSync(`${path}.log`)).toBe(true);
    expect(text(readFlashFiles(path))).toEqual({ x: 'three', z: 'abcd' });
    expect(existsSync(`${path}.log`)).toBe(true); // reading changed nothing

    const b = new FlashStore(path, 1 << 16);
    expect(b.list()).toEqual(['x', 'z']);
    expect(b.read('x')!.toString()).toBe('three');
    expect(existsSync(`${path}.log`)).toBe(false); // folded into the snapshot
    b.eraseAll();
    b.write('w', Buffer.from('after'));
    expect(text(readFlashFiles(path))).toEqual({ w: 'after' });
  });

  it('drops a journal line a kill cut short, and later writes after the reopen are not hidden by it', () => {
    const path = fresh();
    const a = new FlashStore(path, 1 << 16);
    a.write('state', Buffer.from('seq1'));
    a.write('state', Buffer.from('seq2'));
    appendFileSync(`${path}.log`, '{"n":"state","d":"c2Vx'); // a kill in the middle of the third write
    expect(text(readFlashFiles(path))).toEqual({ state: 'seq2' });

    const b = new FlashStore(path, 1 << 16);
    expect(b.read('state')!.toString()).toBe('seq2');
    b.write('state', Buffer.from('seq3'));
    expect(text(readFlashFiles(path))).toEqual({ state: 'seq3' });
    expect(new FlashStore(path, 1 << 16).read('state')!.toString()).toBe('seq3');
  });

  it('gives the same files when a kill left both the new snapshot and the journal it holds', () => {
    const path = fresh();
    const a = new FlashStore(path, 1 << 16);
    a.write('k', Buffer.from('v1'));
    a.write('k', Buffer.from('v2'));
    a.erase('gone');
    a.write('gone', Buffer.from('x'));
    a.erase('gone');
    const journal = readFileSync(`${path}.log`, 'utf8');
    new FlashStore(path, 1 << 16); // folds: snapshot holds k = v2, the journal is removed
    appendFileSync(`${path}.log`, journal); // ...as if the kill came before the removal
    expect(text(readFlashFiles(path))).toEqual({ k: 'v2' });
    const reopened = new FlashStore(path, 1 << 16);
    expect(reopened.list()).toEqual(['k']);
    expect(reopened.read('k')!.toString()).toBe('v2');
  });

  it('folds a journal that outgrows its limit while the board runs', () => {
    const path = fresh();
    const a = new FlashStore(path, 1 << 20);
    const big = Buffer.alloc(200_000, 0x41);
    for (let i = 0; i < 40; i++) a.write('big', Buffer.concat([big, Buffer.from([i])]));
    expect(statSync(`${path}.log`, { throwIfNoEntry: false })?.size ?? 0).toBeLessThan(5 << 20);
    expect(readFlashFiles(path).get('big')!.at(-1)).toBe(39);
  });

  it('refuses a snapshot that is not a flash image', () => {
    const path = fresh();
    appendFileSync(path, '{"files": 3}');
    expect(() => new FlashStore(path, 1 << 16)).toThrow(FlashError);
    expect(() => readFlashFiles(path)).toThrow(/no "files" object/);
  });
});
