import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const P = 'anomaly_inference_';

/** The runtime's Prometheus metrics, in a registry of their own. */
export class InferenceMetrics {
  readonly registry = new Registry();
  /** Telemetry blocks by stream outcome (accepted, reordered, duplicate, late, rate_mismatch). */
  readonly blocks = new Counter({
    name: `${P}blocks_total`,
    help: 'Telemetry blocks received, by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  /**
   * Telemetry messages not taken as blocks, by reason (`payload-too-large`, `invalid-utf8`,
   * `too-deep`, `unparseable`, `invalid`, `too-many-samples`, `unexpected-topic`,
   * `processing-failed`).
   */
  readonly skipped = new Counter({
    name: `${P}telemetry_skipped_total`,
    help: 'Telemetry messages skipped without windowing, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  /** Channel restarts and filled gap samples of the windowing (see README: windowing rules). */
  readonly streamEvents = new Counter({
    name: `${P}stream_events_total`,
    help: 'Windowing decisions: gap samples filled, channel resets, by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  /** Samples that arrived missing (non-finite, non-numeric, or in a block of quality bad). */
  readonly missingSamples = new Counter({
    name: `${P}missing_samples_total`,
    help: 'Samples received as missing values (NaN, Infinity, non-numbers, quality bad)',
    registers: [this.registry],
  });
  /** Missing samples filled inside scored windows, per the manifest's missing-values policy. */
  readonly filledSamples = new Counter({
    name: `${P}filled_samples_total`,
    help: 'Missing samples filled inside assembled windows',
    registers: [this.registry],
  });
  readonly windowsAssembled = new Counter({
    name: `${P}windows_assembled_total`,
    help: 'Windows assembled and queued for scoring',
    registers: [this.registry],
  });
  readonly windowsSkipped = new Counter({
    name: `${P}windows_skipped_total`,
    help: 'Windows not assembled, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly windowsScored = new Counter({
    name: `${P}windows_scored_total`,
    help: 'Windows scored and published, by model role',
    labelNames: ['role'] as const,
    registers: [this.registry],
  });
  /** Windows not published: the model failed or returned a non-finite or negative score. */
  readonly windowsFailed = new Counter({
    name: `${P}windows_failed_total`,
    help: 'Windows not published, by role and reason',
    labelNames: ['role', 'reason'] as const,
    registers: [this.registry],
  });
  readonly anomalies = new Counter({
    name: `${P}anomalous_windows_total`,
    help: 'Windows the serving model flagged as anomalous',
    registers: [this.registry],
  });
  readonly events = new Counter({
    name: `${P}anomaly_events_total`,
    help: 'Anomaly events (runs of anomalous windows) published',
    registers: [this.registry],
  });
  /** Model run time per batch. */
  readonly inferenceLatency = new Histogram({
    name: `${P}inference_seconds`,
    help: 'ONNX Runtime run time of one batch, by role',
    labelNames: ['role'] as const,
    buckets: [0.00005, 0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.1],
    registers: [this.registry],
  });
  /** From receiving the block that completed a window to publishing its score. */
  readonly resultLatency = new Histogram({
    name: `${P}result_latency_seconds`,
    help: 'Time from the block completing a window to its published score',
    buckets: [0.0005, 0.001, 0.002, 0.003, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
    registers: [this.registry],
  });
  readonly batchSize = new Histogram({
    name: `${P}batch_windows`,
    help: 'Windows per model run',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
    registers: [this.registry],
  });
  /** 1 for the serving and the shadow model, labelled with name and version. */
  readonly modelInfo = new Gauge({
    name: `${P}model_info`,
    help: 'Models in use, by role, name and version',
    labelNames: ['role', 'model_name', 'model_version'] as const,
    registers: [this.registry],
  });
  readonly swaps = new Counter({
    name: `${P}model_swaps_total`,
    help: 'Serving model swaps',
    registers: [this.registry],
  });
  readonly refusals = new Counter({
    name: `${P}model_refusals_total`,
    help: 'Bundles refused by validation, by role',
    labelNames: ['role'] as const,
    registers: [this.registry],
  });
  readonly shadowAgreement = new Gauge({
    name: `${P}shadow_agreement_ratio`,
    help: 'Share of windows where the shadow and serving anomaly flags agree',
    registers: [this.registry],
  });
  /** 1 while drift is computed against the serving bundle's baseline (0: disabled, no baseline). */
  readonly driftAvailable = new Gauge({
    name: `${P}drift_available`,
    help: '1 while drift is computed against the serving bundle baseline',
    registers: [this.registry],
  });
  /**
   * The PSI of the last evaluation per asset and channel (`channel="score"`: the anomaly scores);
   * assets not judged in the last evaluation have no series.
   */
  readonly driftStatistic = new Gauge({
    name: `${P}drift_psi`,
    help: 'Population Stability Index against the bundle baseline, by asset and channel (or score)',
    labelNames: ['asset', 'channel'] as const,
    registers: [this.registry],
  });
  /** 1 when a channel or the score of the asset drifted in the last evaluation. */
  readonly driftDrifted = new Gauge({
    name: `${P}drift_drifted`,
    help: '1 when a channel or the score of the asset is above the drift threshold',
    labelNames: ['asset'] as const,
    registers: [this.registry],
  });
  /** Drift evaluations per asset: `stable`, `drifted`, or `insufficient` (too few samples). */
  readonly driftEvaluations = new Counter({
    name: `${P}drift_evaluations_total`,
    help: 'Drift evaluations of an asset, by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly brokerConnected = new Gauge({
    name: `${P}broker_connected`,
    help: '1 while connected to the UNS broker',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: P });
  }
}
