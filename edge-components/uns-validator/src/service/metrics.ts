import type { DispatchState, LoadSample } from '../dispatch/load-policy';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { LatencyHistogram } from './latency-histogram';

/** The validator's Prometheus metrics, in a registry of their own. */
export class ValidatorMetrics {
  readonly registry = new Registry();
  /** Messages validated, by verdict (`valid`/`invalid`) and first error kind. */
  readonly messages: Counter<'verdict' | 'error_kind'>;
  /** Messages not validated because the worker queues were full, or a worker failed. */
  readonly dropped = new Counter({
    name: 'uns_validator_messages_dropped_total',
    help: 'UNS messages received but not validated, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  /** Receive-to-verdict latency. */
  readonly latency = new LatencyHistogram({
    name: 'uns_validator_verdict_latency_seconds',
    help: 'Time from receiving a message to its verdict',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  /** Messages republished by enforcement (quarantine, filter). */
  readonly republished = new Counter({
    name: 'uns_validator_republished_total',
    help: 'Messages republished by the enforcement modes',
    labelNames: ['mode'] as const,
    registers: [this.registry],
  });
  /** Worker threads restarted, from the pool's counters. */
  readonly workerRestarts = new Gauge({
    name: 'uns_validator_worker_restarts',
    help: 'Validation worker threads restarted since start (a message crashed or stalled one)',
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'uns_validator_queue_depth',
    help: 'Messages waiting for or in validation',
    registers: [this.registry],
  });
  readonly brokerConnected = new Gauge({
    name: 'uns_validator_broker_connected',
    help: '1 while connected to the UNS broker',
    registers: [this.registry],
  });
  readonly contractReloads = new Counter({
    name: 'uns_validator_contract_reloads_total',
    help: 'Contract reloads, by result (applied, rejected)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  /** 1 for each contract in force, labelled with its title and version. */
  readonly contractInfo = new Gauge({
    name: 'uns_validator_contract_info',
    help: 'Contracts in force',
    labelNames: ['title', 'version'] as const,
    registers: [this.registry],
  });
  /** Warnings of each contract in force (examples contradicting its schemas), by title and version. */
  readonly contractWarnings = new Gauge({
    name: 'uns_validator_contract_warnings',
    help: 'Warnings of the contracts in force (examples that contradict their schemas)',
    labelNames: ['title', 'version'] as const,
    registers: [this.registry],
  });
  /**
   * Invalid messages of a site, by what became of them: `published` as a violation sample,
   * `over-cap` when the site had its samples of the summary interval already.
   */
  readonly violationSamples = new Counter({
    name: 'uns_validator_violation_samples_total',
    help: 'Invalid messages of a site published as violation samples, or over the cap of the interval',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  /** `violationSamples` by result, looked up once (over the cap, it counts every invalid message). */
  readonly samplesPublished = this.violationSamples.labels({ result: 'published' });
  readonly samplesOverCap = this.violationSamples.labels({ result: 'over-cap' });
  readonly storeFlushFailures = new Counter({
    name: 'uns_validator_store_flush_failures_total',
    help: 'Failed writes of counts and samples to the store (kept and retried)',
    registers: [this.registry],
  });
  /** Retention runs of the store, by result (`ok`, `failed`). */
  readonly storePrunes = new Counter({
    name: 'uns_validator_store_prunes_total',
    help: 'Retention runs of the store, by result (ok, failed)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  /** Rows retention deleted, by table. */
  readonly storePrunedRows = new Counter({
    name: 'uns_validator_store_pruned_rows_total',
    help: 'Rows deleted by retention, by table',
    labelNames: ['table'] as const,
    registers: [this.registry],
  });

  /** 1 while messages are judged inline on the main thread, 0 while on worker threads. */
  readonly dispatchInline = new Gauge({
    name: 'uns_validator_dispatch_inline',
    help: 'Whether the dispatcher judges messages inline on the main thread (1) or on worker threads (0)',
    registers: [this.registry],
  });
  /** Worker threads running. */
  readonly dispatchWorkers = new Gauge({
    name: 'uns_validator_dispatch_workers',
    help: 'Validation worker threads running',
    registers: [this.registry],
  });
  /** Changes of arrangement, by the mode changed to. */
  readonly dispatchChanges = new Counter({
    name: 'uns_validator_dispatch_changes_total',
    help: 'Changes of the dispatcher arrangement (inline or worker threads, number of workers), by mode changed to',
    labelNames: ['mode'] as const,
    registers: [this.registry],
  });
  /** Share of the last adaptation interval the main thread was busy. */
  readonly mainUtilization = new Gauge({
    name: 'uns_validator_main_thread_utilization',
    help: 'Share of the last adaptation interval the main thread event loop was busy (0-1)',
    registers: [this.registry],
  });
  /** Busy time of the worker threads over the last adaptation interval, in cores. */
  readonly workerCores = new Gauge({
    name: 'uns_validator_worker_busy_cores',
    help: 'Busy time of the worker threads over the last adaptation interval, in cores',
    registers: [this.registry],
  });

  /**
   * Verdicts counted since the last scrape, per error kind (`''`: valid): the hot path adds to a
   * plain number, and `messages` takes them over when it is collected.
   */
  private readonly uncountedVerdicts = new Map<string, number>();

  /**
   * `beforeCollect`: brings the verdict counts up to date before `messages` is read (counts the
   * service keeps elsewhere for a while, see `ValidVerdictTally`).
   */
  constructor(beforeCollect: () => void = () => undefined) {
    const uncounted = this.uncountedVerdicts;
    this.messages = new Counter({
      name: 'uns_validator_messages_total',
      help: 'UNS messages validated, by verdict and error kind',
      labelNames: ['verdict', 'error_kind'] as const,
      registers: [this.registry],
      collect() {
        beforeCollect();
        for (const [errorKind, count] of uncounted) {
          this.inc(
            { verdict: errorKind === '' ? 'valid' : 'invalid', error_kind: errorKind },
            count,
          );
        }
        uncounted.clear();
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'uns_validator_' });
  }

  /** Records the dispatcher's arrangement; a change (with `reason`) is counted. */
  dispatchDecided(state: DispatchState & { readonly reason?: string }): void {
    this.dispatchInline.set(state.mode === 'inline' ? 1 : 0);
    this.dispatchWorkers.set(state.workers);
    if (state.reason !== undefined) this.dispatchChanges.inc({ mode: state.mode });
  }

  /** Records the load of an adaptation interval. */
  loadMeasured(load: LoadSample): void {
    this.mainUtilization.set(load.mainUtilization);
    this.workerCores.set(load.workerCores);
  }

  /** Counts `count` judged messages (default one; the hot path: one map update, no label hashing). */
  countVerdict(valid: boolean, errorKind: string, count = 1): void {
    const key = valid ? '' : errorKind;
    this.uncountedVerdicts.set(key, (this.uncountedVerdicts.get(key) ?? 0) + count);
  }
}
