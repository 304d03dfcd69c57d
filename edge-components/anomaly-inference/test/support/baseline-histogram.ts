/**
 * Baselines built the way the pipeline builds a bundle's (`uns_anomaly/baseline.py`), for the
 * tests and the bench that need one without training a bundle: each histogram's edges at the
 * deciles of its sample (numpy's `inverted_cdf`: each a value of the sample), de-duplicated, and
 * the share of the sample in each bin by the contract's bin rule; the pooled histograms over every
 * series, and one `assets` entry per series with enough samples.
 */
import type {
  AssetSeries,
  BaselineHistogram,
  ChannelHistogram,
  DriftBaseline,
} from '../../src/drift/baseline';
import { binOf } from '../../src/drift/psi';

/** Fewest baseline samples in every channel a series needs for an `assets` entry (the contract's). */
export const MIN_ASSET_SAMPLES = 1000;
/** Fewest validation windows a series needs for the score of its entry (the contract's). */
export const MIN_ASSET_SCORES = 50;

/** The histogram of `values` (finite), with `source` as the manifest names it. */
export function baselineHistogram(
  values: ArrayLike<number>,
  source: 'training' | 'validation' = 'training',
): BaselineHistogram {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (n === 0) throw new Error('a histogram needs at least one value');
  const deciles = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9].map(
    (q) => sorted[Math.max(0, Math.ceil(n * q) - 1)] ?? Number.NaN,
  );
  const edges = [...new Set(deciles)];
  // Typed edges, as the runtime's monitor passes them: binOf stays monomorphic in the bench.
  const typed = Float64Array.from(edges);
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const value of sorted) {
    const bin = binOf(value, typed);
    counts[bin] = (counts[bin] ?? 0) + 1;
  }
  return { edges, proportions: counts.map((c) => c / n), samples: n, source };
}

/** The baseline sample of one training series. */
export interface SeriesSample {
  /** Its ISA-95 levels (the training data's series columns). */
  readonly series: AssetSeries;
  /** Raw training-period normal values per model channel, in model order. */
  readonly channels: readonly (readonly number[])[];
  /** Anomaly scores of its validation windows. */
  readonly scores: readonly number[];
}

/**
 * The baseline of `samples` for a model reading `names`: the pooled histograms of every series'
 * values together and, unless `perAsset` is false, an `assets` entry per series with at least
 * {@link MIN_ASSET_SAMPLES} values in every channel (with a score when it has at least
 * {@link MIN_ASSET_SCORES} scores).
 */
export function driftBaseline(
  names: readonly string[],
  samples: readonly SeriesSample[],
  { perAsset = true }: { perAsset?: boolean } = {},
): DriftBaseline {
  const channels = (of: readonly SeriesSample[]): ChannelHistogram[] =>
    names.map((name, c) => ({
      name,
      ...baselineHistogram(of.flatMap((s) => s.channels[c] ?? [])),
    }));
  const assets = samples
    .filter((s) => names.every((_, c) => (s.channels[c]?.length ?? 0) >= MIN_ASSET_SAMPLES))
    .map((s) => ({
      series: s.series,
      channels: channels([s]),
      ...(s.scores.length >= MIN_ASSET_SCORES
        ? { score: baselineHistogram(s.scores, 'validation') }
        : {}),
    }));
  return {
    method: 'histogram',
    channels: channels(samples),
    score: baselineHistogram(
      samples.flatMap((s) => s.scores),
      'validation',
    ),
    ...(perAsset && assets.length > 0 ? { assets } : {}),
  };
}
