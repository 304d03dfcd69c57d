/**
 * Moves the aggregator's counts to the store periodically and at shutdown, idempotently: a batch
 * gets an id when it is first sent and is resent unchanged, with that id, until a write of it
 * succeeds, so a retry after a lost acknowledgement (committed, but the answer never arrived) does
 * not count twice. What is drained meanwhile waits, merged and bounded, to be the next batch.
 * Every flush is reported for metrics.
 */
import { randomUUID } from 'node:crypto';
import {
  EMPTY_BATCH,
  isEmpty,
  mergeBatches,
  messageCount,
  type BatchIdentity,
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
      /** Count rows and samples written (a resent batch included). */
      readonly countRows: number;
      readonly samples: number;
    }
  | {
      readonly ok: false;
      readonly error: unknown;
      /** Count rows and samples kept for the next flush. */
      readonly countRows: number;
      readonly samples: number;
      /** Messages whose counts were discarded because the backlog hit `maxPendingCounts`. */
      readonly droppedMessages: number;
      /** Samples discarded because the backlog hit `maxPendingSamples`. */
      readonly droppedSamples: number;
      /** Failed flushes in a row, this one included. */
      readonly consecutiveFailures: number;
    };

type FailedFlush = Extract<FlushReport, { ok: false }>;

/** Tuning of a {@link StoreFlusher}; every field has a default. */
export interface FlusherOptions {
  /** Time between two flushes once started (default 10 000 ms). */
  readonly intervalMs?: number;
  /**
   * Most count rows kept in the backlog while writes fail (default 100 000); the oldest buckets go
   * first. The batch awaiting its acknowledgement is kept whole besides.
   */
  readonly maxPendingCounts?: number;
  /** Most samples kept in the backlog while writes fail (default 1 000); the oldest go first. */
  readonly maxPendingSamples?: number;
  /** Called after every flush, e.g. to update metrics. Must not throw. */
  readonly onFlush?: (report: FlushReport) => void;
}

/** A batch sent at least once: whether it was committed is unknown until a write of it succeeds. */
interface SentBatch {
  readonly identity: BatchIdentity;
  readonly batch: VerdictBatch;
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
  /** Sent, outcome unknown: resent as it is before anything new. */
  private unacknowledged: SentBatch | undefined;
  /** Drained while a write failed, never sent: merged into the next batch. */
  private backlog: VerdictBatch = EMPTY_BATCH;
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

  /**
   * Writes everything accumulated now: first a batch whose write failed, resent unchanged, then
   * everything drained since, as a new batch.
   */
  flush(): Promise<FlushReport> {
    return this.exclusive(() => this.flushOnce());
  }

  /**
   * Runs `work` between two flushes, never alongside one (e.g. pruning the store), after the
   * flushes already requested.
   */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    this.tail = result.catch(() => undefined);
    return result;
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
    let report: FlushReport;
    try {
      const resent = await this.sendUnacknowledged();
      const batch = mergeBatches(this.backlog, this.source.drain());
      this.backlog = EMPTY_BATCH;
      if (!isEmpty(batch)) {
        this.unacknowledged = { identity: { id: randomUUID(), formedAt: new Date() }, batch };
      }
      const sent = await this.sendUnacknowledged();
      this.consecutiveFailures = 0;
      report = {
        ok: true,
        countRows: resent.counts.length + sent.counts.length,
        samples: resent.violations.length + sent.violations.length,
      };
    } catch (error) {
      this.failures++;
      this.consecutiveFailures++;
      report = { ok: false, error, ...this.keep(this.source.drain()) };
    } finally {
      this.flushing = false;
    }
    this.options.onFlush?.(report);
    return report;
  }

  /** Writes the unacknowledged batch (if any) with its identity; returns it once that succeeded. */
  private async sendUnacknowledged(): Promise<VerdictBatch> {
    const sent = this.unacknowledged;
    if (sent === undefined) return EMPTY_BATCH;
    await this.store.record(sent.batch, sent.identity);
    this.unacknowledged = undefined;
    return sent.batch;
  }

  /** Adds `drained` to the backlog within its bounds; says what is kept and what was dropped. */
  private keep(drained: VerdictBatch): Omit<FailedFlush, 'ok' | 'error'> {
    const merged = mergeBatches(this.backlog, drained);
    const counts = newestBuckets(merged.counts, this.maxPendingCounts);
    const violations =
      this.maxPendingSamples === 0 ? [] : merged.violations.slice(-this.maxPendingSamples);
    this.backlog = { counts, violations };
    const sent = this.unacknowledged?.batch ?? EMPTY_BATCH;
    return {
      countRows: sent.counts.length + counts.length,
      samples: sent.violations.length + violations.length,
      droppedMessages: messageCount(merged.counts) - messageCount(counts),
      droppedSamples: merged.violations.length - violations.length,
      consecutiveFailures: this.consecutiveFailures,
    };
  }
}

/** At most `max` counts, those of the newest buckets. */
function newestBuckets(counts: readonly ValidationCount[], max: number): ValidationCount[] {
  if (counts.length <= max) return [...counts];
  return [...counts]
    .sort((a, b) => b.bucketStart.getTime() - a.bucketStart.getTime())
    .slice(0, max);
}
