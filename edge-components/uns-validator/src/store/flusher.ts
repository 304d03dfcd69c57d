/**
 * Moves the aggregator's counts to the store periodically and at shutdown. A failed write is kept
 * and retried, merged with the next one, within bounds; every flush is reported for metrics.
 */
import {
  EMPTY_BATCH,
  mergeBatches,
  messageCount,
  type ValidationCount,
  type VerdictBatch,
} from './batch';
import type { ValidationStore } from './store';

/** Where the flusher takes batches from (a `VerdictAggregator`). */
export interface BatchSource {
  drain(): VerdictBatch;
}

/** The outcome of one flush. */
export type FlushReport =
  | {
      readonly ok: true;
      /** Count rows and samples written (retained ones of failed flushes included). */
      readonly countRows: number;
      readonly samples: number;
    }
  | {
      readonly ok: false;
      readonly error: unknown;
      /** Count rows and samples kept for the next flush. */
      readonly countRows: number;
      readonly samples: number;
      /** Messages whose counts were discarded because the retained rows hit `maxPendingCounts`. */
      readonly droppedMessages: number;
      /** Samples discarded because the retained samples hit `maxPendingSamples`. */
      readonly droppedSamples: number;
      /** Failed flushes in a row, this one included. */
      readonly consecutiveFailures: number;
    };

/** Tuning of a {@link StoreFlusher}; every field has a default. */
export interface FlusherOptions {
  /** Time between two flushes once started (default 10 000 ms). */
  readonly intervalMs?: number;
  /** Most count rows kept across failed writes (default 100 000); the oldest buckets go first. */
  readonly maxPendingCounts?: number;
  /** Most samples kept across failed writes (default 1 000); the oldest go first. */
  readonly maxPendingSamples?: number;
  /** Called after every flush, e.g. to update metrics. Must not throw. */
  readonly onFlush?: (report: FlushReport) => void;
}

/**
 * Flushes `source` into `store` every `intervalMs` after {@link start}, on demand with
 * {@link flush}, and a last time on {@link close}. Flushes never overlap: a flush waits for the one
 * in progress, and a timer tick during a flush is skipped.
 */
export class StoreFlusher {
  private readonly intervalMs: number;
  private readonly maxPendingCounts: number;
  private readonly maxPendingSamples: number;
  private pending: VerdictBatch = EMPTY_BATCH;
  private consecutiveFailures = 0;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing = false;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly source: BatchSource,
    private readonly store: Pick<ValidationStore, 'record'>,
    private readonly options: FlusherOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 10_000;
    this.maxPendingCounts = options.maxPendingCounts ?? 100_000;
    this.maxPendingSamples = options.maxPendingSamples ?? 1_000;
  }

  /** Starts flushing every `intervalMs`; the timer does not keep the process alive. */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      if (!this.flushing) void this.flush();
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Failed flushes since creation (a metric). */
  get failedFlushes(): number {
    return this.failures;
  }

  /** Writes everything accumulated (and anything retained from failed flushes) now. */
  flush(): Promise<FlushReport> {
    const report = this.tail.then(() => this.flushOnce());
    this.tail = report.catch(() => undefined);
    return report;
  }

  /**
   * Stops the timer and flushes a last time, after any flush in progress. When that last write
   * fails, the report says so and what it held is lost with the process.
   */
  close(): Promise<FlushReport> {
    clearInterval(this.timer);
    this.timer = undefined;
    return this.flush();
  }

  private async flushOnce(): Promise<FlushReport> {
    this.flushing = true;
    const batch = mergeBatches(this.pending, this.source.drain());
    this.pending = EMPTY_BATCH;
    let report: FlushReport;
    try {
      await this.store.record(batch);
      this.consecutiveFailures = 0;
      report = { ok: true, countRows: batch.counts.length, samples: batch.violations.length };
    } catch (error) {
      this.failures++;
      this.consecutiveFailures++;
      const counts = newestBuckets(batch.counts, this.maxPendingCounts);
      const violations =
        this.maxPendingSamples === 0 ? [] : batch.violations.slice(-this.maxPendingSamples);
      this.pending = { counts, violations };
      report = {
        ok: false,
        error,
        countRows: counts.length,
        samples: violations.length,
        droppedMessages: messageCount(batch.counts) - messageCount(counts),
        droppedSamples: batch.violations.length - violations.length,
        consecutiveFailures: this.consecutiveFailures,
      };
    } finally {
      this.flushing = false;
    }
    this.options.onFlush?.(report);
    return report;
  }
}

/** At most `max` counts, those of the newest buckets. */
function newestBuckets(counts: readonly ValidationCount[], max: number): ValidationCount[] {
  if (counts.length <= max) return [...counts];
  return [...counts]
    .sort((a, b) => b.bucketStart.getTime() - a.bucketStart.getTime())
    .slice(0, max);
}
