// The host side of a meter's serial link for tools and tests: a reopening port, records exactly
// once, link faults, every check the stream allows, and the raw bytes seen.
import { ResilientPort } from './port.ts';
import { RecordReader, type LinkFault, type ReceivedRecord } from './records.ts';
import { StreamVerifier, type Check } from './verify.ts';

export class Listener {
  readonly port: ResilientPort;
  // Tests and tools read a run back whole: keep every record.
  readonly reader = new RecordReader({ history: Infinity });
  readonly verifier = new StreamVerifier();
  readonly faults: LinkFault[] = [];
  readonly failures: Check[] = [];
  readonly passes: Check[] = [];
  /** Raw bytes received, for tests that look at what else came out of the port. */
  raw = '';

  constructor(path: string) {
    this.port = new ResilientPort({ path, minBackoffMs: 20, maxBackoffMs: 250 });
    this.port.on('data', (d: Buffer) => {
      this.raw += d.toString('latin1');
      this.reader.push(d);
    });
    this.reader.on('fault', (f: LinkFault) => this.faults.push(f));
    this.reader.on('record', (r: ReceivedRecord) => {
      for (const c of this.verifier.check(r.record)) {
        if (c.ok === true) this.passes.push(c);
        else if (c.ok === false) this.failures.push(c);
      }
    });
  }

  async open(): Promise<void> {
    this.port.start();
    await this.port.waitOpen();
  }

  get records(): ReceivedRecord[] {
    return this.reader.log;
  }

  waitFor(match: (r: ReceivedRecord) => boolean, timeoutMs = 60_000, since?: number): Promise<ReceivedRecord> {
    return this.reader.waitFor(match, timeoutMs, since);
  }

  /** Waits until no record has arrived for `quietMs`. */
  async quiet(quietMs = 300, maxMs = 60_000): Promise<void> {
    const t0 = Date.now();
    let n = -1;
    while (Date.now() - t0 < maxMs) {
      if (n === this.records.length) return;
      n = this.records.length;
      await new Promise((r) => setTimeout(r, quietMs));
    }
  }

  close(): Promise<void> {
    return this.port.close();
  }
}
