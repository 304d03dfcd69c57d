import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { runModelTraining } from '../model-bootstrap';
import type { ModelHistory, ModelHistoryEntry } from './model-history';
import type { ModelStore } from './model-store';
import {
  decideShadow,
  ShadowComparison,
  type ShadowFigures,
  type ShadowLimits,
} from './shadow-comparison';
import type { UnsRecorder } from './uns-recorder';

/** Settings of the {@link ModelLoop}. */
export interface ModelLoopSettings {
  /** Drift messages in a row flagged `drifted` for one asset that start a retraining. */
  readonly consecutiveDrifted: number;
  /** Seconds of telemetry, from the detection on, that the new model is trained on. */
  readonly retrainingSeconds: number;
  /**
   * Seconds of telemetry after the recording's end to wait for the QA station's verdicts on its
   * last seams (which come seconds after each seam), so that they are labelled, not `uninspected`.
   */
  readonly inspectionWaitSeconds: number;
  /** Seconds after a promotion or rejection before drift may start another retraining. */
  readonly cooldownSeconds: number;
  /** The quality gate of a new model, as the SageMaker pipeline's (`MinRocAuc`, `MinF1`). */
  readonly quality: { readonly minRocAuc: number; readonly minF1: number };
  /** Limits of the candidate in shadow, and the longest the shadow may last. */
  readonly shadow: ShadowLimits & { readonly timeoutSeconds: number };
}

/** What the loop is doing. */
export type ModelLoopPhase = 'watching' | 'recording' | 'training' | 'shadow' | 'cooldown';

/** The loop's state, as the dashboard shows it. */
export interface ModelLoopStatus {
  readonly phase: ModelLoopPhase;
  readonly serving: string;
  readonly candidate?: string;
  readonly shadow?: ShadowFigures;
}

/** The model level below `…/_ml/{model}` of a UNS topic, and what the topic carries. */
function mlTopic(
  topic: string,
  modelName: string,
): { asset: string; kind: 'score' | 'shadow' | 'drift' } | undefined {
  const levels = topic.split('/');
  if (levels.length < 8 || levels[6] !== '_ml' || levels[7] !== modelName) return undefined;
  const asset = levels.slice(0, 6).join('/');
  const rest = levels.slice(8).join('/');
  if (rest === '') return { asset, kind: 'score' };
  if (rest === 'shadow' || rest === 'drift') return { asset, kind: rest };
  return undefined;
}

/**
 * The MLOps loop of the local plant, on the inference runtime's own publications:
 * drift flagged for an asset `consecutiveDrifted` times in a row → record `retrainingSeconds` of
 * valid telemetry with the inspections' labels → `npm run ml -- train` → the pipeline's quality
 * gate → the candidate in shadow beside the serving model → promote it when it keeps the
 * {@link ShadowLimits}, reject it otherwise → cool down. Each step goes into the
 * {@link ModelHistory}.
 */
export class ModelLoop {
  private phase: ModelLoopPhase = 'watching';
  private readonly driftedInARow = new Map<string, number>();
  private recordingFrom = 0;
  private candidate: string | undefined;
  private comparison: ShadowComparison | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly stopping = new AbortController();

  constructor(
    private readonly options: {
      readonly modelName: string;
      readonly channels: readonly string[];
      readonly dataDir: string;
      readonly seed: number;
      readonly settings: ModelLoopSettings;
      readonly store: ModelStore;
      readonly history: ModelHistory;
      readonly recorder: UnsRecorder;
      readonly logger: Logger;
      /**
       * Runs `npm run ml -- train` with these arguments until `signal` stops it (default:
       * {@link runModelTraining}).
       */
      readonly train?: (args: readonly string[], signal: AbortSignal) => Promise<void>;
    },
  ) {}

  /** The loop's state now. */
  status(): ModelLoopStatus {
    return {
      phase: this.phase,
      serving: this.options.store.servingVersion(),
      ...(this.candidate === undefined ? {} : { candidate: this.candidate }),
      ...(this.comparison === undefined ? {} : { shadow: this.comparison.figures() }),
    };
  }

  /** Takes one message the validator found valid (drift, scores, and what the recorder needs). */
  take(topic: string, payload: Uint8Array): void {
    if (this.stopped) return;
    this.options.recorder.take(topic, payload);
    const ml = mlTopic(topic, this.options.modelName);
    if (ml === undefined) {
      if (this.phase === 'recording') this.finishRecordingWhenComplete();
      return;
    }
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(Buffer.from(payload).toString('utf8')) as Record<string, unknown>;
    } catch {
      return;
    }
    if (ml.kind === 'drift') this.takeDrift(ml.asset, message);
    else if (this.comparison !== undefined) {
      this.comparison.take(ml.asset, message as Parameters<ShadowComparison['take']>[1]);
      this.decideWhenReady();
    }
  }

  /** Stops the loop and a training in progress. */
  stop(): void {
    this.stopped = true;
    this.stopping.abort();
    clearTimeout(this.timer);
  }

  private record(entry: Omit<ModelHistoryEntry, 'at'>): void {
    const stamped = this.options.history.record(entry);
    this.options.logger.info(stamped, `model ${entry.event}: ${entry.reason}`);
  }

  private takeDrift(asset: string, message: Record<string, unknown>): void {
    const inARow = message.drifted === true ? (this.driftedInARow.get(asset) ?? 0) + 1 : 0;
    this.driftedInARow.set(asset, inARow);
    if (this.phase !== 'watching' || inARow < this.options.settings.consecutiveDrifted) return;
    const drifted = Array.isArray(message.channels)
      ? (message.channels as { name?: unknown; value?: unknown; drifted?: unknown }[])
          .filter((channel) => channel.drifted === true)
          .map((channel) => `${String(channel.name)} PSI ${Number(channel.value).toFixed(2)}`)
      : [];
    this.record({
      event: 'drift-detected',
      modelVersion: String(message.modelVersion),
      reason: `${asset} drifted ${String(inARow)} times in a row (${drifted.join(', ') || 'score'})`,
    });
    this.phase = 'recording';
    this.recordingFrom = Date.now();
  }

  private finishRecordingWhenComplete(): void {
    const { retrainingSeconds, inspectionWaitSeconds } = this.options.settings;
    const until = this.recordingFrom + retrainingSeconds * 1000;
    if (this.options.recorder.latestSampleMs < until + inspectionWaitSeconds * 1000) return;
    this.phase = 'training';
    void this.retrain(this.recordingFrom, until).catch((error: unknown) => {
      if (this.stopped) return;
      this.record({
        event: 'refused',
        modelVersion: this.candidate ?? 'none',
        reason: `retraining failed: ${error instanceof Error ? error.message : String(error)}`,
      });
      this.coolDown();
    });
  }

  private async retrain(fromMs: number, toMs: number): Promise<void> {
    const { store, recorder, dataDir, settings } = this.options;
    const version = `retrained-${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`;
    this.candidate = version;
    const datasetDir = join(dataDir, 'retraining-data');
    rmSync(datasetDir, { recursive: true, force: true });
    mkdirSync(datasetDir, { recursive: true });
    const recording = recorder.write(datasetDir, fromMs, toMs);
    this.record({
      event: 'retraining',
      modelVersion: version,
      reason: `training on ${String(settings.retrainingSeconds)} s of recent telemetry labelled by the seam inspections`,
      figures: { rows: recording.rows, ...recording.rowsByLabel },
    });
    const bundleDir = store.newBundleDir(version);
    const train =
      this.options.train ?? ((args, signal) => runModelTraining(args, process.stdout, signal));
    await train(
      [
        '--input',
        datasetDir,
        '--channels',
        this.options.channels.join(','),
        '--label-column',
        'label',
        '--model-name',
        this.options.modelName,
        '--model-version',
        version,
        '--seed',
        String(this.options.seed),
        '--out',
        bundleDir,
      ],
      this.stopping.signal,
    );
    if (this.stopped) return;
    const { metrics } = JSON.parse(readFileSync(join(bundleDir, 'evaluation.json'), 'utf8')) as {
      metrics: { roc_auc?: { value: number | null }; f1?: { value: number | null } };
    };
    const rocAuc = metrics.roc_auc?.value ?? null;
    const f1 = metrics.f1?.value ?? null;
    const figures = { rocAuc, f1 };
    if (
      rocAuc === null ||
      f1 === null ||
      rocAuc < settings.quality.minRocAuc ||
      f1 < settings.quality.minF1
    ) {
      this.record({
        event: 'refused',
        modelVersion: version,
        reason: `below the quality gate on the held-out recent data (ROC-AUC ${String(rocAuc)} >= ${String(settings.quality.minRocAuc)}, F1 ${String(f1)} >= ${String(settings.quality.minF1)} required)`,
        figures,
      });
      this.coolDown();
      return;
    }
    this.record({
      event: 'trained',
      modelVersion: version,
      reason: 'passed the quality gate on the held-out recent data',
      figures,
    });
    this.comparison = new ShadowComparison(version, (asset, startMs, endMs) =>
      recorder.windowLabel(asset, startMs, endMs),
    );
    store.startShadow(version);
    this.phase = 'shadow';
    this.record({
      event: 'shadow',
      modelVersion: version,
      reason: `scoring beside ${store.servingVersion()} until ${String(settings.shadow.minWindows)} inspected windows are compared`,
    });
    this.timer = setTimeout(() => {
      this.reject(
        `fewer than ${String(settings.shadow.minWindows)} inspected windows compared within ${String(settings.shadow.timeoutSeconds)} s`,
        this.comparison?.figures(),
      );
    }, settings.shadow.timeoutSeconds * 1000);
  }

  private decideWhenReady(): void {
    if (this.phase !== 'shadow' || this.comparison === undefined) return;
    const figures = this.comparison.figures();
    const decision = decideShadow(figures, this.options.settings.shadow);
    if (decision.decision === 'wait') return;
    clearTimeout(this.timer);
    const version = this.comparison.candidateVersion;
    if (decision.decision === 'promote') {
      const previous = this.options.store.servingVersion();
      this.options.store.promote(version);
      this.record({
        event: 'promoted',
        modelVersion: version,
        reason: `serves instead of ${previous}: ${decision.reason}`,
        figures: { ...figures },
      });
      this.coolDown();
    } else {
      this.reject(decision.reason, figures);
    }
  }

  private reject(reason: string, figures?: ShadowFigures): void {
    this.options.store.endShadow();
    this.record({
      event: 'rejected',
      modelVersion: this.candidate ?? 'none',
      reason: `${reason}; ${this.options.store.servingVersion()} keeps serving`,
      ...(figures === undefined ? {} : { figures: { ...figures } }),
    });
    this.coolDown();
  }

  private coolDown(): void {
    this.comparison = undefined;
    this.candidate = undefined;
    this.driftedInARow.clear();
    this.phase = 'cooldown';
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.phase = 'watching';
    }, this.options.settings.cooldownSeconds * 1000);
  }
}
