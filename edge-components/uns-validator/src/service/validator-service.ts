import { EventEmitter } from 'node:events';
import { existsSync, watch, type FSWatcher } from 'node:fs';
import {
  disableNagle,
  endConnection,
  reclaimMemory,
  httpErrorLogger,
  mqttConnectionOptions,
  reclaimMemoryWhenQuiet,
  type MemoryReclaimer,
  shutDownInSteps,
  unsubscribeAtShutdown,
  watchBrokerConnection,
} from '@uns-mlops/edge-common';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { ComplianceQueries } from '../api/compliance-queries';
import { complianceRoutes } from '../api/compliance-routes';
import { compileContracts } from '../contract/compile-contracts';
import { describeContracts, describeWarning } from '../contract/describe-contracts';
import type { ContractDescription, LoadedContracts } from '../contract/model';
import { AdaptiveDispatcher, type DispatchSink } from '../dispatch/adaptive-dispatcher';
import { PoolClosedError } from '../pool';
import { ProcessorChains, processorMetrics, type Publication } from '../processors';
import {
  openStore,
  RetentionPruner,
  StoreFlusher,
  VerdictAggregator,
  type FlushReport,
  type PruneReport,
  type ValidationStore,
} from '../store';
import { isSharedVerdict, processingFailedVerdict } from '../validate/validate-message';
import type { Verdict } from '../verdict';
import { ComplianceSummaries } from './compliance-summaries';
import type { ValidatorConfig } from './config';
import {
  type ContractsMessage,
  ContractsPublication,
  contractsInForce,
} from './contracts-in-force';
import { startHttpServer, type RunningHttpServer } from './http-server';
import { ValidatorMetrics } from './metrics';
import { ValidVerdictTally } from './valid-verdict-tally';
import { orderingKey } from './validation-task';
import { ViolationSamples } from './violation-samples';

/** A judged message, as the service reports it to listeners (tests, benchmarks, the local plant). */
export interface VerdictEvent {
  readonly verdict: Verdict;
  readonly payload: Buffer;
  /** Wall-clock receive time, ms since the epoch. */
  readonly receivedAt: number;
}

/** Quiet time after a contract file changes before it is reloaded (editors write in steps). */
const RELOAD_DEBOUNCE_MS = 250;

/**
 * The running validator: subscribes to the UNS, has every message judged by the dispatcher,
 * records verdicts in the store, applies the enforcement modes, publishes compliance summaries,
 * violation samples and the contracts in force, reloads contracts when their files change and
 * serves health, metrics and the compliance API.
 */
export class ValidatorService extends EventEmitter<{ verdict: [VerdictEvent] }> {
  private readonly summaries = new ComplianceSummaries();
  private readonly violationSamples: ViolationSamples;
  private readonly contractsPublication: ContractsPublication;
  private readonly aggregator: VerdictAggregator;
  /** Valid messages counted by their shared verdict, folded into the records before they are read. */
  private readonly validVerdicts: ValidVerdictTally;
  private readonly flusher: StoreFlusher;
  private readonly pruner: RetentionPruner;
  private readonly client: MqttClient;
  private readonly watchers: FSWatcher[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private http: RunningHttpServer | undefined;
  private reloadTimer: NodeJS.Timeout | undefined;
  private pausedForBackpressure = false;
  /** The broker acknowledged the subscriptions of the current connection. */
  private subscribed = false;
  private consecutiveFlushFailures = 0;
  private stopping = false;
  private reclaimer: MemoryReclaimer | undefined;

  private constructor(
    private readonly config: ValidatorConfig,
    private readonly logger: Logger,
    private readonly store: ValidationStore,
    private contracts: LoadedContracts,
    /** Judges each message inline or on worker threads, adapting to the load. */
    readonly dispatcher: AdaptiveDispatcher,
    /** What runs on each judged message after validation: enforcement and the plant's own. */
    private readonly processors: ProcessorChains,
    readonly metrics: ValidatorMetrics,
  ) {
    super();
    const { enterprise, site, violationSamplesPerSite } = config.summaries;
    this.violationSamples = new ViolationSamples(enterprise, violationSamplesPerSite);
    this.contractsPublication = new ContractsPublication(enterprise, site);
    this.aggregator = new VerdictAggregator({
      bucketSeconds: config.store.bucketSeconds,
      samplesPerKind: config.store.samplesPerKind,
    });
    this.validVerdicts = new ValidVerdictTally(
      config.store.bucketSeconds * 1000,
      (verdict, count, bucketStart) => {
        this.metrics.countVerdict(true, '', count);
        this.aggregator.addValid(verdict, bucketStart, count);
        this.summaries.add(verdict, count);
      },
    );
    const verdictCounts = {
      drain: () => {
        this.validVerdicts.foldAll();
        return this.aggregator.drain();
      },
    };
    this.flusher = new StoreFlusher(verdictCounts, store, {
      intervalMs: config.store.flushIntervalMs,
      onFlush: (report) => {
        this.onFlush(report);
      },
    });
    this.pruner = new RetentionPruner(store, {
      days: config.store.retention.days,
      intervalMs: config.store.retention.pruneIntervalMs,
      exclusive: (work) => this.flusher.exclusive(work),
      onPrune: (report) => {
        this.onPrune(report);
      },
    });
    this.client = connect(config.broker.url, brokerOptions(config));
    // Listen at once: the connection may complete while start-up still awaits the store.
    this.listenToBroker();
  }

  private listenToBroker(): void {
    watchBrokerConnection(this.client, this.config.broker.url, this.logger, {
      connected: () => {
        // Republications and samples leave at once, not after the previous packet's ACK.
        disableNagle(this.client.stream);
        this.metrics.brokerConnected.set(1);
        const { topics, qos } = this.config.broker;
        this.client.subscribe(topics, { qos }, (error) => {
          if (error) this.logger.error({ err: error }, 'subscription failed');
          else this.subscribed = true;
        });
      },
      disconnected: () => {
        this.subscribed = false;
        this.metrics.brokerConnected.set(0);
      },
    });
    this.client.on('message', (topic, payload) => {
      this.onMessage(topic, payload);
    });
  }

  /**
   * Opens the store, loads the contracts, starts the workers, the HTTP server and the broker
   * connection. Resolves once everything is started (the broker may still be connecting: readiness
   * says when it is).
   *
   * @throws when the store cannot be opened or the contracts cannot be loaded.
   */
  static async start(config: ValidatorConfig, logger: Logger): Promise<ValidatorService> {
    const store = await openStore({
      databaseUrl: config.store.databaseUrl,
      dataDir: config.store.dataDir,
    });
    let processors: ProcessorChains | undefined;
    let dispatcher: AdaptiveDispatcher | undefined;
    let service: ValidatorService | undefined;
    try {
      const applied = await store.migrate();
      if (applied.length > 0) logger.info({ migrations: applied }, 'store migrated');
      const descriptions = await describeContracts(config.contracts.paths, {
        strict: config.contracts.strict,
      });
      logWarnings(logger, descriptions);
      const contracts = compileContracts(descriptions);
      // The service is created last; what reaches it before (nothing: it has not connected yet)
      // would be ignored.
      const started: { service?: ValidatorService } = {};
      const metrics = new ValidatorMetrics(() => {
        started.service?.validVerdicts.foldAll();
      });
      processors = await ProcessorChains.load({
        file: config.processors.file,
        enforcement: config.enforcement,
        logger,
        metrics: processorMetrics(metrics.registry),
        publish: (publication) => {
          started.service?.republish(publication);
        },
        orderingKey,
        channelIds: () => channelIdsOf(started.service?.loadedContracts ?? contracts),
      });
      const sink: DispatchSink = {
        verdict: (verdict, _topic, payload, receivedAt, begun) => {
          started.service?.onVerdict(verdict, payload, receivedAt, begun);
        },
        failed: (error, topic, payload, receivedAt, begun) => {
          started.service?.onProcessingFailure(error, topic, payload, receivedAt, begun);
        },
        dropped: (reason) => {
          metrics.dropped.inc({ reason });
        },
      };
      // Connect only once every worker is up: messages would otherwise pile up and be dropped.
      dispatcher = await AdaptiveDispatcher.start({
        contracts: { described: descriptions, compiled: contracts },
        limits: config.limits,
        policy: {
          dispatch: config.pool.dispatch,
          minWorkers: config.pool.minWorkers,
          maxWorkers: config.pool.workers,
          cores: availableParallelism(),
          spareCores: config.pool.spareCores,
        },
        intervalMs: config.pool.adaptIntervalMs,
        queueCapacity: config.pool.queueCapacity,
        overload: config.pool.overload,
        workerModule: workerModule(),
        resourceLimits: { maxOldGenerationSizeMb: config.pool.workerHeapMb },
        taskTimeoutMs: config.pool.taskTimeoutMs,
        sink,
      });
      service = new ValidatorService(
        config,
        logger,
        store,
        contracts,
        dispatcher,
        processors,
        metrics,
      );
      started.service = service;
      await service.begin();
      return service;
    } catch (error) {
      // What had started stops again: the broker connection, the worker threads, the plug-ins.
      if (service !== undefined) {
        await service.stop().catch(() => undefined);
      } else {
        await dispatcher?.close();
        await processors?.close();
        await store.close();
      }
      throw error;
    }
  }

  /** Port of the HTTP endpoints (useful when configured as 0). */
  get httpPort(): number {
    return this.http?.port ?? 0;
  }

  /** Contracts in force. */
  get loadedContracts(): LoadedContracts {
    return this.contracts;
  }

  private async begin(): Promise<void> {
    await this.contractsLoaded();
    this.flusher.start();
    this.pruner.start();
    this.dispatcher.on('workerError', (error, index) => {
      this.logger.error({ err: error, worker: index }, 'validation worker failed; restarted');
    });
    this.dispatcher.on('decision', (decision) => {
      this.metrics.dispatchDecided(decision);
      this.logger.info(
        {
          mode: decision.mode,
          workers: decision.workers,
          from: decision.from,
          reason: decision.reason,
          tookMs: Math.round(decision.tookMs),
        },
        'dispatcher rearranged',
      );
    });
    this.dispatcher.on('load', (load) => {
      this.metrics.loadMeasured(load);
    });
    this.metrics.dispatchDecided(this.dispatcher.state);
    this.http = await startHttpServer(
      { ...this.config.http, onError: httpErrorLogger(this.logger) },
      this.httpHandlers(),
    );
    this.timers.push(
      setInterval(() => {
        this.publishSummaries();
      }, this.config.summaries.intervalMs),
      setInterval(() => {
        const { inFlight, held, restarts } = this.dispatcher.stats();
        this.metrics.queueDepth.set(inFlight + held);
        this.metrics.workerRestarts.set(restarts);
      }, 1000),
    );
    this.watchContracts();
    this.processors.watch();
    // Opening the embedded store leaves about 430 MB of garbage that V8 may hold for minutes.
    reclaimMemory();
    this.reclaimer = reclaimMemoryWhenQuiet(() => this.dispatcher.dispatched, {
      logger: this.logger,
    });
  }

  private onMessage(topic: string, payload: Buffer): void {
    if (this.processors.isOutput(topic)) return;
    this.dispatcher.dispatch(topic, payload, Date.now(), performance.now());
    const { dispatcher } = this;
    if (
      !dispatcher.writable &&
      (this.config.pool.overload === 'backpressure' || dispatcher.rearranging)
    ) {
      this.pauseReading();
    }
  }

  private onVerdict(verdict: Verdict, payload: Buffer, receivedAt: number, started: number): void {
    this.metrics.latency.observe((performance.now() - started) / 1000);
    if (verdict.valid && isSharedVerdict(verdict)) {
      this.validVerdicts.add(verdict, receivedAt);
    } else {
      this.metrics.countVerdict(verdict.valid, verdict.errors[0]?.kind ?? '');
      this.aggregator.add(verdict, { receivedAt, payload });
      this.summaries.add(verdict);
      this.sampleViolation(verdict, payload, receivedAt);
    }
    if (this.processors.hasWork(verdict.channel)) {
      this.processors.process({
        topic: verdict.topic,
        channel: verdict.channel,
        verdict,
        payload,
        receivedAt,
      });
    }
    this.emit('verdict', { verdict, payload, receivedAt });
  }

  /**
   * A message the pool could not judge: its worker died or stalled on it (or its handler threw),
   * so it is judged `processing-failed`, once, and goes the way of every invalid message; only a
   * message still queued when the validator stops is dropped.
   */
  private onProcessingFailure(
    error: unknown,
    topic: string,
    payload: Buffer,
    receivedAt: number,
    started: number,
  ): void {
    if (error instanceof PoolClosedError) {
      this.metrics.dropped.inc({ reason: 'stopping' });
      return;
    }
    const reason = error instanceof Error ? error.message : String(error);
    this.logger.warn({ err: error, topic }, 'message judged processing-failed');
    this.onVerdict(
      processingFailedVerdict(this.contracts, topic, reason),
      payload,
      receivedAt,
      started,
    );
  }

  /** Publishes what a processor (enforcement included) republishes. */
  private republish(publication: Publication): void {
    this.client.publish(publication.topic, publication.payload, {
      qos: this.config.broker.qos,
      retain: publication.retain ?? false,
    });
    if (publication.kind !== undefined) this.metrics.republished.inc({ mode: publication.kind });
  }

  /**
   * Backpressure (or a dispatcher change holding messages back): stop reading from the broker
   * until there is room again.
   */
  private pauseReading(): void {
    if (this.pausedForBackpressure) return;
    this.pausedForBackpressure = true;
    this.client.stream.pause();
    this.dispatcher.whenWritable().then(
      () => {
        this.pausedForBackpressure = false;
        this.client.stream.resume();
      },
      () => undefined,
    );
  }

  /** Publishes an invalid message as a violation sample while its site is under the cap. */
  private sampleViolation(verdict: Verdict, payload: Buffer, receivedAt: number): void {
    const outcome = this.violationSamples.take(verdict, receivedAt, payload);
    if (outcome?.result === 'sample') {
      this.metrics.samplesPublished.inc();
      this.client.publish(outcome.message.topic, outcome.message.payload, { qos: 1 });
    } else if (outcome?.result === 'over-cap') {
      this.metrics.samplesOverCap.inc();
    }
  }

  /**
   * Ends the summary interval: publishes its summaries, the contracts in force for sites summarized
   * for the first time since they were loaded, and lets every site have violation samples again.
   */
  private publishSummaries(): void {
    this.validVerdicts.foldAll();
    const summaries = this.summaries.drain(this.config.summaries.enterprise);
    for (const { topic, payload } of summaries) {
      this.client.publish(topic, payload, { qos: 1 });
    }
    this.publishContracts(this.contractsPublication.forSites(summaries.map(({ site }) => site)));
    this.violationSamples.nextInterval();
  }

  /** Publishes the contracts in force, retained: a subscriber gets the last ones at once. */
  private publishContracts(messages: readonly ContractsMessage[]): void {
    for (const { topic, payload } of messages) {
      this.client.publish(topic, payload, { qos: 1, retain: true });
    }
  }

  private onFlush(report: FlushReport): void {
    if (report.ok) {
      this.consecutiveFlushFailures = 0;
      return;
    }
    this.consecutiveFlushFailures = report.consecutiveFailures;
    this.metrics.storeFlushFailures.inc();
    this.logger.error(
      { err: report.error, droppedMessages: report.droppedMessages },
      'writing verdicts to the store failed; kept for the next flush',
    );
  }

  private onPrune(report: PruneReport): void {
    this.metrics.storePrunes.inc({ result: report.ok ? 'ok' : 'failed' });
    if (!report.ok) {
      this.logger.error(
        { err: report.error, before: report.before },
        'pruning the store failed; retried at the next interval',
      );
      return;
    }
    const { counts, samples, batches } = report.deleted;
    this.metrics.storePrunedRows.inc({ table: 'validation_counts' }, counts);
    this.metrics.storePrunedRows.inc({ table: 'violation_samples' }, samples);
    this.metrics.storePrunedRows.inc({ table: 'applied_batches' }, batches);
    this.logger.info({ before: report.before, deleted: report.deleted }, 'store pruned');
  }

  private watchContracts(): void {
    for (const path of this.config.contracts.paths) {
      if (!existsSync(path)) continue;
      const watcher = watch(path, () => {
        clearTimeout(this.reloadTimer);
        this.reloadTimer = setTimeout(() => void this.reloadContracts(), RELOAD_DEBOUNCE_MS);
      });
      this.watchers.push(watcher);
    }
  }

  /**
   * Parses the changed contracts; if they load, every worker switches to them (messages queued
   * before the switch are judged by the old ones). If they do not, the current contracts stay
   * and the failure is logged and counted.
   */
  async reloadContracts(): Promise<boolean> {
    const { paths, strict } = this.config.contracts;
    let descriptions: ContractDescription[];
    let contracts: LoadedContracts;
    try {
      descriptions = await describeContracts(paths, { strict });
      contracts = compileContracts(descriptions);
    } catch (error) {
      this.metrics.contractReloads.inc({ result: 'rejected' });
      this.logger.error(
        { err: error },
        'changed contracts rejected; the previous contracts stay in force',
      );
      return false;
    }
    await this.dispatcher.reload(descriptions, contracts);
    this.contracts = contracts;
    await this.contractsLoaded();
    this.metrics.contractReloads.inc({ result: 'applied' });
    this.logger.info({ contracts: contractSummaries(contracts) }, 'contracts reloaded');
    logWarnings(this.logger, descriptions);
    return true;
  }

  /**
   * What follows loading contracts (at start or reload): their metrics, their record in the store,
   * and their publication to the sites known.
   */
  private async contractsLoaded(): Promise<void> {
    const loadedAt = new Date();
    this.updateContractMetrics();
    await this.recordContracts(loadedAt);
    this.publishContracts(
      this.contractsPublication.loaded(
        contractsInForce(this.contracts, this.config.enforcement),
        loadedAt,
      ),
    );
  }

  private async recordContracts(loadedAt: Date): Promise<void> {
    for (const contract of this.contracts.contracts) {
      await this.store.recordContract({
        title: contract.title,
        version: contract.version,
        source: contract.source,
        channels: contract.channels.map((channel) => channel.id),
        loadedAt,
      });
    }
  }

  private updateContractMetrics(): void {
    this.metrics.contractInfo.reset();
    this.metrics.contractWarnings.reset();
    for (const contract of this.contracts.contracts) {
      const labels = { title: contract.title, version: contract.version };
      this.metrics.contractInfo.set(labels, 1);
      this.metrics.contractWarnings.set(labels, contract.warnings.length);
    }
  }

  private httpHandlers(): Parameters<typeof startHttpServer>[1] {
    return {
      component: 'uns-validator',
      health: () => ({
        ok: this.consecutiveFlushFailures < 3,
        checks: { storeWrites: this.consecutiveFlushFailures < 3 ? 'ok' : 'failing' },
      }),
      readiness: () => {
        const checks = {
          contracts: true,
          brokerConnected: this.client.connected,
          subscribed: this.subscribed,
          stopping: this.stopping,
        };
        return { ok: checks.brokerConnected && checks.subscribed && !this.stopping, checks };
      },
      metrics: async () => ({
        contentType: this.metrics.registry.contentType,
        body: await this.metrics.registry.metrics(),
      }),
      api: complianceRoutes({
        queries: new ComplianceQueries(this.store.sql),
        contractsInForce: () => contractsInForce(this.contracts, this.config.enforcement),
      }),
    };
  }

  /**
   * Stops cleanly: no new messages, every message already received judged and recorded, a last
   * summary published, the store flushed and closed.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const watcher of this.watchers) watcher.close();
    for (const timer of this.timers) clearInterval(timer);
    this.reclaimer?.stop();
    clearTimeout(this.reloadTimer);
    const connected = this.client.connected;
    await shutDownInSteps(
      [
        ['the store pruner', () => this.pruner.stop()],
        [
          'the broker to unsubscribe',
          () => unsubscribeAtShutdown(this.client, this.config.broker.topics),
        ],
        ['the messages received to be judged', () => this.dispatcher.close()],
        ['the processor chains', () => this.processors.close()],
        [
          'the last summaries',
          () => {
            this.publishSummaries();
          },
        ],
        [
          'the broker to acknowledge and disconnect',
          () => endConnection(this.client, { connected, logger: this.logger }),
        ],
        ['the store flush', () => this.flusher.close()],
        ['the store to close', () => this.store.close()],
        ['the HTTP server to close', () => this.http?.close()],
      ],
      this.logger,
    );
  }
}

/** The ids of every channel of the contracts. */
function channelIdsOf(contracts: LoadedContracts): string[] {
  return contracts.contracts.flatMap(({ channels }) => channels.map(({ id }) => id));
}

/** The worker entry: the bundle beside `main.js` in the artifact, the TypeScript source otherwise. */
function workerModule(): string {
  return __filename.endsWith('.ts')
    ? join(__dirname, 'validation-worker.ts')
    : join(__dirname, 'validation-worker.js');
}

function brokerOptions(config: ValidatorConfig): IClientOptions {
  const { broker } = config;
  const persistentSession = broker.qos > 0;
  return {
    ...mqttConnectionOptions(broker),
    // With QoS 1 the broker keeps the session (and queued messages) while the validator is away.
    clean: !persistentSession,
    properties:
      persistentSession && broker.protocolVersion === 5
        ? { sessionExpiryInterval: 3600 }
        : undefined,
    resubscribe: true,
  };
}

/** Logs the warnings of each contract that has some (examples contradicting its schemas). */
function logWarnings(logger: Logger, descriptions: readonly ContractDescription[]): void {
  for (const { info, warnings } of descriptions) {
    if (warnings.length === 0) continue;
    logger.warn(
      {
        contract: `${info.title} ${info.version}`,
        source: info.source,
        warnings: warnings.map(describeWarning),
      },
      'contract loaded with examples that contradict its schemas (examples are not payload rules)',
    );
  }
}

function contractSummaries(contracts: LoadedContracts): string[] {
  return contracts.contracts.map((contract) => `${contract.title} ${contract.version}`);
}
