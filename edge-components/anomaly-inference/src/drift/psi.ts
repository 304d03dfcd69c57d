/**
 * The drift statistic of the bundle contract (`baseline` of `manifest.json`, see
 * `pipelines/model-bundle/README.md`): values are binned by a baseline's edges, and the Population
 * Stability Index compares the observed share per bin with the baseline's. Both rules are the
 * pipeline's (`uns_anomaly/baseline.py`) to the letter, so the edge and the training side agree.
 */

/** Proportions are floored at this value before the formula, so an empty bin stays finite. */
export const PSI_FLOOR = 1e-4;

/**
 * The bin of `value`: the number of `edges` strictly below it. Bin 0 is `(-inf, e1]`, bin i is
 * `(e_i, e_{i+1}]`, the last `(e_{k-1}, +inf)`.
 *
 * @param edges strictly increasing.
 */
export function binOf(value: number, edges: ArrayLike<number>): number {
  let low = 0;
  let high = edges.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((edges[middle] ?? Number.NaN) < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Population Stability Index of `observed` proportions against `expected` (baseline) ones:
 * `sum_i (q_i - p_i) * ln(q_i / p_i)`, both floored at {@link PSI_FLOOR} first. Below 0.1 reads as
 * stable, 0.1-0.25 as a moderate shift, above 0.25 as a significant one.
 *
 * @throws Error when the two have different numbers of bins.
 */
export function psi(expected: ArrayLike<number>, observed: ArrayLike<number>): number {
  if (expected.length !== observed.length) {
    throw new Error(`${expected.length} baseline proportions against ${observed.length} observed`);
  }
  let sum = 0;
  for (let i = 0; i < expected.length; i++) {
    const p = Math.max(expected[i] ?? 0, PSI_FLOOR);
    const q = Math.max(observed[i] ?? 0, PSI_FLOOR);
    sum += (q - p) * Math.log(q / p);
  }
  return sum;
}
