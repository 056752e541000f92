// The board's flash: Espruino's Storage files, kept on the host's disk as a snapshot (`<path>`,
// JSON: {"version":1,"files":{name: base64}}) and a journal (`<path>.log`, one JSON line per
// mutation). Every mutation is appended to the journal before the guest's call returns, so
// whatever the guest has written survives the board being stopped or killed at any later instant
// (the rig's power cuts), and nothing it has not written does: a line cut short by a kill has no
// newline or is not JSON, and it and anything after it are ignored. Appending costs a few tens of
// µs where rewriting the ~150 KB image for each Storage.write cost ~2.8 ms (and showed up as meter
// latency a real board's flash does not have). The journal is folded into the snapshot when the
// store opens and when it grows past JOURNAL_MAX. No fsync: the image outlives the board process,
// not the host's own power.
import { appendFileSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';

/** Journal size at which it is folded into the snapshot. */
const JOURNAL_MAX = 4 << 20;

/** One mutation: file `n` replaced by `d` (base64), erased (`d` null), or everything erased (`all`). */
interface JournalEntry {
  n?: string;
  d?: string | null;
  all?: true;
}

export class FlashError extends Error {
  override readonly name = 'FlashError';
}

/** What a torn write leaves behind: the first `keepBytes` bytes of the data land, the rest do not. */
export interface TearPlan {
  readonly keepBytes: number;
}

const journalOf = (path: string): string => `${path}.log`;

/** Reads snapshot and journal into `files`; true if there was a journal to fold. */
function readImage(path: string, files: Map<string, Buffer>): boolean {
  if (existsSync(path)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new FlashError(`flash file ${path} is not valid JSON: ${(e as Error).message}`);
    }
    const snapshot = (parsed as { files?: unknown }).files;
    if (typeof snapshot !== 'object' || snapshot === null) throw new FlashError(`flash file ${path} has no "files" object`);
    for (const [name, b64] of Object.entries(snapshot)) {
      if (typeof b64 !== 'string') throw new FlashError(`flash file ${path}: entry ${JSON.stringify(name)} is not base64`);
      files.set(name, Buffer.from(b64, 'base64'));
    }
  }
  if (!existsSync(journalOf(path))) return false;
  const lines = readFileSync(journalOf(path), 'utf8').split('\n');
  lines.pop(); // after the last newline: empty, or a line a kill cut short
  // Entries apply in order up to the first malformed line (a cut-short write is the last one).
  for (const line of lines) {
    let e: JournalEntry;
    try {
      e = JSON.parse(line) as JournalEntry;
    } catch {
      break;
    }
    if (e.all === true) files.clear();
    else if (typeof e.n === 'string' && e.d === null) files.delete(e.n);
    else if (typeof e.n === 'string' && typeof e.d === 'string') files.set(e.n, Buffer.from(e.d, 'base64'));
    else break;
  }
  return true;
}

/** A board's flash files as they stand (snapshot and journal), without touching them: for rigs and tests. */
export function readFlashFiles(path: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  readImage(path, files);
  return files;
}

export class FlashStore {
  private readonly files = new Map<string, Buffer>();
  /** Mutations written since the board was created (the rig arms power cuts on this count). */
  writes = 0;

  private journalBytes = 0;

  constructor(readonly path: string, readonly capacity: number) {
    if (readImage(path, this.files)) this.compact();
  }

  private get journal(): string {
    return journalOf(this.path);
  }

  /**
   * Snapshot of the current files (temp file, rename), then the journal goes. A kill in between
   * leaves both, and replaying the journal onto a snapshot that already holds it changes nothing
   * (each entry sets or erases whole files, in order).
   */
  private compact(): void {
    const obj: Record<string, string> = {};
    for (const [k, v] of this.files) obj[k] = v.toString('base64');
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, JSON.stringify({ version: 1, files: obj }));
    renameSync(tmp, this.path);
    rmSync(this.journal, { force: true });
    this.journalBytes = 0;
  }

  private persist(entry: JournalEntry): void {
    const line = JSON.stringify(entry) + '\n';
    appendFileSync(this.journal, line);
    this.journalBytes += line.length;
    this.writes++;
    if (this.journalBytes > JOURNAL_MAX) this.compact();
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
    const kept = tear ? data.subarray(0, Math.min(tear.keepBytes, data.length)) : data;
    this.files.set(name, kept);
    this.persist({ n: name, d: kept.toString('base64') });
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
    this.persist({ n: name, d: copy.toString('base64') });
    return true;
  }

  erase(name: string): void {
    if (this.files.delete(name)) this.persist({ n: name, d: null });
  }

  eraseAll(): void {
    this.files.clear();
    this.persist({ all: true });
  }
}
