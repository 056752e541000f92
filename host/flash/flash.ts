// sipster flash, as a function: build if needed, upload the bundle, the provisioning record and
// the base point's comb table with espruino-tools, make the board boot the bundle from flash, confirm by its boot record.
import { bytesToHex } from '@noble/hashes/utils.js';
import { baseTableBytes } from '../../firmware/src/crypto/index.ts';
import type { BootRecord } from '../records/decode.ts';
import { PROVISIONING_FILE } from '../records/provisioning.ts';
import { ensureBundle } from './bundle.ts';
import { bootAndReadBootRecord, checkBootRecord } from './confirm.ts';
import { readMeterFile } from './meter-file.ts';
import { probePort } from '../serial/probe.ts';
import { uploadWithEspruino } from './upload.ts';

/** Storage file the firmware hashes and runs (firmware/src/firmware-hash.ts). */
export const FIRMWARE_FILE = 'sipster.js';
/** Comb table of the base point, memory-mapped by the firmware (firmware/README.md, flash files). */
export const BASE_TABLE_FILE = 'sip.base';
/** Boot code: run the bundle from memory-mapped flash, so what runs is what is hashed. */
export const BOOT_CODE = `eval(require("Storage").read(${JSON.stringify(FIRMWARE_FILE)}))`;

export interface FlashRequest {
  readonly port: string;
  readonly meterFile: string;
  readonly production?: boolean;
  /** Set the board's clock from the host's while uploading (boards without an RTC start at 0). */
  readonly setTime?: boolean;
  readonly bootTimeoutMs?: number;
  /** Serial baud rate for espruino-tools and for reading the boot record (default 115200). */
  readonly baudRate?: number;
  readonly log?: (line: string) => void;
  readonly progress?: (sent: number, total: number) => void;
  /** espruino-tools' own output, line by line (for --verbose). */
  readonly toolOutput?: (line: string) => void;
}

export interface FlashResult {
  readonly boot: BootRecord;
  readonly firmwareSha256: string;
  readonly uploadSeconds: number;
  /** The firmware bundle's size (what is hashed), in bytes. */
  readonly bundleBytes: number;
  /** The files' contents (bundle, provisioning record, base table), in bytes. */
  readonly fileBytes: number;
  /** What espruino-tools wrote to the port: the files base64-encoded inside Storage.write calls, and its commands. */
  readonly bytesSent: number;
  readonly problems: string[];
}

export async function flashMeter(req: FlashRequest): Promise<FlashResult> {
  const log = req.log ?? (() => undefined);
  const meter = readMeterFile(req.meterFile, { production: req.production });
  // The port first: a wrong one is one line now, not espruino-tools' retries and output.
  await probePort(req.port, { baudRate: req.baudRate });
  const bundle = await ensureBundle(log);
  const sha = bytesToHex(bundle.sha256);
  log(`firmware dist/meter.min.js ${bundle.code.length} bytes, sha256 ${sha}${bundle.rebuilt ? ' (rebuilt)' : ''}`);
  log(`meter ${meter.meterId}${meter.production ? ' (production: console locked after boot)' : ''}`);
  const files = [
    { name: FIRMWARE_FILE, data: new Uint8Array(Buffer.from(bundle.code, 'latin1')) },
    { name: PROVISIONING_FILE, data: meter.record },
    { name: BASE_TABLE_FILE, data: baseTableBytes() },
  ];
  const fileBytes = files.reduce((n, f) => n + f.data.length, 0);
  log(`uploading to ${req.port} with espruino-tools: ${files.map((f) => `${f.name} ${f.data.length} B`).join(', ')} (${fileBytes} B of files) ...`);
  const up = await uploadWithEspruino({ port: req.port, files, bootCode: BOOT_CODE, setTime: req.setTime, baudRate: req.baudRate, onProgress: req.progress, onToolLine: req.toolOutput });
  log(`uploaded ${fileBytes} B of files as ${up.bytesSent} B sent (base64 inside Storage.write commands) in ${up.seconds.toFixed(1)} s; booting ...`);
  const boot = await bootAndReadBootRecord(req.port, req.bootTimeoutMs ?? 180_000, req.baudRate);
  const problems = checkBootRecord(boot, { firmwareSha256: bundle.sha256, meterId: meter.meterId, production: meter.production });
  return { boot, firmwareSha256: sha, uploadSeconds: up.seconds, bundleBytes: bundle.code.length, fileBytes, bytesSent: up.bytesSent, problems };
}
