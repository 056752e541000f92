// The virtual board against Espruino's interpreter, probe by probe (host/vboard/probes): everywhere,
// the board prints the interpreter's recorded output byte for byte (or, for the few listed known
// differences, its own recorded output); where SIPSTER_ESPRUINO names an interpreter, the probes
// also run on it and a golden it no longer prints fails as stale.
import { describe, expect, it } from 'vitest';
import { checkInterpreter, espruinoPath } from '../../elinux/interpreter.ts';
import { readGoldens, vboardExpected } from '../probes/goldens.ts';
import { loadProbes } from '../probes/probes.ts';
import { runOnInterpreter, runOnVboard } from '../probes/run.ts';

const goldens = readGoldens();
const probes = loadProbes();
const ESPRUINO = espruinoPath();
const RERECORD = 'npm run probes -- --record (with SIPSTER_ESPRUINO set)';

describe('differential probes on the virtual board', () => {
  it('every probe has a golden; every golden and known difference has a probe', () => {
    const names = probes.map((p) => p.name).sort();
    expect(Object.keys(goldens.outputs).sort(), `goldens out of date: ${RERECORD}`).toEqual(names);
    for (const name of Object.keys(goldens.knownDifferences)) expect(names).toContain(name);
  });

  it('each known difference still is one (an entry the board now agrees with must go)', () => {
    for (const [name, d] of Object.entries(goldens.knownDifferences)) {
      expect(d.vboard, name).not.toEqual(goldens.outputs[name]);
    }
  });

  for (const p of probes) {
    const known = goldens.knownDifferences[p.name] !== undefined;
    it(`${p.name}: prints ${known ? 'its recorded known difference' : "the interpreter's golden"}`, async () => {
      expect(await runOnVboard(p)).toEqual(vboardExpected(goldens, p.name));
    });
  }
});

describe.runIf(ESPRUINO)("differential probes on Espruino's interpreter: the goldens are current", () => {
  it('is the version the goldens were recorded with', () => {
    expect(checkInterpreter(ESPRUINO!)).toBe(goldens.espruino);
  });

  for (const p of probes) {
    it(`${p.name}: prints its golden`, async () => {
      expect(await runOnInterpreter(ESPRUINO!, p), `stale golden: ${RERECORD}`).toEqual(goldens.outputs[p.name]);
    });
  }
});
