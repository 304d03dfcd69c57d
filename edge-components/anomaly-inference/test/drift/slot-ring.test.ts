/** The ring of per-interval counts behind the drift window: bounded, reused, summed by range. */
import { SlotRing } from '../../src/drift/slot-ring';

function count(ring: SlotRing, slot: number, index: number, times = 1): void {
  const row = ring.rowOf(slot);
  ring.counts[row + index] = (ring.counts[row + index] ?? 0) + times;
}

function sum(ring: SlotRing, from: number, to: number): number[] {
  const into = new Float64Array(ring.width);
  ring.sum(from, to, into);
  return [...into];
}

it('sums the rows of the slots in a range, and only those', () => {
  const ring = new SlotRing(2, 3);
  count(ring, 10, 0, 1);
  count(ring, 11, 1, 2);
  count(ring, 12, 0, 4);
  expect(sum(ring, 10, 13)).toEqual([5, 2]);
  expect(sum(ring, 11, 12)).toEqual([0, 2]);
  expect(ring.newest).toBe(12);
});

it('empties a row before a newer slot takes it over', () => {
  const ring = new SlotRing(1, 2);
  count(ring, 0, 0, 7);
  count(ring, 2, 0, 1); // slot 2 takes the row of slot 0
  expect(sum(ring, 0, 3)).toEqual([1]);
});

it('starts over when the clock was set back by more than it keeps', () => {
  const ring = new SlotRing(1, 2);
  count(ring, 5, 0, 3);
  count(ring, 4, 0, 1); // within what it keeps: counted beside slot 5
  expect(sum(ring, 4, 6)).toEqual([4]);
  count(ring, 3, 0, 2); // slot 5's counts are from "the future" now
  expect(ring.newest).toBe(3);
  expect(sum(ring, 0, 10)).toEqual([2]);
});
