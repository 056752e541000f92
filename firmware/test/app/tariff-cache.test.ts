// The tariff's signature is verified at the first boot; later boots with the very same firmware
// and provisioning bytes skip that variable-base verification (meter.ts tariffVerified), and any
// other bytes are verified again.
import { describe, expect, it } from 'vitest';
import { meterKeyFromSeed } from '../../../host/protocol/signature.ts';
import { signTariff } from '../../../host/protocol/tariff.ts';
import type { MeterRecord, TimingRecord } from '../../../host/records/decode.ts';
import { PROVISIONING_FILE } from '../../src/provision.ts';
import { provisionedBoard, provisioning, records, SUITE } from './fixture.ts';

const bootTimings = (rs: MeterRecord[]): TimingRecord[] => rs.filter((r): r is TimingRecord => r.kind === 'timing' && r.op === 'boot');

describe('the tariff signature at boot', () => {
  it('is verified once for the same bytes; a tariff signed by another key is verified again and fails closed', async () => {
    const { board, code } = await provisionedBoard();
    for (let k = 0; k < 3; k++) { board.boot(code); board.settle(); }
    const [first, second, third] = bootTimings(records(board.output));
    // The verification is the boots' only inversion mod n besides the KAT's, and one decompression.
    expect(first!.counts).toMatchObject({ invN: 2, sqrt: 3 });
    expect(second!.counts).toMatchObject({ invN: 1, sqrt: 2 });
    expect(third!.counts).toEqual(second!.counts);

    const other = signTariff(SUITE, { version: 7, bands: [{ startMinute: 0, microUnitsPerWh: 1_000_000 }] }, meterKeyFromSeed(new Uint8Array(32).fill(9)), new Uint8Array(32));
    board.flash.set(PROVISIONING_FILE, Buffer.from(provisioning({ tariff: other })).toString('latin1'));
    board.boot(code);
    board.settle();
    const rs = records(board.output);
    expect(rs.filter((r) => r.kind === 'boot').at(-1)).toMatchObject({ status: 'fault' });
    expect(rs.at(-1)).toMatchObject({ kind: 'fault', reason: 'provisioning' });
  });
});
