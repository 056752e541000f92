import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { p256_hasher } from '@noble/curves/nist.js';
import { toHex, utf8 } from '../../protocol/bytes.ts';
import { getSuite, SUITE_IDS } from '../../protocol/suite.ts';
import { drbg } from '../../meter/drbg.ts';
import { ReferenceMeter } from '../../meter/reference-meter.ts';
import { buildVectors, vectorPath, VECTOR_EPOCH_LENGTH, VECTOR_PERIODS } from '../build.ts';
import { RFC9380_BLS12381G1, RFC9380_P256 } from '../rfc9380.ts';

describe('RFC 9380 hash_to_curve vectors', () => {
  it.each(RFC9380_P256.vectors)('P256_XMD:SHA-256_SSWU_RO_ "$msg"', (v) => {
    const P = p256_hasher.hashToCurve(utf8(v.msg), { DST: RFC9380_P256.dst }).toAffine();
    expect(P.x.toString(16).padStart(64, '0')).toBe(v.x);
    expect(P.y.toString(16).padStart(64, '0')).toBe(v.y);
  });
  it.each(RFC9380_BLS12381G1.vectors)('BLS12381G1_XMD:SHA-256_SSWU_RO_ "$msg"', (v) => {
    const P = bls12_381.G1.hashToCurve(utf8(v.msg), { DST: RFC9380_BLS12381G1.dst }).toAffine();
    expect(P.x.toString(16).padStart(96, '0')).toBe(v.x);
    expect(P.y.toString(16).padStart(96, '0')).toBe(v.y);
  });
  it('the suites’ hashToGroup is that RFC 9380 map', () => {
    const v = RFC9380_P256.vectors[1]!;
    expect(getSuite('P256-SHA256').hashToGroup(utf8(v.msg), RFC9380_P256.dst).toAffine().x.toString(16).padStart(64, '0')).toBe(v.x);
    const w = RFC9380_BLS12381G1.vectors[1]!;
    expect(getSuite('BLS12381-SHA256').hashToGroup(utf8(w.msg), RFC9380_BLS12381G1.dst).toAffine().x.toString(16).padStart(96, '0')).toBe(w.x);
  });
});

describe.each(SUITE_IDS)('%s vector file', (id) => {
  const suite = getSuite(id);
  const committed = JSON.parse(readFileSync(vectorPath(id), 'utf8'));

  it('is exactly what the generator produces (run `npm run vectors` after an intended change)', () => {
    expect(JSON.parse(JSON.stringify(buildVectors(suite)))).toEqual(committed);
  });

  it('the reference meter, seeded the same, emits the vector tokens and bills byte for byte', () => {
    const meter = new ReferenceMeter(
      { suite, meterId: committed.meter.meterId, epochLength: VECTOR_EPOCH_LENGTH, tariffVersion: 1 },
      drbg(committed.meter.drbgSeed),
    );
    expect(toHex(meter.vkM)).toBe(committed.meter.vkM);
    VECTOR_PERIODS.forEach(({ periodLabel, n }, c) => {
      const v = committed.periods[c];
      meter.startPeriod(periodLabel);
      for (let i = 0; i < n; i++) expect(toHex(meter.tokenGen().rho)).toBe(v.tokens[i].rho);
      const bill = meter.billGen();
      expect(toHex(bill.billMessage)).toBe(v.billMessage);
      expect(toHex(bill.beta)).toBe(v.billSignature);
      expect(toHex(bill.disputeMessage)).toBe(v.disputeMessage);
      expect(toHex(bill.disputeSig)).toBe(v.disputeSignature);
    });
  });

  it('C = a_e·R for every period (the UC’s settlement equation)', () => {
    for (const v of committed.periods) {
      const a = BigInt('0x' + committed.uc.epochs[v.e].a);
      const R = suite.decodePoint(Buffer.from(v.R, 'hex'));
      expect(toHex(suite.encodePoint(suite.mul(R, a)))).toBe(v.C);
    }
  });
});
