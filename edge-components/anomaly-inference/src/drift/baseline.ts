/**
 * The drift baseline a model bundle may carry (`baseline` of `manifest.json`, optional): one
 * histogram per model channel of the raw training-period values on the model's grid, and one of
 * the anomaly scores of the validation windows, pooled over every series the model was trained on;
 * optionally the same per series (`assets`), since assets with their own set points are each a
 * narrow part of the pooled distribution. The manifest's JSON Schema checks its shape;
 * {@link baselineProblems} checks the rules a schema cannot state, and {@link selectBaseline} picks
 * the histograms an asset is judged against.
 */

/** Most bins a baseline histogram may have (the contract's limit; deciles give at most 10). */
export const MAX_BINS = 20;
/** How far a histogram's proportions may sum away from 1. */
export const SUM_TOLERANCE = 1e-6;
/** Most per-asset entries a baseline may have (the contract's limit). */
export const MAX_ASSET_BASELINES = 1000;
/** The ISA-95 levels of a UNS asset path `{enterprise}/{site}/{area}/{line}/{cell}/{asset}`, in order. */
export const ASSET_LEVELS = ['enterprise', 'site', 'area', 'line', 'cell', 'asset'] as const;

/** A level of a UNS asset path. */
export type AssetLevel = (typeof ASSET_LEVELS)[number];

/** The levels of an asset path a per-asset baseline names (at least one). */
export type AssetSeries = Readonly<Partial<Record<AssetLevel, string>>>;

/**
 * A baseline histogram: `edges.length + 1` bins (the bin of v is the number of edges below v),
 * the share of the baseline sample in each.
 */
export interface BaselineHistogram {
  /** Strictly increasing, at least one. */
  readonly edges: readonly number[];
  /** One more than the edges, each >= 0, summing to 1. */
  readonly proportions: readonly number[];
  /** Size of the baseline sample. */
  readonly samples: number;
  /** Where the sample came from: `training` (channels) or `validation` (score). */
  readonly source: string;
}

/** The baseline histogram of one model channel. */
export type ChannelHistogram = BaselineHistogram & { readonly name: string };

/** The baseline of the training series whose ISA-95 levels are `series` (`baseline.assets[]`). */
export interface AssetBaseline {
  /** The levels an asset's path must have to be judged against this entry. */
  readonly series: AssetSeries;
  /** One per model channel, same names and order as the manifest's `channels`. */
  readonly channels: readonly ChannelHistogram[];
  /** The series' validation scores; absent when it had too few (the pooled score serves). */
  readonly score?: BaselineHistogram;
}

/** The `baseline` of a bundle manifest. */
export interface DriftBaseline {
  readonly method: 'histogram';
  /** One per model channel, same names and order as the manifest's `channels`; every series pooled. */
  readonly channels: readonly ChannelHistogram[];
  /** The anomaly scores of the validation windows, every series pooled. */
  readonly score: BaselineHistogram;
  /** Per-series baselines; an asset no entry matches is judged against the pooled ones. */
  readonly assets?: readonly AssetBaseline[];
}

/**
 * What in `baseline` breaks the contract's rules beyond its schema: channels (pooled or of an
 * asset entry) other than the model's `channels` (names and order), edges not strictly increasing
 * finite numbers, not one proportion more than edges, more than {@link MAX_BINS} bins, negative
 * proportions or ones not summing to 1; more than {@link MAX_ASSET_BASELINES} asset entries, an
 * entry whose `series` names no ISA-95 level or another one, or repeats another entry's `series`.
 * Empty when it keeps them all.
 */
export function baselineProblems(baseline: DriftBaseline, channels: readonly string[]): string[] {
  const problems = histogramSetProblems('baseline', baseline, channels);
  const assets = baseline.assets ?? [];
  if (assets.length > MAX_ASSET_BASELINES) {
    problems.push(`baseline assets: ${assets.length} entries (at most ${MAX_ASSET_BASELINES})`);
  }
  const seen = new Map<string, number>();
  assets.forEach((entry, i) => {
    const what = `baseline assets[${i}] (${seriesText(entry.series)})`;
    const keys = Object.keys(entry.series);
    const unknown = keys.filter((key) => !(ASSET_LEVELS as readonly string[]).includes(key));
    const values = Object.values(entry.series);
    if (keys.length === 0 || unknown.length > 0 || values.some((v) => typeof v !== 'string')) {
      problems.push(
        `${what}: series must name one or more of ${ASSET_LEVELS.join(', ')} with string values${unknown.length > 0 ? ` (unknown: ${unknown.join(', ')})` : ''}`,
      );
    }
    const key = seriesKey(entry.series);
    const first = seen.get(key);
    if (first === undefined) seen.set(key, i);
    else problems.push(`${what}: repeats the series of baseline assets[${first}]`);
    problems.push(...histogramSetProblems(what, entry, channels));
  });
  return problems;
}

/** The histograms an asset is judged against, and where they come from. */
export interface SelectedBaseline {
  /** The entry of `assets` the asset matched; undefined when none did (the pooled ones serve). */
  readonly entry: AssetBaseline | undefined;
  /** The entry's channels, or the pooled ones. */
  readonly channels: readonly ChannelHistogram[];
  /** The entry's score, or the pooled one (also for an entry without a score). */
  readonly score: BaselineHistogram;
}

/**
 * The baseline `asset` (a UNS asset path `enterprise/site/area/line/cell/asset`) is judged
 * against: the entry of `baseline.assets` every level of whose `series` equals the same level of
 * the path, the one with the most levels when several match (the first listed of those when they
 * tie), else the pooled histograms. An entry without a score takes the pooled score.
 */
export function selectBaseline(baseline: DriftBaseline, asset: string): SelectedBaseline {
  const levels = asset.split('/');
  let best: AssetBaseline | undefined;
  let bestKeys = 0;
  for (const entry of baseline.assets ?? []) {
    const named = ASSET_LEVELS.filter((level) => entry.series[level] !== undefined);
    const matches = named.every(
      (level) => entry.series[level] === levels[ASSET_LEVELS.indexOf(level)],
    );
    if (matches && named.length > bestKeys) {
      best = entry;
      bestKeys = named.length;
    }
  }
  return {
    entry: best,
    channels: best?.channels ?? baseline.channels,
    score: best?.score ?? baseline.score,
  };
}

/** `cell=cell-010, asset=welder-1`: the levels of `series`, as the entry lists them. */
export function seriesText(series: AssetSeries): string {
  return Object.entries(series)
    .map(([level, value]) => `${level}=${value}`)
    .join(', ');
}

function seriesKey(series: AssetSeries): string {
  return JSON.stringify(ASSET_LEVELS.map((level) => series[level] ?? null));
}

/** The problems of a set of channel histograms and a score (the pooled one or an asset entry's). */
function histogramSetProblems(
  what: string,
  set: { readonly channels: readonly ChannelHistogram[]; readonly score?: BaselineHistogram },
  channels: readonly string[],
): string[] {
  const problems: string[] = [];
  const names = set.channels.map((c) => c.name);
  if (names.join('\n') !== channels.join('\n')) {
    problems.push(
      `${what} channels [${names.join(', ')}] are not the model's channels [${channels.join(', ')}]`,
    );
  }
  const histograms: [string, BaselineHistogram][] = set.channels.map((c) => [
    `channel ${c.name}`,
    c,
  ]);
  if (set.score !== undefined) histograms.push(['score', set.score]);
  for (const [histogram, { edges, proportions }] of histograms) {
    const prefix = `${what} ${histogram}`;
    const increasing = edges.every(
      (edge, i) => Number.isFinite(edge) && (i === 0 || edge > (edges[i - 1] ?? Infinity)),
    );
    if (edges.length === 0 || !increasing) {
      problems.push(`${prefix}: edges are not one or more strictly increasing numbers`);
    }
    if (proportions.length !== edges.length + 1 || proportions.length > MAX_BINS) {
      problems.push(
        `${prefix}: ${proportions.length} proportions for ${edges.length} edges (want edges + 1, at most ${MAX_BINS})`,
      );
    }
    const sum = proportions.reduce((total, p) => total + p, 0);
    if (proportions.some((p) => !(p >= 0)) || Math.abs(sum - 1) > SUM_TOLERANCE) {
      problems.push(`${prefix}: proportions are not shares >= 0 summing to 1 (sum ${sum})`);
    }
  }
  return problems;
}
