// Production mode: once provisioned for production the meter moves its console off the port and
// locks it. Nothing typed into the port gets a reply or reads a key; records keep flowing.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bytesToHex } from '@noble/hashes/utils.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MemoryUc } from '../host/protocol/memory-uc.ts';
import { getSuite } from '../host/protocol/suite.ts';
import { signTariff, type Tariff } from '../host/protocol/tariff.ts';
import type { TokenRecord } from '../host/records/decode.ts';
import { readFlashFiles } from '../host/vboard/flash.ts';
import { FRAME, flash, HAS_RIG, Listener, PINS, startTarget, typeIntoLockedConsole, writeMeterFile, type Target } from './rig.ts';

const SUITE = getSuite('P256-SHA256');
const rand = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
const ORIGIN = 1_767_225_600;
const TARIFF: Tariff = { version: 1, bands: [{ startMinute: 0, microUnitsPerWh: 1_000_000 }] };

let target: Target;
let link: Listener;
/** A real board provisioned for production stays locked: run this on one only when asked to. */
const RUN = !process.env.SIPSTER_PORT || process.env.SIPSTER_ALLOW_LOCK === '1';

beforeAll(async () => {
  if (!RUN) return;
  target = await startTarget();
  if (target.rig) await target.rig.setClock((ORIGIN + 60) * 1000);
  link = new Listener(target.port);
  await link.open();
}, 60_000);

afterAll(async () => {
  await link?.close();
  await target?.close();
});

it.runIf(RUN)('in production mode nothing typed into the port gets a reply or reads a key; metering goes on', async () => {
  const uc = new MemoryUc({ suite: SUITE, ucName: 'hil-uc', epochs: [0], tariff: TARIFF, epochLength: 24, periodSeconds: 3600, originUnix: ORIGIN }, rand);
  const meterFile = writeMeterFile(target.dir, {
    suiteId: 'P256-SHA256', meterId: 'hil-prod-1', production: false, epochLength: 24, periodSeconds: 3600, periodOrigin: ORIGIN,
    pulsePin: PINS.pulse, replayPin: PINS.replay, finalBillPin: PINS.finalBill, testLoadMs: HAS_RIG ? 0 : 1000, timing: false,
    ucKey: uc.logKey.vk, tariff: signTariff(SUITE, TARIFF, uc.logKey, rand(32)),
  });
  const r = await flash(target, meterFile, true);
  expect(r.problems).toEqual([]);
  expect(r.boot.production).toBe(true);
  await link.quiet(500);

  const from = link.raw.length;
  const recordsBefore = link.records.length;
  await typeIntoLockedConsole(link);
  if (target.virtual) {
    // espruino-tools gets no prompt and no answer either (given 8 s, several times what a board needs).
    const { stdout } = await promisify(execFile)(join(process.cwd(), 'node_modules', '.bin', 'espruino'), ['--no-ble', '-p', target.flashPort, '-e', '6*7'], { timeout: 8_000 }).catch(
      (e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }),
    );
    expect(stdout).not.toMatch(/=42/);
  }
  if (target.rig) {
    await target.rig.pulses(3);
    await target.rig.advance(5_000);
  }
  await link.waitFor((x) => x.record.kind === 'token', 60_000, recordsBefore);
  await link.quiet(500);

  // Only framed records came out: no echo, no prompt, no result, no error message.
  const out = link.raw.slice(from);
  expect(out.replace(FRAME, '').replace(/\r\n/g, '')).toBe('');
  // Every record after the typing is a token (or timing): nothing rebooted, nothing changed the firmware.
  const kinds = new Set(link.records.slice(recordsBefore).map((x) => x.record.kind));
  expect([...kinds].every((k) => k === 'token' || k === 'timing')).toBe(true);
  expect((link.records.at(-1)!.record as TokenRecord).replay).toBe(false);
  if (target.virtual) {
    // The meter's secrets, read straight from its flash (physical access, the rig), never appear on the port.
    const image = readFlashFiles(join(target.dir, 'flash.json'));
    const idFiles = [...image.keys()].filter((n) => n.startsWith('sip.id'));
    expect(idFiles.length).toBeGreaterThan(0);
    for (const name of idFiles) {
      const secret = image.get(name)!;
      expect(secret.length).toBeGreaterThan(32);
      for (let k = 0; k + 16 <= secret.length; k += 16) {
        const piece = secret.subarray(k, k + 16);
        expect(out.includes(piece.toString('latin1'))).toBe(false);
        expect(out.includes(bytesToHex(piece))).toBe(false);
      }
    }
  }
});
