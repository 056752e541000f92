// The Node harness's board context against Espruino where the firmware could tell the difference
// (the probes in host/vboard/probes hold the runtime's own answers).
import { expect, it } from 'vitest';
import { VirtualBoard } from './harness.ts';

it("a typed array's slice() in the firmware's context is a plain Array, as on Espruino (probe typed-slice)", () => {
  const board = new VirtualBoard();
  board.boot('var s = new Uint8Array([1, 2, 3, 4]).slice(1, 3); print(JSON.stringify([Array.isArray(s), s instanceof Uint8Array, s]));');
  expect(board.errors).toEqual([]);
  expect(board.output).toBe('[true,false,[2,3]]\n');
  expect(Array.isArray(new Uint8Array([1]).slice(0))).toBe(false); // Node's own realm keeps ES slice
});
