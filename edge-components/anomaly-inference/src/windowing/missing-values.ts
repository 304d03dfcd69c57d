import type { MissingValuePolicy } from '../bundle/manifest';

/**
 * Fills the missing (NaN) samples of one channel of a window in place, as the manifest's
 * missing-values policy says:
 * - `forward-fill`: a missing sample takes the last value before it (`before` = the last finite
 *   sample preceding the window, NaN when there is none);
 * - `linear`: a run of missing samples is interpolated between its neighbours; at the window's
 *   end (no right neighbour) it is forward-filled, at its start without `before` back-filled;
 * - `reject`: nothing is filled.
 *
 * A run longer than `maxGapSamples`, or one with no neighbour to fill from, cannot be filled.
 *
 * @returns the number of samples filled, or -1 when the window cannot be filled.
 */
export function fillMissing(
  values: Float32Array,
  before: number,
  policy: MissingValuePolicy,
  maxGapSamples: number,
): number {
  let filled = 0;
  let i = 0;
  while (i < values.length) {
    if (!Number.isNaN(values[i])) {
      i += 1;
      continue;
    }
    let end = i;
    while (end < values.length && Number.isNaN(values[end])) end += 1;
    const run = end - i;
    if (policy === 'reject' || run > maxGapSamples) return -1;
    const left = i > 0 ? (values[i - 1] ?? Number.NaN) : before;
    const right = end < values.length ? (values[end] ?? Number.NaN) : Number.NaN;
    for (let k = i; k < end; k++) {
      let value: number;
      if (policy === 'linear' && !Number.isNaN(left) && !Number.isNaN(right)) {
        value = left + ((right - left) * (k - i + 1)) / (run + 1);
      } else if (!Number.isNaN(left)) {
        value = left;
      } else if (policy === 'linear') {
        value = right;
      } else {
        value = Number.NaN;
      }
      if (Number.isNaN(value)) return -1;
      values[k] = value;
    }
    filled += run;
    i = end;
  }
  return filled;
}
