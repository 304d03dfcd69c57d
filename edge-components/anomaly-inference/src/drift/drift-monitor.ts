/**
 * Rolling drift statistics of the serving model, per asset: the raw input values (on the model's
 * grid, gap-filled, before normalization) of each channel and the anomaly scores, counted in the
 * bins of the asset's baseline (its own entry of the bundle's baseline, or the pooled one; see
 * {@link selectBaseline}) over a rolling time window, and compared with it by the PSI (see
 * ./psi.ts). Memory per asset is one row of counts per time slot of the window, whatever the sample
 * rate: the observations themselves are never kept.
 *
 * The monitor has no clock: callers pass the time of each observation and of each evaluation (the
 * runtime the wall clock, the bench the simulated time).
 */
import {
  type AssetBaseline,
  type AssetSeries,
  type DriftBaseline,
  type SelectedBaseline,
  selectBaseline,
} from './baseline';
import { binOf, psi } from './psi';
import { SlotRing } from './slot-ring';

/** How drift is judged. */
export interface DriftSettings {
  /** Length of the rolling window, ms: a whole multiple of `intervalMs`. */
  readonly windowMs: number;
  /** Time between evaluations, ms; also the time slot the window is cut into. */
  readonly intervalMs: number;
  /** A distribution whose PSI is above this has drifted. */
  readonly threshold: number;
  /** Observations a distribution needs in the window to be judged. */
  readonly minSamples: number;
}

/** The serving model whose baseline the monitor compares against. */
export interface MonitoredModel {
  readonly modelName: string;
  readonly modelVersion: string;
  readonly baseline: DriftBaseline;
  /** Window length and stride in grid samples. */
  readonly geometry: { readonly length: number; readonly stride: number };
}

/** The drift of one distribution over the window. */
export interface DriftValue {
  /** The PSI against the baseline. */
  readonly value: number;
  /** Observations in the window. */
  readonly samples: number;
  /** `value` is above the threshold. */
  readonly drifted: boolean;
}

/** Which baseline an asset is judged against. */
export interface BaselineUse {
  /** `asset`: the entry of the bundle's `baseline.assets` the asset matched; `pooled`: none did. */
  readonly channels: 'asset' | 'pooled';
  /** `pooled` also when the matched entry has no score histogram. */
  readonly score: 'asset' | 'pooled';
  /** The `series` of the matched entry; null when none matched. */
  readonly series: AssetSeries | null;
}

/** The drift of one asset over one window (the contract's `ModelDrift`, with times as numbers). */
export interface DriftResult {
  /** `enterprise/site/area/line/cell/asset`. */
  readonly asset: string;
  readonly modelName: string;
  readonly modelVersion: string;
  readonly threshold: number;
  readonly windowStartMs: number;
  /** Exclusive end of the window. */
  readonly windowEndMs: number;
  /**
   * An input channel drifted. The score's own flag is reported but does not count here: the
   * validation windows a score baseline is built from are few (a few hundred per asset), and
   * their sampling noise alone flagged assets without drift on the simulator.
   */
  readonly drifted: boolean;
  /** In the model's channel order. */
  readonly channels: readonly (DriftValue & { readonly name: string })[];
  /** Absent when the window holds fewer than `minSamples` scores. */
  readonly score?: DriftValue;
  /** The baseline the asset was judged against. */
  readonly baseline: BaselineUse;
}

/** The outcome of one evaluation. */
export interface DriftEvaluation {
  /** One per asset whose channels all have at least `minSamples` observations in the window. */
  readonly results: DriftResult[];
  /** Assets with observations in the window, but too few to judge. */
  readonly insufficient: string[];
}

/**
 * The histograms of one selected baseline (the channels in model order, then the score) laid side
 * by side in a row of counts; shared by every asset judged against it.
 */
class Histograms {
  readonly edges: Float64Array[];
  readonly expected: Float64Array[];
  /** Where each histogram's bins start in a row of counts. */
  readonly offsets: number[] = [];
  /** Counts per row. */
  readonly width: number;
  /** The window's counts summed per bin while an asset is judged. */
  readonly totals: Float64Array;
  readonly use: BaselineUse;

  constructor(selected: SelectedBaseline) {
    const histograms = [...selected.channels, selected.score];
    this.edges = histograms.map((h) => Float64Array.from(h.edges));
    this.expected = histograms.map((h) => Float64Array.from(h.proportions));
    let width = 0;
    for (const h of histograms) {
      this.offsets.push(width);
      width += h.proportions.length;
    }
    this.width = width;
    this.totals = new Float64Array(width);
    this.use = {
      channels: selected.entry === undefined ? 'pooled' : 'asset',
      score: selected.entry?.score === undefined ? 'pooled' : 'asset',
      series: selected.entry?.series ?? null,
    };
  }
}

/** What the monitor keeps per asset. */
interface AssetState {
  readonly ring: SlotRing;
  readonly histograms: Histograms;
}

/** Counts the serving model's inputs and scores per asset and judges their drift. */
export class DriftMonitor {
  private readonly assets = new Map<string, AssetState>();
  /** The histograms of each asset entry in use (`undefined`: the pooled ones). */
  private readonly histograms = new Map<AssetBaseline | undefined, Histograms>();
  private readonly slots: number;
  private readonly channelCount: number;
  /** Samples per channel a window adds that the previous window of the asset did not hold. */
  private readonly fresh: number;

  constructor(
    readonly model: MonitoredModel,
    readonly settings: DriftSettings,
  ) {
    const { baseline, geometry } = model;
    if (settings.windowMs % settings.intervalMs !== 0 || settings.windowMs <= 0) {
      throw new Error('the drift window must be a whole multiple of the interval');
    }
    this.slots = settings.windowMs / settings.intervalMs;
    this.channelCount = baseline.channels.length;
    this.fresh = Math.min(geometry.stride, geometry.length);
  }

  /**
   * Counts the samples of a window of `asset` (raw, channel-major in the model's channel order)
   * that the asset's previous window did not hold: its first `stride` samples per channel, so
   * every grid sample of contiguous windows is counted once. Non-finite values are not counted.
   */
  observeWindow(asset: string, raw: Float32Array, atMs: number): void {
    const { ring, histograms } = this.stateOf(asset);
    const row = ring.rowOf(this.slotOf(atMs));
    const counts = ring.counts;
    const length = this.model.geometry.length;
    for (let c = 0; c < this.channelCount; c++) {
      const edges = histograms.edges[c] ?? new Float64Array(0);
      const base = row + (histograms.offsets[c] ?? 0);
      const from = c * length;
      for (let t = 0; t < this.fresh; t++) {
        const value = raw[from + t] ?? Number.NaN;
        if (!Number.isFinite(value)) continue;
        const k = base + binOf(value, edges);
        counts[k] = (counts[k] ?? 0) + 1;
      }
    }
  }

  /** Counts one anomaly score of the serving model for `asset` (non-finite ones are not counted). */
  observeScore(asset: string, score: number, atMs: number): void {
    if (!Number.isFinite(score)) return;
    const { ring, histograms } = this.stateOf(asset);
    const row = ring.rowOf(this.slotOf(atMs));
    const h = this.channelCount;
    const edges = histograms.edges[h] ?? new Float64Array(0);
    const k = row + (histograms.offsets[h] ?? 0) + binOf(score, edges);
    ring.counts[k] = (ring.counts[k] ?? 0) + 1;
  }

  /**
   * Judges every asset over the window that ends at the start of the interval holding `endMs`
   * (evaluate at an interval boundary to judge the interval just past). Assets with no
   * observation since the window's start are forgotten.
   */
  evaluate(endMs: number): DriftEvaluation {
    const to = this.slotOf(endMs);
    const from = to - this.slots;
    const results: DriftResult[] = [];
    const insufficient: string[] = [];
    for (const [asset, { ring, histograms }] of this.assets) {
      if (ring.newest < from) {
        this.assets.delete(asset);
        continue;
      }
      ring.sum(from, to, histograms.totals);
      const channels = this.model.baseline.channels.map((c, h) => ({
        name: c.name,
        ...this.judge(histograms, h),
      }));
      const fewest = Math.min(...channels.map((c) => c.samples));
      if (fewest < this.settings.minSamples) {
        if (channels.some((c) => c.samples > 0)) insufficient.push(asset);
        continue;
      }
      const scored = this.judge(histograms, this.channelCount);
      const score = scored.samples >= this.settings.minSamples ? scored : undefined;
      results.push({
        asset,
        modelName: this.model.modelName,
        modelVersion: this.model.modelVersion,
        threshold: this.settings.threshold,
        windowStartMs: from * this.settings.intervalMs,
        windowEndMs: to * this.settings.intervalMs,
        drifted: channels.some((c) => c.drifted),
        channels,
        ...(score === undefined ? {} : { score }),
        baseline: histograms.use,
      });
    }
    return { results, insufficient };
  }

  /** The PSI of histogram `h` over the window summed into the `totals` of `histograms`. */
  private judge(histograms: Histograms, h: number): DriftValue {
    const expected = histograms.expected[h] ?? new Float64Array(0);
    const offset = histograms.offsets[h] ?? 0;
    const counts = histograms.totals.subarray(offset, offset + expected.length);
    const samples = counts.reduce((total, n) => total + n, 0);
    if (samples === 0) return { value: 0, samples, drifted: false };
    const value = psi(
      expected,
      counts.map((n) => n / samples),
    );
    return { value, samples, drifted: value > this.settings.threshold };
  }

  private slotOf(atMs: number): number {
    return Math.floor(atMs / this.settings.intervalMs);
  }

  private stateOf(asset: string): AssetState {
    let state = this.assets.get(asset);
    if (state === undefined) {
      const selected = selectBaseline(this.model.baseline, asset);
      let histograms = this.histograms.get(selected.entry);
      if (histograms === undefined) {
        histograms = new Histograms(selected);
        this.histograms.set(selected.entry, histograms);
      }
      // One row more than the window's slots: the current interval fills while the window before
      // it is judged.
      state = { ring: new SlotRing(histograms.width, this.slots + 1), histograms };
      this.assets.set(asset, state);
    }
    return state;
  }
}
