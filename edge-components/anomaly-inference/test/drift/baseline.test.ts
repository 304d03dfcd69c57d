/**
 * The rules of a bundle's drift baseline that its JSON Schema cannot state, and the baseline each
 * asset is judged against.
 */
import {
  type AssetBaseline,
  type AssetSeries,
  baselineProblems,
  type DriftBaseline,
  MAX_ASSET_BASELINES,
  selectBaseline,
} from '../../src/drift/baseline';

const histogram = (edges: number[], proportions: number[]) => ({
  edges,
  proportions,
  samples: 1000,
  source: 'training',
});
const valid: DriftBaseline = {
  method: 'histogram',
  channels: [
    { name: 'arc_current', ...histogram([0, 148.2, 161.7], [0.31, 0.2, 0.25, 0.24]) },
    { name: 'gas_flow', ...histogram([0], [0.3, 0.7]) },
  ],
  score: { ...histogram([0.01, 0.02, 0.05], [0.1, 0.3, 0.3, 0.3]), source: 'validation' },
};

it('accepts a baseline that keeps the rules', () => {
  expect(baselineProblems(valid, ['arc_current', 'gas_flow'])).toEqual([]);
});

it('wants the model channels, in their order', () => {
  expect(baselineProblems(valid, ['gas_flow', 'arc_current'])).toEqual([
    "baseline channels [arc_current, gas_flow] are not the model's channels [gas_flow, arc_current]",
  ]);
});

it.each([
  ['edges that repeat', histogram([1, 1], [0.2, 0.3, 0.5]), /edges are not/],
  ['edges that fall', histogram([2, 1], [0.2, 0.3, 0.5]), /edges are not/],
  ['no edge', histogram([], [1]), /edges are not/],
  ['a non-finite edge', histogram([0, Infinity], [0.2, 0.3, 0.5]), /edges are not/],
  ['as many proportions as edges', histogram([0, 1], [0.5, 0.5]), /2 proportions for 2 edges/],
  [
    'more than 20 bins',
    histogram(
      Array.from({ length: 20 }, (_, i) => i),
      Array.from({ length: 21 }, () => 1 / 21),
    ),
    /21 proportions for 20 edges/,
  ],
  ['proportions not summing to 1', histogram([0], [0.5, 0.49]), /sum 0.99/],
  ['a negative proportion', histogram([0], [-0.5, 1.5]), /not shares >= 0/],
])('names %s in the score histogram', (_, score, problem) => {
  const problems = baselineProblems({ ...valid, score: { ...score, source: 'validation' } }, [
    'arc_current',
    'gas_flow',
  ]);
  expect(problems).toEqual([expect.stringMatching(problem)]);
  expect(problems[0]).toMatch(/^baseline score: /);
});

describe('per-asset entries', () => {
  const cell10 = { enterprise: 'acme', site: 'zwickau', cell: 'cell-010', asset: 'welder-1' };
  const entry = (series: AssetSeries, shift = 0, score = true): AssetBaseline => ({
    series,
    channels: valid.channels.map((c) => ({ ...c, edges: c.edges.map((e) => e + shift) })),
    ...(score ? { score: { ...valid.score, edges: [0.5, 1], proportions: [0.2, 0.3, 0.5] } } : {}),
  });
  const withAssets = (...assets: AssetBaseline[]): DriftBaseline => ({ ...valid, assets });
  const problemsOf = (baseline: DriftBaseline) =>
    baselineProblems(baseline, ['arc_current', 'gas_flow']);

  it('accepts entries that keep the rules, with or without a score', () => {
    expect(problemsOf(withAssets(entry(cell10), entry({ cell: 'cell-020' }, 5, false)))).toEqual(
      [],
    );
  });

  it.each([
    [
      'channels other than the model’s',
      { ...entry(cell10), channels: valid.channels.slice(0, 1) },
      /^baseline assets\[1\] \(enterprise=acme, site=zwickau, cell=cell-010, asset=welder-1\) channels \[arc_current\] are not the model's channels \[arc_current, gas_flow\]$/,
    ],
    [
      'a channel whose edges fall',
      {
        ...entry(cell10),
        channels: valid.channels.map((c) =>
          c.name === 'gas_flow' ? { ...c, edges: [2, 1], proportions: [0.2, 0.3, 0.5] } : c,
        ),
      },
      /^baseline assets\[1\] \(.*\) channel gas_flow: edges are not one or more strictly increasing numbers$/,
    ],
    [
      'a score not summing to 1',
      { ...entry(cell10), score: { ...valid.score, proportions: [0.1, 0.3, 0.3, 0.2] } },
      /^baseline assets\[1\] \(.*\) score: proportions are not shares >= 0 summing to 1/,
    ],
    [
      'a series naming no level',
      { ...entry(cell10), series: {} },
      /^baseline assets\[1\] \(\): series must name one or more of enterprise, site, area, line, cell, asset/,
    ],
    [
      'a series naming something other than a level',
      { ...entry(cell10), series: { cell: 'cell-010', robot: 'r1' } as AssetSeries },
      /^baseline assets\[1\] \(cell=cell-010, robot=r1\): series must name .* \(unknown: robot\)$/,
    ],
    [
      'the series of another entry',
      entry({ cell: 'cell-020' }, 3),
      /^baseline assets\[1\] \(cell=cell-020\): repeats the series of baseline assets\[0\]$/,
    ],
  ])('names an entry with %s', (_, bad, problem) => {
    expect(problemsOf(withAssets(entry({ cell: 'cell-020' }), bad))).toEqual([
      expect.stringMatching(problem),
    ]);
  });

  it(`wants at most ${MAX_ASSET_BASELINES} entries`, () => {
    const many = Array.from({ length: MAX_ASSET_BASELINES + 1 }, (_, i) =>
      entry({ cell: `cell-${i}` }),
    );
    expect(problemsOf(withAssets(...many))).toEqual([
      `baseline assets: ${MAX_ASSET_BASELINES + 1} entries (at most ${MAX_ASSET_BASELINES})`,
    ]);
  });

  describe('selecting the baseline of an asset', () => {
    const path = 'acme/zwickau/body-shop/body-weld-1/cell-010/welder-1';
    const line = entry({ line: 'body-weld-1' }, 1);
    const cell = entry({ line: 'body-weld-1', cell: 'cell-010' }, 2, false);
    const welder = entry(cell10, 3);

    it('takes the entry every level of whose series equals the asset path’s', () => {
      expect(selectBaseline(withAssets(welder), path)).toEqual({
        entry: welder,
        channels: welder.channels,
        score: welder.score,
      });
    });

    it('takes the entry with the most levels when several match, whatever their order', () => {
      for (const assets of [
        [line, welder, cell],
        [welder, cell, line],
      ]) {
        expect(selectBaseline(withAssets(...assets), path).entry).toBe(welder);
      }
      expect(selectBaseline(withAssets(line, cell), path).entry).toBe(cell);
    });

    it('takes the pooled histograms when no entry matches every level of its series', () => {
      const otherSite = entry({ ...cell10, site: 'leipzig' });
      const otherCell = entry({ line: 'body-weld-1', cell: 'cell-020' });
      expect(selectBaseline(withAssets(otherSite, otherCell), path)).toEqual({
        entry: undefined,
        channels: valid.channels,
        score: valid.score,
      });
      expect(selectBaseline(valid, path).entry).toBeUndefined();
    });

    it('takes the pooled score for an entry without one', () => {
      expect(selectBaseline(withAssets(line, cell), path)).toEqual({
        entry: cell,
        channels: cell.channels,
        score: valid.score,
      });
    });
  });
});
