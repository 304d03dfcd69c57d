/**
 * Collects items into batches for one consumer that runs one batch at a time. A batch starts when
 * it is full (`maxBatchSize`), when the first item has waited `maxBatchDelayMs` (0 = at the end of
 * the current event-loop turn), or at once when the previous batch finishes with items waiting. The
 * added latency is therefore at most `maxBatchDelayMs` plus the duration of the batch running when
 * the item arrived, and batches grow with the load.
 */
export interface MicroBatcherOptions {
  readonly maxBatchSize: number;
  readonly maxBatchDelayMs: number;
}

export class MicroBatcher<T> {
  private queue: T[] = [];
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private running: Promise<void> | undefined;
  private idleWaiters: (() => void)[] = [];

  /** @param run consumes one batch; it must not reject (failures are the consumer's to count). */
  constructor(
    private readonly options: MicroBatcherOptions,
    private readonly run: (batch: T[]) => Promise<void>,
  ) {}

  /** Items waiting for a batch. */
  get pending(): number {
    return this.queue.length;
  }

  push(item: T): void {
    this.queue.push(item);
    if (this.running !== undefined) return;
    if (this.queue.length >= this.options.maxBatchSize) this.start();
    else if (this.timer === undefined) {
      this.timer =
        this.options.maxBatchDelayMs > 0
          ? setTimeout(() => {
              this.start();
            }, this.options.maxBatchDelayMs)
          : setImmediate(() => {
              this.start();
            });
    }
  }

  /** Resolves once every item pushed so far has been consumed. */
  idle(): Promise<void> {
    if (this.running === undefined && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private start(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
      this.timer = undefined;
    }
    if (this.running !== undefined) return;
    if (this.queue.length === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
      return;
    }
    const batch = this.queue.splice(0, this.options.maxBatchSize);
    this.running = this.run(batch).finally(() => {
      this.running = undefined;
      this.start();
    });
  }
}
