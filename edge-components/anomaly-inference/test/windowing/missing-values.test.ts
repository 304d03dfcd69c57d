import { fillMissing } from '../../src/windowing/missing-values';

const values = (...v: number[]) => Float32Array.from(v);

it('forward-fills a run from the value before it, also across the window start', () => {
  const w = values(Number.NaN, 2, Number.NaN, Number.NaN, 5);
  expect(fillMissing(w, 1, 'forward-fill', 2)).toBe(3);
  expect([...w]).toEqual([1, 2, 2, 2, 5]);
});

it('interpolates a run linearly between its neighbours and forward-fills at the end', () => {
  const w = values(0, Number.NaN, Number.NaN, 3, Number.NaN);
  expect(fillMissing(w, Number.NaN, 'linear', 2)).toBe(3);
  expect([...w]).toEqual([0, 1, 2, 3, 3]);
});

it('back-fills a leading run under linear when nothing precedes the window', () => {
  const w = values(Number.NaN, 4, 5);
  expect(fillMissing(w, Number.NaN, 'linear', 1)).toBe(1);
  expect([...w]).toEqual([4, 4, 5]);
});

it('refuses a run longer than maxGapSamples, any missing value under reject, and a run with nothing to fill from', () => {
  expect(fillMissing(values(1, Number.NaN, Number.NaN, 4), 0, 'forward-fill', 1)).toBe(-1);
  expect(fillMissing(values(1, Number.NaN, 4), 0, 'reject', 5)).toBe(-1);
  expect(fillMissing(values(Number.NaN, 4), Number.NaN, 'forward-fill', 5)).toBe(-1);
});

it('leaves a complete window alone', () => {
  const w = values(1, 2, 3);
  expect(fillMissing(w, 0, 'reject', 0)).toBe(0);
  expect([...w]).toEqual([1, 2, 3]);
});
