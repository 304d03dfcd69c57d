/**
 * The bin rule and the PSI of the bundle contract, pinned to the values the pipeline's
 * `uns_anomaly/baseline.py` gives for the same inputs (numpy; computed once, quoted here).
 */
import { binOf, psi, PSI_FLOOR } from '../../src/drift/psi';
import { baselineHistogram } from '../support/baseline-histogram';

describe('binOf', () => {
  const edges = [0, 148.2, 161.7];

  it.each([
    [-5, 0],
    [0, 0],
    [0.001, 1],
    [148.2, 1],
    [150, 2],
    [161.7, 2],
    [161.8, 3],
  ])('puts %p in bin %p: the number of edges strictly below it', (value, bin) => {
    expect(binOf(value, edges)).toBe(bin);
  });

  it('has two bins for one edge', () => {
    expect([binOf(-1, [0]), binOf(0, [0]), binOf(1e-9, [0])]).toEqual([0, 0, 1]);
  });

  it('agrees with a linear count on every edge and between them', () => {
    const many = Array.from({ length: 19 }, (_, i) => i * 1.5 - 4);
    for (let v = -6; v <= 26; v += 0.25) {
      expect(binOf(v, many)).toBe(many.filter((e) => e < v).length);
    }
  });
});

describe('psi', () => {
  it('is 0 for the baseline itself', () => {
    expect(psi([0.31, 0.2, 0.25, 0.24], [0.31, 0.2, 0.25, 0.24])).toBe(0);
  });

  it.each([
    [[0.5, 0.5], [0.9, 0.1], 0.8788898309344878],
    [[0.31, 0.2, 0.25, 0.24], [0.1, 0.2, 0.3, 0.4], 0.32844262105538735],
  ])('of %p observed as %p is the pipeline value %p', (expected, observed, value) => {
    expect(psi(expected, observed)).toBeCloseTo(value, 12);
  });

  it(`floors empty bins at ${PSI_FLOOR}, so a total move stays finite (the pipeline's 18.4189)`, () => {
    expect(psi([1, 0], [0, 1])).toBeCloseTo(18.41883867587797, 10);
  });

  it('refuses proportions of another number of bins', () => {
    expect(() => psi([0.5, 0.5], [1])).toThrow(/2 baseline proportions against 1 observed/);
  });
});

describe('the test baseline histogram (the pipeline method)', () => {
  it('collapses tied deciles into one edge, as the pipeline does', () => {
    // numpy: edges [0, 1, 2, 3, 4, 5], proportions [0.4, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1].
    expect(baselineHistogram([0, 0, 0, 0, 1, 2, 3, 4, 5, 6])).toEqual({
      edges: [0, 1, 2, 3, 4, 5],
      proportions: [0.4, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1],
      samples: 10,
      source: 'training',
    });
  });
});
