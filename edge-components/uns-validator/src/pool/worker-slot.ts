/** One worker thread of the pool with its bounded, batched, ordered task queue. */

import type { Worker } from 'node:worker_threads';
import { PoolClosedError, TaskError, TaskPostError, WorkerCrashedError } from './errors';
import type { ResultBatch, TaskBatch } from './protocol';
import { spawnWorker } from './spawn-worker';

/** Why an accepted task settled with an error instead of a result. */
export type FailureReason = 'handler-error' | 'worker-crash' | 'post-error' | 'close-timeout';

/** The failure reasons, in a stable order. */
export const FAILURE_REASONS: readonly FailureReason[] = [
  'handler-error',
  'worker-crash',
  'post-error',
  'close-timeout',
];

/** Counters of one worker slot. */
export interface SlotCounters {
  completed: number;
  failed: Record<FailureReason, number>;
  workerErrors: number;
  restarts: number;
}

/** What a slot needs from its pool. */
export interface SlotOptions {
  readonly index: number;
  readonly workerModule: string;
  /** The `workerData` a (re)started worker gets: read at each start. */
  readonly workerData: () => unknown;
  readonly maxBatchSize: number;
  /** Called after tasks left the slot (settled), with the outstanding count before they left. */
  readonly onRelease: (index: number, outstandingBefore: number) => void;
  /** Called for an uncaught error inside the worker thread (the worker is then restarted). */
  readonly onWorkerError: (index: number, error: Error) => void;
}

interface Deferred<Result> {
  readonly resolve: (result: Result) => void;
  readonly reject: (error: Error) => void;
}

/** Delay before restarting a worker that crashed again without answering any batch since. */
const RESTART_BACKOFF_BASE_MS = 100;
const RESTART_BACKOFF_MAX_MS = 5_000;

/**
 * Owns one worker thread: buffers tasks into batches (flushed when `maxBatchSize` is reached or on
 * the next `setImmediate` tick), matches the in-order replies to the waiting callers, and restarts
 * the worker when it dies, failing the tasks it held.
 */
export class WorkerSlot<Task, Result> {
  /** Tasks accepted and not settled yet: buffered plus posted. */
  outstanding = 0;
  readonly counters: SlotCounters = {
    completed: 0,
    failed: { 'handler-error': 0, 'worker-crash': 0, 'post-error': 0, 'close-timeout': 0 },
    workerErrors: 0,
    restarts: 0,
  };

  private worker: Worker | undefined;
  private bufferedTasks: Task[] = [];
  private bufferedWaiters: Deferred<Result>[] = [];
  /** Waiters of the posted batches, oldest first; the worker answers batches in order. */
  private readonly postedBatches: Deferred<Result>[][] = [];
  private flushScheduled = false;
  private crashesSinceLastReply = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private idleWaiters: (() => void)[] = [];
  private stopped = false;
  private lastError: Error | undefined;

  constructor(private readonly options: SlotOptions) {
    this.start();
  }

  /** Accepts a task; the caller has already checked the capacity. */
  enqueue(task: Task): Promise<Result> {
    this.outstanding++;
    return new Promise<Result>((resolve, reject) => {
      this.bufferedTasks.push(task);
      this.bufferedWaiters.push({ resolve, reject });
      if (this.bufferedTasks.length >= this.options.maxBatchSize) {
        this.flush();
      } else if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => {
          this.flushScheduled = false;
          this.flush();
        });
      }
    });
  }

  /** Resolves once no task is outstanding. */
  whenIdle(): Promise<void> {
    if (this.outstanding === 0) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops the worker for good; tasks still outstanding fail with `PoolClosedError`. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    const waiters = this.postedBatches.splice(0).flat().concat(this.takeBuffered().waiters);
    this.fail(waiters, 'close-timeout', new PoolClosedError('the pool closed before the task ran'));
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private start(): void {
    const worker = spawnWorker(this.options.workerModule, this.options.workerData());
    this.worker = worker;
    worker.on('message', (reply: ResultBatch<Result>) => {
      this.settle(reply);
    });
    worker.on('error', (error) => {
      this.counters.workerErrors++;
      this.lastError = error;
      this.options.onWorkerError(this.options.index, error);
    });
    worker.on('exit', (code) => {
      if (this.worker === worker) {
        this.onUnexpectedExit(code);
      }
    });
    this.flush();
  }

  private flush(): void {
    if (this.worker === undefined || this.bufferedTasks.length === 0) {
      return;
    }
    const { tasks, waiters } = this.takeBuffered();
    const batch: TaskBatch<Task> = { tasks };
    try {
      this.worker.postMessage(batch);
    } catch (error) {
      const cause = error instanceof Error ? error.message : String(error);
      this.fail(waiters, 'post-error', new TaskPostError(`cannot post the task batch: ${cause}`));
      return;
    }
    this.postedBatches.push(waiters);
  }

  private settle(reply: ResultBatch<Result>): void {
    const waiters = this.postedBatches.shift();
    if (waiters === undefined) {
      return;
    }
    this.crashesSinceLastReply = 0;
    const before = this.outstanding;
    this.outstanding -= waiters.length;
    // `errors` is sorted by task index: walk it alongside the waiters.
    let nextError = 0;
    for (let i = 0; i < waiters.length; i++) {
      const waiter = waiters[i] as Deferred<Result>;
      const error = reply.errors[nextError];
      if (error?.[0] === i) {
        nextError++;
        waiter.reject(new TaskError(error[1]));
      } else {
        waiter.resolve(reply.results[i] as Result);
      }
    }
    this.counters.completed += waiters.length - nextError;
    this.counters.failed['handler-error'] += nextError;
    this.released(before);
  }

  private onUnexpectedExit(code: number): void {
    this.worker = undefined;
    const reason = this.lastError?.message ?? `exited with code ${code}`;
    this.lastError = undefined;
    const waiters = this.postedBatches.splice(0).flat();
    this.fail(waiters, 'worker-crash', new WorkerCrashedError(this.options.index, reason));
    if (this.stopped) {
      return;
    }
    this.crashesSinceLastReply++;
    this.counters.restarts++;
    const delay =
      this.crashesSinceLastReply <= 1
        ? 0
        : Math.min(
            RESTART_BACKOFF_BASE_MS * 2 ** (this.crashesSinceLastReply - 2),
            RESTART_BACKOFF_MAX_MS,
          );
    this.restartTimer = setTimeout(() => {
      this.start();
    }, delay);
  }

  private takeBuffered(): { tasks: Task[]; waiters: Deferred<Result>[] } {
    const taken = { tasks: this.bufferedTasks, waiters: this.bufferedWaiters };
    this.bufferedTasks = [];
    this.bufferedWaiters = [];
    return taken;
  }

  private fail(waiters: readonly Deferred<Result>[], reason: FailureReason, error: Error): void {
    if (waiters.length === 0) {
      return;
    }
    const before = this.outstanding;
    this.outstanding -= waiters.length;
    this.counters.failed[reason] += waiters.length;
    for (const waiter of waiters) {
      waiter.reject(error);
    }
    this.released(before);
  }

  private released(outstandingBefore: number): void {
    this.options.onRelease(this.options.index, outstandingBefore);
    if (this.outstanding === 0) {
      for (const resolve of this.idleWaiters.splice(0)) {
        resolve();
      }
    }
  }
}
