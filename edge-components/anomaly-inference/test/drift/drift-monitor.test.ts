/**
 * The drift monitor: what it counts (each grid sample of an asset's windows once, scores), over
 * which window (the rolling time window before the evaluated boundary), and what it judges (the PSI
 * of each channel and of the score against the baseline, only with enough samples).
 */
import type { DriftBaseline } from '../../src/drift/baseline';
import { DriftMonitor, type DriftSettings } from '../../src/drift/drift-monitor';
import { binOf, psi } from '../../src/drift/psi';
import { baselineHistogram, driftBaseline } from '../support/baseline-histogram';

const LENGTH = 8;
const STRIDE = 4;
const MINUTE = 60_000;
const SETTINGS: DriftSettings = {
  windowMs: 2 * MINUTE,
  intervalMs: MINUTE,
  threshold: 0.25,
  minSamples: 100,
};
/** Seeded uniform numbers in (0, 1) (mulberry32). */
const uniform = (() => {
  let state = 7;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
})();
const gaussian = (mean: number, sd: number) =>
  mean + sd * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
/** Channel a ~ N(0, 1), channel b ~ N(10, 2), scores ~ Exp(mean 1). */
const draw = {
  a: (shift = 0) => gaussian(shift, 1),
  b: () => gaussian(10, 2),
  score: () => -Math.log(uniform()),
};
const sample = (n: number, f: () => number) => Array.from({ length: n }, f);
const BASELINE: DriftBaseline = {
  method: 'histogram',
  channels: [
    { name: 'a', ...baselineHistogram(sample(50_000, () => draw.a())) },
    { name: 'b', ...baselineHistogram(sample(50_000, draw.b)) },
  ],
  score: baselineHistogram(sample(50_000, draw.score), 'validation'),
};

function monitor(settings: Partial<DriftSettings> = {}): DriftMonitor {
  return new DriftMonitor(
    {
      modelName: 'm',
      modelVersion: 'v1',
      baseline: BASELINE,
      geometry: { length: LENGTH, stride: STRIDE },
    },
    { ...SETTINGS, ...settings },
  );
}

/**
 * A raw window: channel a then channel b, `LENGTH` samples each; only the first `STRIDE` of each
 * are counted, so the others are left 0 (drawing them would only slow the tests).
 */
function window(a: (t: number) => number, b: (t: number) => number = () => draw.b()) {
  const raw = new Float32Array(2 * LENGTH);
  for (let t = 0; t < STRIDE; t++) {
    raw[t] = a(t);
    raw[LENGTH + t] = b(t);
  }
  return raw;
}

/** `windows` windows of fresh draws (channel a shifted by `shift` standard deviations). */
function observe(m: DriftMonitor, asset: string, windows: number, atMs: number, shift = 0): void {
  for (let w = 0; w < windows; w++) {
    m.observeWindow(
      asset,
      window(() => draw.a(shift)),
      atMs,
    );
    m.observeScore(asset, draw.score(), atMs);
  }
}

it('counts the first stride samples of each window (each grid sample of contiguous windows once)', () => {
  const m = monitor({ minSamples: 1 });
  // Window w holds grid samples w*4 ... w*4+7 with value = grid index; 10 windows cover 0 ... 43.
  for (let w = 0; w < 10; w++) {
    m.observeWindow(
      'x',
      window(
        (t) => w * STRIDE + t,
        () => 10,
      ),
      1000,
    );
  }
  const [result] = m.evaluate(MINUTE).results;
  expect(result?.channels.map((c) => c.samples)).toEqual([40, 40]);
  // The values counted are the grid indexes 0 ... 39 (from 2 on above every N(0, 1) decile).
  const edges = BASELINE.channels[0]?.edges ?? [];
  const observed = new Array<number>(edges.length + 1).fill(0);
  for (let v = 0; v < 40; v++) {
    const bin = binOf(v, edges);
    observed[bin] = (observed[bin] ?? 0) + 1 / 40;
  }
  expect(result?.channels[0]?.value).toBeCloseTo(
    psi(BASELINE.channels[0]?.proportions ?? [], observed),
    12,
  );
});

it('judges the window before the evaluated boundary; later observations wait for the next', () => {
  const m = monitor();
  observe(m, 'x', 100, MINUTE - 1);
  observe(m, 'x', 100, MINUTE);
  const first = m.evaluate(MINUTE).results[0];
  expect(first).toMatchObject({ windowStartMs: -MINUTE, windowEndMs: MINUTE });
  expect(first?.channels[0]?.samples).toBe(100 * STRIDE);
  expect(first?.score?.samples).toBe(100);
  const second = m.evaluate(2 * MINUTE).results[0];
  expect(second).toMatchObject({ windowStartMs: 0, windowEndMs: 2 * MINUTE });
  expect(second?.channels[0]?.samples).toBe(200 * STRIDE);
  // Two minutes later, the first minute has left the window.
  expect(m.evaluate(3 * MINUTE).results[0]?.channels[0]?.samples).toBe(100 * STRIDE);
});

it('flags a shift of one standard deviation in every window; unshifted, none of 500 windows', () => {
  // 500 evaluations of 1,000 samples per channel and 250 scores each, unshifted: measured false
  // alarm rate 0 / 500 (channel PSI at most 0.030, score PSI at most 0.113: it has a quarter of
  // the samples; threshold 0.25). Shifted by one standard deviation, channel a is flagged in
  // 100 / 100 (PSI 0.80-1.15), channel b and the score never. (Half a standard deviation gives
  // PSI 0.16-0.36 in windows of 1,000 samples: the threshold's edge.)
  const m = monitor({ windowMs: MINUTE, minSamples: 250 });
  let falseAlarms = 0;
  let largestChannel = 0;
  let detected = 0;
  for (let i = 0; i < 600; i++) {
    const shift = i < 500 ? 0 : 1;
    observe(m, 'x', 250, i * MINUTE, shift);
    const [result] = m.evaluate((i + 1) * MINUTE).results;
    if (result === undefined) throw new Error(`evaluation ${i} judged nothing`);
    if (shift === 0) {
      if (result.drifted) falseAlarms += 1;
      largestChannel = Math.max(largestChannel, ...result.channels.map((c) => c.value));
    } else {
      expect(result.channels.map((c) => c.drifted)).toEqual([true, false]);
      expect(result.score?.drifted).toBe(false);
      if (result.drifted) detected += 1;
    }
  }
  expect(falseAlarms).toBe(0);
  expect(largestChannel).toBeLessThan(0.1);
  expect(detected).toBe(100);
});

it('flags scores that moved, but calls the asset drifted only when an input channel drifted', () => {
  const m = monitor();
  for (let w = 0; w < 200; w++) {
    m.observeWindow(
      'x',
      window(() => draw.a()),
      0,
    );
    m.observeScore('x', draw.score() + 1, 0);
  }
  const [result] = m.evaluate(MINUTE).results;
  expect(result?.channels.some((c) => c.drifted)).toBe(false);
  expect(result?.score).toMatchObject({ samples: 200, drifted: true });
  expect(result?.drifted).toBe(false);
});

it('leaves an asset with fewer than minSamples samples per channel unjudged, as insufficient', () => {
  const m = monitor();
  observe(m, 'few', 24, 0); // 96 samples per channel
  observe(m, 'enough', 25, 0); // 100
  expect(m.evaluate(MINUTE)).toEqual({
    results: [expect.objectContaining({ asset: 'enough' })],
    insufficient: ['few'],
  });
});

it('judges the channels without the score while the window holds fewer than minSamples scores', () => {
  const m = monitor();
  for (let w = 0; w < 30; w++) {
    m.observeWindow(
      'x',
      window(() => draw.a()),
      0,
    );
  }
  m.observeScore('x', 1, 0);
  const [result] = m.evaluate(MINUTE).results;
  expect(result?.channels.map((c) => c.samples)).toEqual([120, 120]);
  expect(result).not.toHaveProperty('score');
});

it('keeps assets apart and forgets one with no observation in the window', () => {
  const m = monitor({ minSamples: 1 });
  observe(m, 'quiet', 10, 0);
  observe(m, 'busy', 10, 0);
  observe(m, 'busy', 10, 2 * MINUTE);
  expect(m.evaluate(2 * MINUTE).results.map((r) => r.asset)).toEqual(['quiet', 'busy']);
  // At 3 minutes the window is [1, 3) minutes: nothing of 'quiet' is left in it.
  const later = m.evaluate(3 * MINUTE);
  expect(later.results.map((r) => [r.asset, r.channels[0]?.samples])).toEqual([
    ['busy', 10 * STRIDE],
  ]);
  observe(m, 'quiet', 1, 3 * MINUTE);
  expect(
    m.evaluate(4 * MINUTE).results.find((r) => r.asset === 'quiet')?.channels[0]?.samples,
  ).toBe(STRIDE);
});

it('counts neither non-finite values nor observations from before the window', () => {
  const m = monitor({ minSamples: 1 });
  m.observeWindow(
    'x',
    window(
      (t) => (t % 2 === 0 ? Number.NaN : 0),
      () => Infinity,
    ),
    5 * MINUTE,
  );
  m.observeScore('x', Number.NaN, 5 * MINUTE);
  m.observeScore('x', 0.5, 5 * MINUTE);
  observe(m, 'x', 10, 3 * MINUTE); // late: counted in its own minute, before the window judged
  const [result] = m.evaluate(6 * MINUTE).results;
  expect(result).toBeUndefined(); // channel b had no finite value
  expect(m.evaluate(6 * MINUTE).insufficient).toEqual(['x']);
  m.observeWindow(
    'x',
    window(
      () => 0,
      () => 10,
    ),
    5 * MINUTE,
  );
  expect(m.evaluate(6 * MINUTE).results[0]).toMatchObject({
    channels: [{ samples: 2 + STRIDE }, { samples: STRIDE }],
    score: { samples: 1 },
  });
});

it('wants a window that is a whole multiple of the interval', () => {
  expect(() => monitor({ windowMs: 90_000 })).toThrow(/whole multiple of the interval/);
});

describe('per-asset baselines', () => {
  // Two cells with their own set points on channel a (N(0, 1) and N(4, 1)); cell 20's channel b is
  // 0 half of the time (between seams), so its entry has fewer bins; it has too few validation
  // scores for a score of its own. Cell 30 has no entry.
  const cellPath = (cell: string) => `acme/zwickau/body-shop/body-weld-1/${cell}/welder-1`;
  const cells = {
    'cell-010': { a: () => draw.a(), b: draw.b, scores: 500 },
    'cell-020': {
      a: () => draw.a(4),
      b: () => (uniform() < 0.5 ? 0 : draw.b()),
      scores: 40,
    },
  };
  const fromEither = () => draw.a(uniform() < 0.5 ? 0 : 4);
  /** Cell 30 draws from the pooled distribution of both cells. */
  const cell30 = { a: fromEither, b: () => (uniform() < 0.25 ? 0 : draw.b()) };
  const perAsset = driftBaseline(
    ['a', 'b'],
    Object.entries(cells).map(([cell, d]) => ({
      series: { site: 'zwickau', cell },
      channels: [sample(5000, d.a), sample(5000, d.b)],
      scores: sample(d.scores, draw.score),
    })),
  );
  const pooledOnly: DriftBaseline = { ...perAsset, assets: undefined };
  const monitorOf = (baseline: DriftBaseline) =>
    new DriftMonitor(
      {
        modelName: 'm',
        modelVersion: 'v1',
        baseline,
        geometry: { length: LENGTH, stride: STRIDE },
      },
      { ...SETTINGS, windowMs: MINUTE, minSamples: 250 },
    );

  it('builds an entry per cell as the pipeline does, with de-duplicated deciles', () => {
    expect(
      perAsset.assets?.map((e) => [e.series.cell, e.channels.map((c) => c.edges.length)]),
    ).toEqual([
      ['cell-010', [9, 9]],
      ['cell-020', [9, 5]],
    ]);
    expect(perAsset.assets?.map((e) => e.score !== undefined)).toEqual([true, false]);
  });

  it('judges each cell against its own entry: no false alarm where the pooled baseline flags every one', () => {
    // Measured: 0 of 50 evaluations flagged per cell against their own entries (largest channel
    // PSI 0.03), nor cell 30 against the pooled histograms; against the pooled histograms alone,
    // cells 10 and 20 in every evaluation (channel a PSI 2.7-3.3).
    const own = monitorOf(perAsset);
    const pooled = monitorOf(pooledOnly);
    const flagged = { own: new Map<string, number>(), pooled: new Map<string, number>() };
    let largest = 0;
    for (let i = 0; i < 50; i++) {
      for (const [cell, d] of [...Object.entries(cells), ['cell-030', cell30] as const]) {
        for (let w = 0; w < 250; w++) {
          const raw = window(d.a, d.b);
          const score = draw.score();
          for (const m of [own, pooled]) {
            m.observeWindow(cellPath(cell), raw, i * MINUTE);
            m.observeScore(cellPath(cell), score, i * MINUTE);
          }
        }
      }
      for (const [key, m] of [
        ['own', own],
        ['pooled', pooled],
      ] as const) {
        const { results } = m.evaluate((i + 1) * MINUTE);
        expect(results).toHaveLength(3);
        for (const r of results) {
          if (r.drifted) flagged[key].set(r.asset, (flagged[key].get(r.asset) ?? 0) + 1);
          if (key === 'own' && !r.asset.includes('cell-030')) {
            largest = Math.max(largest, ...r.channels.map((c) => c.value));
          }
        }
      }
    }
    expect(Object.fromEntries(flagged.own)).toEqual({});
    expect(largest).toBeLessThan(0.1);
    expect(Object.fromEntries(flagged.pooled)).toEqual({
      [cellPath('cell-010')]: 50,
      [cellPath('cell-020')]: 50,
    });
  });

  it('says which baseline each asset was judged against; an asset no entry matches takes the pooled one', () => {
    const m = monitorOf(perAsset);
    const pooled = monitorOf(pooledOnly);
    for (let w = 0; w < 250; w++) {
      for (const cell of ['cell-020', 'cell-030']) {
        const raw = window(fromEither);
        const score = draw.score();
        for (const monitor of [m, pooled]) {
          monitor.observeWindow(cellPath(cell), raw, 0);
          monitor.observeScore(cellPath(cell), score, 0);
        }
      }
    }
    const [cell20, cell30] = m.evaluate(MINUTE).results;
    expect(cell20?.baseline).toEqual({
      channels: 'asset',
      score: 'pooled',
      series: { site: 'zwickau', cell: 'cell-020' },
    });
    expect(cell30?.baseline).toEqual({ channels: 'pooled', score: 'pooled', series: null });
    const [pooled20, pooled30] = pooled.evaluate(MINUTE).results;
    // Cell 30 is judged exactly as without per-asset entries; cell 20's channels are not, but
    // its score is, against the pooled score (its entry has none).
    expect(cell30).toEqual(pooled30);
    expect(cell20?.score).toEqual(pooled20?.score);
    expect(cell20?.channels[0]?.value).not.toBeCloseTo(pooled20?.channels[0]?.value ?? 0, 3);
  });
});
