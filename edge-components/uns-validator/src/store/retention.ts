/**
 * Retention: deletes what the store holds beyond a number of days, once at start and then on an
 * interval, between two flushes rather than alongside a write. Every run is reported.
 */
import type { PruneResult, ValidationStore } from './store';

const DAY_MS = 86_400_000;

/** Runs `work` now: for a store nothing else writes to. */
function atOnce<T>(work: () => Promise<T>): Promise<T> {
  return work();
}

/** The outcome of one prune. */
export type PruneReport =
  | { readonly ok: true; readonly before: Date; readonly deleted: PruneResult }
  | { readonly ok: false; readonly before: Date; readonly error: unknown };

/** Settings of a {@link RetentionPruner}. */
export interface RetentionOptions {
  /** Counts, samples and batch ids older than this many days are deleted. */
  readonly days: number;
  /** Time between two prunes once started, in milliseconds. */
  readonly intervalMs: number;
  /**
   * Runs a prune so that it does not overlap the store's writes (the flusher's `exclusive`).
   * @default at once - for a store nothing else writes to.
   */
  readonly exclusive?: <T>(work: () => Promise<T>) => Promise<T>;
  /** Called after every prune, e.g. to log and count it. Must not throw. */
  readonly onPrune?: (report: PruneReport) => void;
  /**
   * The clock, epoch milliseconds.
   * @default Date.now
   */
  readonly now?: () => number;
}

/** Prunes a store once at {@link start} and every `intervalMs` after, until {@link stop}. */
export class RetentionPruner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<PruneReport> | undefined;

  constructor(
    private readonly store: Pick<ValidationStore, 'prune'>,
    private readonly options: RetentionOptions,
  ) {}

  /** Prunes now and then every `intervalMs`; the timer does not keep the process alive. */
  start(): void {
    if (this.timer !== undefined) return;
    void this.prune();
    this.timer = setInterval(() => {
      if (this.running === undefined) void this.prune();
    }, this.options.intervalMs);
    this.timer.unref();
  }

  /** Deletes what is older than the retention limit now. Never rejects: a failure is reported. */
  prune(): Promise<PruneReport> {
    const { days, exclusive = atOnce, onPrune, now = Date.now } = this.options;
    const before = new Date(now() - days * DAY_MS);
    const running = exclusive(() => this.store.prune(before))
      .then(
        (deleted): PruneReport => ({ ok: true, before, deleted }),
        (error: unknown): PruneReport => ({ ok: false, before, error }),
      )
      .then((report) => {
        onPrune?.(report);
        return report;
      })
      .finally(() => {
        if (this.running === running) this.running = undefined;
      });
    this.running = running;
    return running;
  }

  /** Stops the timer; resolves once a prune in progress has ended. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
