/**
 * Drift reporting of the running runtime: a {@link DriftMonitor} against the serving bundle's
 * baseline, new with every serving model (a swap restarts the statistics against the new
 * baseline; the shadow model is not monitored), evaluated at each boundary of
 * `drift.intervalSeconds` on the wall clock. Each judged asset gives one `ModelDrift` message, the
 * Prometheus gauges, and the latest result the API serves, with the baseline it was judged against
 * (its own entry of the bundle's baseline or the pooled one; logged once per asset and model). A
 * bundle without a baseline (or `drift.enabled` false) makes drift unavailable: said once in the
 * log, in the API's status and in `anomaly_inference_drift_available`.
 */
import type { Logger } from 'pino';
import type { ScoringModel } from '../bundle/scoring-model';
import { seriesText } from '../drift/baseline';
import {
  type BaselineUse,
  DriftMonitor,
  type DriftResult,
  type DriftValue,
} from '../drift/drift-monitor';
import type { AssembledWindow } from '../windowing/window-assembler';
import type { InferenceConfig } from './config';
import type { InferenceMetrics } from './metrics';

/** Whether drift is computed, and why not. */
export interface DriftAvailability {
  readonly available: boolean;
  /** Why drift is not computed; null while it is. */
  readonly reason: string | null;
}

/** The payload of the contract's `modelDrift` message (schema `ModelDrift`). */
export interface ModelDriftPayload {
  readonly ts: string;
  readonly modelName: string;
  readonly modelVersion: string;
  readonly statistic: 'psi';
  readonly threshold: number;
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly drifted: boolean;
  readonly channels: readonly {
    readonly name: string;
    readonly value: number;
    readonly samples: number;
    readonly drifted: boolean;
  }[];
  readonly score?: { readonly value: number; readonly samples: number; readonly drifted: boolean };
}

/** The latest drift of an asset, as the API serves it. */
export interface DriftItem extends ModelDriftPayload {
  /** `enterprise/site/area/line/cell/asset`. */
  readonly asset: string;
  /** The baseline the asset was judged against (not part of the contract's message). */
  readonly baseline: BaselineUse;
}

/** Where the reporter sends each judged asset's message. */
export type DriftPublisher = (asset: string, payload: ModelDriftPayload) => void;

/** The `ModelDrift` payload of `result`, evaluated at `ts`. */
export function modelDriftPayload(result: DriftResult, ts: Date): ModelDriftPayload {
  const value = (v: DriftValue) => ({ value: v.value, samples: v.samples, drifted: v.drifted });
  return {
    ts: ts.toISOString(),
    modelName: result.modelName,
    modelVersion: result.modelVersion,
    statistic: 'psi',
    threshold: result.threshold,
    windowStart: new Date(result.windowStartMs).toISOString(),
    windowEnd: new Date(result.windowEndMs).toISOString(),
    drifted: result.drifted,
    channels: result.channels.map((c) => ({ name: c.name, ...value(c) })),
    ...(result.score === undefined ? {} : { score: value(result.score) }),
  };
}

/** Monitors the serving model's drift and reports it every interval. */
export class DriftReporter {
  private monitor: DriftMonitor | undefined;
  /** The serving model whose scores count (batches of an older model may still finish). */
  private monitored: ScoringModel | undefined;
  private unavailable: string | null;
  private readonly latest = new Map<string, DriftItem>();
  /** Assets whose last result drifted (a change either way is logged). */
  private readonly drifted = new Set<string>();
  /** Assets whose baseline was logged for the serving model. */
  private readonly introduced = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  /** End of the last window evaluated, ms. */
  private lastEndMs = 0;

  constructor(
    private readonly config: InferenceConfig['drift'],
    private readonly metrics: InferenceMetrics,
    private readonly logger: Logger,
    private readonly publish: DriftPublisher,
  ) {
    this.unavailable = config.enabled ? 'no model serves' : 'drift.enabled is false';
    metrics.driftAvailable.set(0);
  }

  /** Whether drift is computed for the serving model, and why not. */
  get availability(): DriftAvailability {
    return { available: this.unavailable === null, reason: this.unavailable };
  }

  /** The latest drift of `asset`, or of every asset (by asset path) when absent. */
  latestDrift(asset?: string): DriftItem[] {
    if (asset !== undefined) {
      const item = this.latest.get(asset);
      return item === undefined ? [] : [item];
    }
    return [...this.latest.values()].sort((a, b) => (a.asset < b.asset ? -1 : 1));
  }

  /**
   * Starts over for a new serving model: its baseline, empty statistics, no latest results.
   */
  serve(model: ScoringModel): void {
    this.monitored = model;
    this.monitor = undefined;
    this.latest.clear();
    this.drifted.clear();
    this.introduced.clear();
    this.metrics.driftStatistic.reset();
    this.metrics.driftDrifted.reset();
    if (!this.config.enabled) return;
    const { modelName, modelVersion, baseline, geometry } = model;
    if (baseline === undefined) {
      this.unavailable = `the serving bundle (${modelName} ${modelVersion}) carries no drift baseline`;
      this.metrics.driftAvailable.set(0);
      this.logger.warn(
        { modelName, modelVersion },
        'the serving bundle carries no drift baseline: no drift is computed for it (anomaly_inference_drift_available 0)',
      );
      return;
    }
    const { windowSeconds, intervalSeconds, threshold, minSamples } = this.config;
    this.monitor = new DriftMonitor(
      { modelName, modelVersion, baseline, geometry },
      { windowMs: windowSeconds * 1000, intervalMs: intervalSeconds * 1000, threshold, minSamples },
    );
    this.unavailable = null;
    this.metrics.driftAvailable.set(1);
    this.schedule();
  }

  /** Counts the input values of an assembled window. */
  observeWindow(window: AssembledWindow): void {
    this.monitor?.observeWindow(window.asset, window.raw, Date.now());
  }

  /** Counts a published score of `model` (only the monitored serving model's count). */
  observeScore(model: ScoringModel, asset: string, score: number): void {
    if (model === this.monitored) this.monitor?.observeScore(asset, score, Date.now());
  }

  /** Stops the evaluations. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Evaluates at the next interval boundary of the wall clock, then at every one after it. */
  private schedule(): void {
    if (this.timer !== undefined) return;
    const intervalMs = this.config.intervalSeconds * 1000;
    const next = (Math.floor(Date.now() / intervalMs) + 1) * intervalMs;
    this.arm(Math.max(next, this.lastEndMs + intervalMs));
  }

  private arm(endMs: number): void {
    this.timer = setTimeout(
      () => {
        // Timers run on the event loop's cached clock and may fire a little early.
        if (Date.now() < endMs) {
          this.arm(endMs);
          return;
        }
        this.timer = undefined;
        this.lastEndMs = endMs;
        this.evaluate(endMs);
        this.schedule();
      },
      Math.max(0, endMs - Date.now()),
    );
    this.timer.unref();
  }

  private evaluate(endMs: number): void {
    const monitor = this.monitor;
    if (monitor === undefined) return;
    const { results, insufficient } = monitor.evaluate(endMs);
    const ts = new Date();
    this.metrics.driftStatistic.reset();
    this.metrics.driftDrifted.reset();
    if (insufficient.length > 0) {
      this.metrics.driftEvaluations.inc({ outcome: 'insufficient' }, insufficient.length);
    }
    for (const result of results) {
      const { asset } = result;
      const payload = modelDriftPayload(result, ts);
      this.latest.set(asset, { asset, ...payload, baseline: result.baseline });
      for (const c of result.channels) {
        this.metrics.driftStatistic.set({ asset, channel: c.name }, c.value);
      }
      if (result.score !== undefined) {
        this.metrics.driftStatistic.set({ asset, channel: 'score' }, result.score.value);
      }
      this.metrics.driftDrifted.set({ asset }, result.drifted ? 1 : 0);
      this.metrics.driftEvaluations.inc({ outcome: result.drifted ? 'drifted' : 'stable' });
      this.logBaseline(result);
      this.logChange(result);
      this.publish(asset, payload);
    }
  }

  private logBaseline({ asset, modelVersion, baseline }: DriftResult): void {
    if (this.introduced.has(asset)) return;
    this.introduced.add(asset);
    const { channels, score, series } = baseline;
    this.logger.info(
      { asset, modelVersion, baseline: { channels, score, series } },
      series === null
        ? 'drift: the asset is judged against the pooled baseline (no entry of baseline.assets matches it)'
        : `drift: the asset is judged against its own baseline (${seriesText(series)}${score === 'pooled' ? '; the entry has no score: the pooled score baseline' : ''})`,
    );
  }

  private logChange(result: DriftResult): void {
    const { asset, modelVersion } = result;
    if (result.drifted && !this.drifted.has(asset)) {
      this.drifted.add(asset);
      const channels = result.channels.filter((c) => c.drifted).map((c) => c.name);
      this.logger.warn(
        { asset, modelVersion, channels, score: result.score?.drifted === true },
        'drift: the asset has moved away from the training baseline',
      );
    } else if (!result.drifted && this.drifted.delete(asset)) {
      this.logger.info({ asset, modelVersion }, 'drift: the asset is back near the baseline');
    }
  }
}
