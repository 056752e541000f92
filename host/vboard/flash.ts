// The board's flash: Espruino's Storage files, kept in one file on the host's disk. Every mutation
// is written through (temp file, fsync, rename) before the guest's call returns, so whatever the
// guest has written survives a power cut at any later instant, and nothing it has not written does.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';

export class FlashError extends Error {
  override readonly name = 'FlashError';
}

/** What a torn write leaves behind: the first `keepBytes` bytes of the data land, the rest do not. */
export interface TearPlan {
  readonly keepBytes: number;
}

export class FlashStore {
  private readonly files = new Map<string, Buffer>();
  /** Mutations written since the board was created (the rig arms power cuts on this count). */
  writes = 0;

  constructor(readonly path: string, readonly capacity: number) {
    if (existsSync(path)) this.load();
  }

  private load(): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch (e) {
      throw new FlashError(`flash file ${this.path} is not valid JSON: ${(e as Error).message}`);
    }
    const files = (parsed as { files?: unknown }).files;
    if (typeof files !== 'object' || files === null) throw new FlashError(`flash file ${this.path} has no "files" object`);
    for (const [name, b64] of Object.entries(files)) {
      if (typeof b64 !== 'string') throw new FlashError(`flash file ${this.path}: entry ${JSON.stringify(name)} is not base64`);
      this.files.set(name, Buffer.from(b64, 'base64'));
    }
  }

  private persist(): void {
    const obj: Record<string, string> = {};
    for (const [k, v] of this.files) obj[k] = v.toString('base64');
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify({ version: 1, files: obj }));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    this.writes++;
  }

  used(): number {
    let n = 0;
    for (const [k, v] of this.files) n += v.length + k.length + 16;
    return n;
  }

  free(): number {
    return Math.max(0, this.capacity - this.used());
  }

  list(): string[] {
    return [...this.files.keys()].sort();
  }

  read(name: string): Buffer | undefined {
    return this.files.get(name);
  }

  /** Replaces the file (Storage.write without offset). False if flash is full. */
  write(name: string, data: Buffer, tear?: TearPlan): boolean {
    const old = this.files.get(name);
    if (this.used() - (old ? old.length + name.length + 16 : 0) + data.length + name.length + 16 > this.capacity) return false;
    this.files.set(name, tear ? data.subarray(0, Math.min(tear.keepBytes, data.length)) : data);
    this.persist();
    return true;
  }

  /**
   * Storage.write(name, data, offset, size): with `size` a new file of that many 0xFF bytes is
   * created first; then `data` is written at `offset`. Flash can only clear bits, so writing over
   * bytes that are not erased fails, as on the board.
   */
  writeAt(name: string, data: Buffer, offset: number, size: number, tear?: TearPlan): boolean {
    let file = this.files.get(name);
    if (size >= 0 && (offset === 0 || !file)) {
      if (this.used() - (file ? file.length + name.length + 16 : 0) + size + name.length + 16 > this.capacity) return false;
      file = Buffer.alloc(size, 0xff);
    }
    if (!file) return false;
    if (offset < 0 || offset + data.length > file.length) return false;
    for (let i = 0; i < data.length; i++) if ((file[offset + i]! & data[i]!) !== data[i]) return false;
    const copy = Buffer.from(file);
    const n = tear ? Math.min(tear.keepBytes, data.length) : data.length;
    data.copy(copy, offset, 0, n);
    this.files.set(name, copy);
    this.persist();
    return true;
  }

  erase(name: string): void {
    if (this.files.delete(name)) this.persist();
  }

  eraseAll(): void {
    this.files.clear();
    this.persist();
  }
}
