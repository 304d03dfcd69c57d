/**
 * The running inference runtime: telemetry from the UNS → per-asset windows → micro-batched ONNX
 * inference on the serving (and shadow) model → scores, anomaly events, drift statistics and model
 * status back to the UNS, plus health, readiness, metrics and the dashboard's JSON API over HTTP.
 */
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { ScoringModel } from '../bundle/scoring-model';
import {
  type ModelPair,
  ModelHost,
  type HostEvent,
  type ModelRole,
  type Refusal,
} from '../inference/model-host';
import { MicroBatcher } from '../inference/micro-batcher';
import { type BlockRejection, parseBlock } from '../windowing/block';
import type { StreamOutcome } from '../windowing/channel-stream';
import { type AssembledWindow, WindowAssembler } from '../windowing/window-assembler';
import { watchBundle, type BundleWatch } from '../bundle/bundle-watcher';
import { type AnomalyEvent, AnomalyEventTracker } from './anomaly-events';
import { anomalyApi } from './anomaly-api';
import type { InferenceConfig } from './config';
import { DriftReporter } from './drift-reporter';
import {
  endConnection,
  httpErrorLogger,
  type MemoryReclaimer,
  messageCount,
  mqttConnectionOptions,
  reclaimMemoryWhenQuiet,
  monitoringRoutes,
  startHttpServer,
  type RunningHttpServer,
  shutDownInSteps,
  unsubscribeAtShutdown,
  watchBrokerConnection,
} from '@uns-mlops/edge-common';
import { InferenceMetrics } from './metrics';
import { RecentResults } from './recent-results';
import { loadUnsTopics, type UnsTopics } from './uns-topics';

/** One published score (emitted in-process for tests and embedding). */
export interface ScoredEvent {
  readonly role: ModelRole;
  readonly asset: string;
  readonly startIndex: number;
  readonly windowStart: string;
  readonly score: number;
  readonly anomaly: boolean;
  readonly modelVersion: string;
}

interface ServiceEvents {
  scored: [ScoredEvent];
  event: [AnomalyEvent];
  model: [HostEvent, Refusal | undefined];
}

/** Why a telemetry message was skipped: the block's rejection, or the runtime's own reasons. */
type SkipReason = BlockRejection | 'unexpected-topic' | 'processing-failed';

/** Longest part of a topic written to a log line (MQTT allows 65,535 bytes). */
const LOGGED_TOPIC_CHARS = 256;

/** Stream outcomes counted per block; the others count samples or resets. */
const BLOCK_OUTCOMES = new Set<StreamOutcome>([
  'accepted',
  'reordered',
  'duplicate',
  'late',
  'rate_mismatch',
]);

interface QueuedWindow {
  readonly window: AssembledWindow;
  /** performance.now() when the block completing the window arrived. */
  readonly receivedAt: number;
}

export class InferenceService extends EventEmitter<ServiceEvents> {
  readonly metrics = new InferenceMetrics();
  readonly host: ModelHost;
  private readonly client: MqttClient;
  private readonly batcher: MicroBatcher<QueuedWindow>;
  private readonly results: RecentResults;
  private readonly drift: DriftReporter;
  private readonly recentRaw: Float32Array[] = [];
  private readonly watches: BundleWatch[] = [];
  private assembler: WindowAssembler | undefined;
  private tracker: AnomalyEventTracker | undefined;
  private http: RunningHttpServer | undefined;
  private subscribed = false;
  private stopping = false;
  /** Gives the memory of a burst of telemetry back once it is over. */
  private readonly reclaimer: MemoryReclaimer;
  private receivedAt = 0;
  private warnedRate = false;
  /** Skip reasons logged at warn once; later messages skipped for them are logged at debug. */
  private readonly warnedSkips = new Set<SkipReason>();

  private constructor(
    private readonly config: InferenceConfig,
    private readonly logger: Logger,
    private readonly topics: UnsTopics,
  ) {
    super();
    this.results = new RecentResults(config.api.scoresPerAsset, config.api.events);
    this.drift = new DriftReporter(config.drift, this.metrics, logger, (asset, payload) => {
      this.client.publish(this.topics.drift(asset, payload.modelName), JSON.stringify(payload), {
        qos: 1,
      });
    });
    this.host = new ModelHost(topics.signals, () => this.recentRaw);
    this.host.on('change', (event, refusal) => {
      this.onModelChange(event, refusal);
    });
    this.batcher = new MicroBatcher(config.batching, (batch) => this.runBatch(batch));
    this.client = connect(config.broker.url, brokerOptions(config));
    this.reclaimer = reclaimMemoryWhenQuiet(messageCount(this.client), { logger: this.logger });
    this.listenToBroker();
  }

  /**
   * Reads the contract, loads the serving bundle (a refused one leaves the runtime up but not
   * ready, watching for a better bundle), starts the HTTP server and the broker connection.
   *
   * @throws when the contract cannot be read or the HTTP port cannot be bound.
   */
  static async start(config: InferenceConfig, logger: Logger): Promise<InferenceService> {
    const topics = loadUnsTopics(config.uns.contract, config.uns.enterprise, config.uns.site);
    const service = new InferenceService(config, logger, topics);
    try {
      await service.host.offer('serving', config.model.dir);
      service.watches.push(
        watchBundle(config.model.dir, config.model.watchIntervalMs, () =>
          service.host.offer('serving', config.model.dir),
        ),
      );
      service.http = await startHttpServer(
        { ...config.http, onError: httpErrorLogger(logger) },
        {
          ...monitoringRoutes({
            component: 'anomaly-inference',
            health: () => ({ ok: true, checks: { eventLoop: true } }),
            readiness: () => service.readiness(),
            metrics: async () => ({
              contentType: service.metrics.registry.contentType,
              body: await service.metrics.registry.metrics(),
            }),
          }),
          ...anomalyApi(service.host, service.results, service.drift, config.api.events),
        },
      );
    } catch (error) {
      await service.stop();
      throw error;
    }
    return service;
  }

  get httpPort(): number {
    return this.http?.port ?? 0;
  }

  /** Windows waiting for a batch (a bench or test waits for 0 with {@link idle}). */
  idle(): Promise<void> {
    return this.batcher.idle();
  }

  private readiness() {
    const model = this.host.serving !== undefined;
    return {
      ok: model && this.client.connected && this.subscribed,
      checks: { model, broker: this.client.connected, subscribed: this.subscribed },
    };
  }

  private listenToBroker(): void {
    watchBrokerConnection(this.client, this.config.broker.url, this.logger, {
      connected: () => {
        this.metrics.brokerConnected.set(1);
        this.subscribe();
      },
      disconnected: () => {
        this.subscribed = false;
        this.metrics.brokerConnected.set(0);
      },
    });
    this.client.on('message', (topic, payload) => {
      try {
        this.onMessage(topic, payload);
      } catch (error) {
        // A message that trips a bug must neither end the runtime nor stop the other messages.
        const detail = error instanceof Error ? error.message : String(error);
        this.skip('processing-failed', topic, detail, error);
      }
    });
  }

  private subscribe(): void {
    const geometry = this.host.geometry;
    if (geometry === undefined || !this.client.connected || this.stopping) return;
    const filters = geometry.channels.map((c) => this.topics.telemetryFilter(c));
    this.client.subscribe(filters, { qos: this.config.broker.qos }, (error) => {
      if (error) this.logger.error({ err: error, filters }, 'subscription failed');
      else this.subscribed = true;
    });
  }

  private onModelChange(event: HostEvent, refusal: Refusal | undefined): void {
    const { serving, shadow } = this.host;
    this.metrics.modelInfo.reset();
    for (const [role, model] of [
      ['serving', serving],
      ['shadow', shadow],
    ] as const) {
      if (model !== undefined) {
        this.metrics.modelInfo.set(
          { role, model_name: model.modelName, model_version: model.modelVersion },
          1,
        );
      }
    }
    if (event === 'swapped') this.metrics.swaps.inc();
    if (refusal !== undefined) {
      this.metrics.refusals.inc({ role: refusal.role });
      this.logger.error({ refusal }, 'model bundle refused; the current model keeps serving');
    } else {
      this.logger.info(
        { event, serving: serving?.modelVersion, shadow: shadow?.modelVersion },
        'model change',
      );
    }
    if (event === 'loaded' && serving !== undefined) this.begin(serving);
    if ((event === 'loaded' || event === 'swapped') && serving !== undefined) {
      this.drift.serve(serving);
    }
    this.publishStatus(event, refusal);
    this.emit('model', event, refusal);
  }

  /** The first serving model fixes the windows: assembler, events, subscriptions, shadow watch. */
  private begin(serving: ScoringModel): void {
    const geometry = serving.geometry;
    this.assembler = new WindowAssembler(
      {
        geometry,
        reorderBlocks: this.config.windowing.reorderBlocks,
        maxChannelSkewMs: this.config.windowing.maxChannelSkewMs,
        missingValues: () => (this.host.serving ?? serving).geometry.missingValues,
      },
      {
        window: (window) => {
          this.metrics.windowsAssembled.inc();
          this.drift.observeWindow(window);
          this.recentRaw.push(window.raw);
          if (this.recentRaw.length > this.config.model.smokeWindows) this.recentRaw.shift();
          this.batcher.push({ window, receivedAt: this.receivedAt });
        },
        skipped: (asset, reason, windows) => {
          this.metrics.windowsSkipped.inc({ reason }, windows);
          this.tracker?.close(asset);
        },
        stream: (outcome, amount) => {
          if (BLOCK_OUTCOMES.has(outcome)) this.metrics.blocks.inc({ outcome }, amount);
          else this.metrics.streamEvents.inc({ kind: outcome }, amount);
          if (outcome === 'rate_mismatch' && !this.warnedRate) {
            this.warnedRate = true;
            this.logger.warn(
              { sampleRateHz: geometry.sampleRateHz },
              'telemetry blocks with a sample interval other than the model sample period are dropped (the runtime does not resample); counted as blocks_total{outcome="rate_mismatch"}',
            );
          }
        },
        filled: (samples) => {
          this.metrics.filledSamples.inc(samples);
        },
      },
    );
    this.tracker = new AnomalyEventTracker(geometry.stride, (event) => {
      this.publishEvent(event);
    });
    this.subscribe();
    const shadowDir = this.config.model.shadowDir;
    if (shadowDir !== undefined) {
      this.watches.push(
        watchBundle(
          shadowDir,
          this.config.model.watchIntervalMs,
          () => this.host.offer('shadow', shadowDir),
          () => this.host.removeShadow(),
        ),
      );
    }
  }

  /**
   * Takes one telemetry message into the windows of its asset. A message that is not a block the
   * model reads is skipped and counted by reason; its cost is bounded by `limits` (see
   * {@link parseBlock}).
   */
  private onMessage(topic: string, payload: Buffer): void {
    this.receivedAt = performance.now();
    const address = this.topics.parseTelemetry(topic);
    const assembler = this.assembler;
    if (address === undefined || assembler === undefined) {
      this.skip('unexpected-topic', topic, 'not a telemetry topic of the serving model');
      return;
    }
    const channel = assembler.channelIndex(address.signal);
    if (channel < 0) {
      this.skip('unexpected-topic', topic, 'the serving model does not read this signal');
      return;
    }
    const parsed = parseBlock(payload, this.config.limits);
    if ('rejected' in parsed) {
      this.skip(parsed.rejected, topic, parsed.reason);
      return;
    }
    if (parsed.missing > 0) this.metrics.missingSamples.inc(parsed.missing);
    assembler.accept(address.asset, channel, parsed.block);
  }

  /**
   * Counts a skipped message. The first of each reason is logged at warn, the others at debug, so
   * a flood of bad messages writes no log line per message.
   */
  private skip(reason: SkipReason, topic: string, detail: string, error?: unknown): void {
    this.metrics.skipped.inc({ reason });
    const fields = {
      reason,
      topic: topic.length > LOGGED_TOPIC_CHARS ? `${topic.slice(0, LOGGED_TOPIC_CHARS)}…` : topic,
      detail,
      ...(error === undefined ? {} : { err: error }),
    };
    if (this.warnedSkips.has(reason)) {
      this.logger.debug(fields, 'telemetry message skipped');
      return;
    }
    this.warnedSkips.add(reason);
    this.logger.warn(
      fields,
      'telemetry message skipped; counted as anomaly_inference_telemetry_skipped_total{reason}, later ones of this reason are logged at debug',
    );
  }

  private async runBatch(batch: QueuedWindow[]): Promise<void> {
    const pair = this.host.acquire();
    if (pair === undefined) {
      this.metrics.windowsFailed.inc({ role: 'serving', reason: 'no_model' }, batch.length);
      return;
    }
    this.metrics.batchSize.observe(batch.length);
    const raws = batch.map((item) => item.window.raw);
    try {
      const serving = this.score('serving', pair.serving, raws).then((scores) => {
        this.publishScores('serving', pair.serving, batch, scores);
        return scores;
      });
      const shadow =
        pair.shadow === undefined
          ? undefined
          : this.score('shadow', pair.shadow, raws).then((scores) => {
              if (pair.shadow !== undefined)
                this.publishScores('shadow', pair.shadow, batch, scores);
              return scores;
            });
      const [servingScores, shadowScores] = await Promise.all([serving, shadow]);
      if (servingScores !== undefined && shadowScores !== undefined && pair.shadow !== undefined) {
        this.compare(pair, servingScores.scores, shadowScores.scores);
      }
    } finally {
      await pair.release().catch((error: unknown) => {
        this.logger.error({ err: error }, 'releasing a model session failed');
      });
    }
  }

  private async score(
    role: ModelRole,
    model: ScoringModel,
    raws: Float32Array[],
  ): Promise<{ scores: Float32Array; latencyMs: number } | undefined> {
    const started = performance.now();
    try {
      const scores = await model.score(raws);
      const latencyMs = performance.now() - started;
      this.metrics.inferenceLatency.observe({ role }, latencyMs / 1000);
      return { scores, latencyMs };
    } catch (error) {
      this.metrics.windowsFailed.inc({ role, reason: 'model_error' }, raws.length);
      this.logger.error({ err: error, role, windows: raws.length }, 'inference failed');
      return undefined;
    }
  }

  private publishScores(
    role: ModelRole,
    model: ScoringModel,
    batch: QueuedWindow[],
    result: { scores: Float32Array; latencyMs: number } | undefined,
  ): void {
    if (result === undefined) {
      if (role === 'serving') for (const { window } of batch) this.tracker?.close(window.asset);
      return;
    }
    const { modelName, modelVersion, threshold } = model;
    const shadow = role === 'shadow';
    const now = performance.now();
    batch.forEach(({ window, receivedAt }, i) => {
      const score = result.scores[i] ?? Number.NaN;
      if (!Number.isFinite(score) || score < 0) {
        this.metrics.windowsFailed.inc({ role, reason: 'non_finite_score' });
        if (!shadow) this.tracker?.close(window.asset);
        return;
      }
      const anomaly = score > threshold;
      const windowStart = new Date(window.startMs).toISOString();
      const windowEnd = new Date(window.endMs).toISOString();
      const payload = {
        windowStart,
        windowEnd,
        score,
        threshold,
        anomaly,
        modelName,
        modelVersion,
        latencyMs: result.latencyMs,
        ...(shadow ? { shadow: true } : {}),
      };
      const topic = shadow
        ? this.topics.shadow(window.asset, modelName)
        : this.topics.score(window.asset, modelName);
      this.client.publish(topic, JSON.stringify(payload), { qos: this.config.broker.qos });
      this.metrics.windowsScored.inc({ role });
      this.results.addScore(window.asset, {
        startMs: window.startMs,
        endMs: window.endMs,
        score,
        threshold,
        anomaly,
        modelVersion,
        shadow,
      });
      if (!shadow) {
        this.metrics.resultLatency.observe((now - receivedAt) / 1000);
        if (anomaly) this.metrics.anomalies.inc();
        this.drift.observeScore(model, window.asset, score);
        // Not `{ ...window, score, ... }`: in Node 20 (V8 11.3) an object spread followed by new
        // properties made every such object outlive the young generation (1 MB/s promoted at
        // 1,000 windows/s, a full garbage collection every 3-5 s; see README: Figures).
        this.tracker?.add({
          asset: window.asset,
          startIndex: window.startIndex,
          startMs: window.startMs,
          endMs: window.endMs,
          score,
          anomaly,
          threshold,
          modelName,
          modelVersion,
        });
      }
      this.emit('scored', {
        role,
        asset: window.asset,
        startIndex: window.startIndex,
        windowStart,
        score,
        anomaly,
        modelVersion,
      });
    });
  }

  private compare(pair: ModelPair, serving: Float32Array, shadow: Float32Array): void {
    const shadowModel = pair.shadow;
    if (shadowModel === undefined) return;
    for (let i = 0; i < serving.length; i++) {
      const a = serving[i] ?? Number.NaN;
      const b = shadow[i] ?? Number.NaN;
      if (Number.isFinite(a) && Number.isFinite(b)) {
        this.host.compare(a > pair.serving.threshold, b > shadowModel.threshold);
      }
    }
    const ratio = this.host.agreement.ratio;
    if (ratio !== null) this.metrics.shadowAgreement.set(ratio);
  }

  private publishEvent(event: AnomalyEvent): void {
    this.metrics.events.inc();
    this.results.addEvent(event);
    this.client.publish(
      this.topics.event(event.asset, event.modelName),
      JSON.stringify({
        start: new Date(event.startMs).toISOString(),
        end: new Date(event.endMs).toISOString(),
        peakScore: event.peakScore,
        peakAt: new Date(event.peakAtMs).toISOString(),
        windows: event.windows,
        threshold: event.threshold,
        modelName: event.modelName,
        modelVersion: event.modelVersion,
      }),
      { qos: this.config.broker.qos },
    );
    this.emit('event', event);
  }

  private publishStatus(event: HostEvent | 'stopped', refusal: Refusal | undefined): void {
    const { serving, shadow } = this.host;
    const ref = (model: ScoringModel) => ({
      modelName: model.modelName,
      modelVersion: model.modelVersion,
      threshold: model.threshold,
      loadedAt: model.loadedAt.toISOString(),
    });
    const agreement = this.host.agreement;
    const status = {
      ts: new Date().toISOString(),
      event,
      ...(serving === undefined ? {} : { serving: ref(serving) }),
      ...(shadow === undefined
        ? {}
        : {
            shadow: {
              ...ref(shadow),
              ...(agreement.ratio === null ? {} : { agreement: agreement.ratio }),
              windowsCompared: agreement.windows,
            },
          }),
      swaps: this.host.swaps,
      ...(refusal === undefined
        ? {}
        : {
            refusal: {
              role: refusal.role,
              ...(refusal.modelVersion === null ? {} : { modelVersion: refusal.modelVersion }),
              reason: refusal.reason.slice(0, 2048),
            },
          }),
    };
    this.client.publish(
      this.topics.status(serving?.modelName ?? shadow?.modelName ?? 'none'),
      JSON.stringify(status),
      { qos: 1, retain: true },
    );
  }

  /**
   * Stops gracefully: no new telemetry, the windows already assembled are scored and published,
   * open anomaly runs are closed as events, the status says `stopped`, then the sessions are
   * released.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.reclaimer.stop();
    this.drift.stop();
    for (const watch of this.watches) watch.stop();
    const connected = this.client.connected;
    const filters =
      this.host.geometry?.channels.map((channel) => this.topics.telemetryFilter(channel)) ?? [];
    await shutDownInSteps(
      [
        ['the broker to unsubscribe', () => unsubscribeAtShutdown(this.client, filters)],
        ['the windows assembled to be scored', () => this.batcher.idle()],
        [
          'the open anomaly runs and the stopped status',
          () => {
            this.tracker?.closeAll();
            if (this.host.serving !== undefined) this.publishStatus('stopped', undefined);
          },
        ],
        [
          'the broker to acknowledge and disconnect',
          () => endConnection(this.client, { connected, logger: this.logger }),
        ],
        ['the model sessions to close', () => this.host.close()],
        ['the HTTP server to close', () => this.http?.close()],
      ],
      this.logger,
    );
  }
}

function brokerOptions(config: InferenceConfig): IClientOptions {
  return {
    ...mqttConnectionOptions(config.broker),
    clean: true,
    resubscribe: true,
  };
}
