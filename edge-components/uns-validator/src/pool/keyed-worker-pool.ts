/** A pool of worker threads that keeps per-key order, bounds its queues and counts every task. */

import { EventEmitter } from 'node:events';
import { isAbsolute } from 'node:path';
import type { ResourceLimits } from 'node:worker_threads';
import { PoolClosedError, PoolOverloadedError } from './errors';
import { workerIndexFor } from './key-hash';
import {
  emptyCounters,
  FAILURE_REASONS,
  WorkerSlot,
  type FailureReason,
  type SlotCounters,
  type SlotOptions,
} from './worker-slot';

/**
 * What `submit` does when the worker owning the key already holds `queueCapacity` tasks:
 * - `drop-newest`: returns `undefined` at once; the new task is dropped and counted.
 * - `reject`: returns a promise rejected with {@link PoolOverloadedError}; counted the same way.
 *
 * Either way memory stays bounded. Callers that must not lose tasks watch
 * {@link KeyedWorkerPool.writable} and await {@link KeyedWorkerPool.whenWritable} (backpressure).
 */
export type OverloadPolicy = 'drop-newest' | 'reject';

/** Why a task was refused without ever being queued. */
export type RefusalReason = 'queue-full' | 'closed';

/** Options of {@link KeyedWorkerPool}. */
export interface KeyedWorkerPoolOptions {
  /** Absolute path of the worker entry (`.js`, or `.ts` run through tsx); it calls `serveTasks`. */
  readonly workerModule: string;
  /** Passed to every worker as `workerData` (structured-cloned). */
  readonly workerData?: unknown;
  /** Number of worker threads, at least 1. */
  readonly size: number;
  /** Maximum outstanding (queued, posted or running) tasks per worker, at least 1. */
  readonly queueCapacity: number;
  /** Policy when a worker's queue is full. */
  readonly overload: OverloadPolicy;
  /** Tasks per posted message, at most; a partial batch is posted on the next tick. Default 256. */
  readonly maxBatchSize?: number;
  /**
   * Heap limits of each worker thread; a worker that exceeds them is stopped and restarted, and
   * the task it ran fails (`worker-crash`). Default: Node's limits, as large as the process's.
   */
  readonly resourceLimits?: ResourceLimits;
  /**
   * A worker running one task this long is stopped and restarted, and that task fails
   * (`task-timeout`); the tasks queued behind it go to the restarted worker. Default: no limit.
   */
  readonly taskTimeoutMs?: number;
}

/** Counters of one worker. */
export interface WorkerStats {
  readonly index: number;
  /** Tasks accepted and not settled yet. */
  readonly inFlight: number;
  readonly completed: number;
  readonly failed: Readonly<Record<FailureReason, number>>;
  /** Uncaught errors inside the worker thread. */
  readonly workerErrors: number;
  /** Times the worker thread was restarted after it died. */
  readonly restarts: number;
  /** Tasks sent again to a restarted worker because the dead one held them (not ran them). */
  readonly retried: number;
}

/**
 * Counters of the pool. Invariant: `submitted === completed + sum(failed) + inFlight`; refused
 * tasks are not part of `submitted`.
 */
export interface PoolStats {
  /** Tasks accepted into a worker queue. */
  readonly submitted: number;
  /** Tasks that settled with a result. */
  readonly completed: number;
  /** Accepted tasks that settled with an error, per reason. */
  readonly failed: Readonly<Record<FailureReason, number>>;
  /** Tasks refused at submission, per reason. */
  readonly refused: Readonly<Record<RefusalReason, number>>;
  readonly inFlight: number;
  readonly workerErrors: number;
  readonly restarts: number;
  readonly retried: number;
  readonly workers: readonly WorkerStats[];
}

/** Events of {@link KeyedWorkerPool}. */
export interface KeyedWorkerPoolEvents {
  /** Every worker has room again after at least one was full. */
  drain: [];
  /** A worker thread threw an uncaught error; it is being restarted. */
  workerError: [error: Error, workerIndex: number];
}

const DEFAULT_MAX_BATCH_SIZE = 256;

/**
 * Runs tasks on a fixed set of worker threads. Tasks with the same key always go to the same
 * worker (FNV-1a of the key modulo `size`) and are processed and settled in submission order, so
 * per-key state (e.g. a Sparkplug edge node session) can live in that worker.
 */
export class KeyedWorkerPool<Task, Result> extends EventEmitter<KeyedWorkerPoolEvents> {
  private readonly slots: WorkerSlot<Task, Result>[];
  private readonly slotOptions: Pick<
    SlotOptions,
    'workerModule' | 'resourceLimits' | 'maxBatchSize'
  >;
  /** Counters of the workers removed by {@link resize}, so that the totals stay whole. */
  private readonly retired: SlotCounters = emptyCounters();
  private workerData: unknown;
  private readonly capacity: number;
  private readonly overload: OverloadPolicy;
  private submitted = 0;
  private readonly refused: Record<RefusalReason, number> = { 'queue-full': 0, closed: 0 };
  private fullSlots = 0;
  private writableWaiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  private closing: Promise<void> | undefined;
  private readonly watchdog: NodeJS.Timeout | undefined;

  constructor(options: KeyedWorkerPoolOptions) {
    super();
    assertPositiveInteger('size', options.size);
    assertPositiveInteger('queueCapacity', options.queueCapacity);
    const maxBatchSize = options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
    assertPositiveInteger('maxBatchSize', maxBatchSize);
    const { taskTimeoutMs } = options;
    if (taskTimeoutMs !== undefined) assertPositiveInteger('taskTimeoutMs', taskTimeoutMs);
    if (!isAbsolute(options.workerModule)) {
      throw new TypeError(`workerModule must be an absolute path, got ${options.workerModule}`);
    }
    this.workerData = options.workerData;
    this.capacity = options.queueCapacity;
    this.overload = options.overload;
    this.slotOptions = {
      workerModule: options.workerModule,
      resourceLimits: options.resourceLimits,
      maxBatchSize,
    };
    this.slots = Array.from({ length: options.size }, (_, index) => this.createSlot(index));
    if (taskTimeoutMs !== undefined) {
      // Checked four times per timeout: a stall is noticed within 1.25 timeouts.
      this.watchdog = setInterval(
        () => {
          const now = performance.now();
          for (const slot of this.slots) slot.checkStall(now, taskTimeoutMs);
        },
        Math.max(10, taskTimeoutMs / 4),
      ).unref();
    }
  }

  /**
   * Replaces the `workerData` that workers get when they are (re)started, e.g. after the
   * configuration they were started with changed. Running workers keep theirs: tell them with a
   * task.
   */
  setWorkerData(workerData: unknown): void {
    this.workerData = workerData;
  }

  private createSlot(index: number): WorkerSlot<Task, Result> {
    return new WorkerSlot<Task, Result>({
      ...this.slotOptions,
      index,
      workerData: () => this.workerData,
      onRelease: (slotIndex, before) => {
        this.onRelease(slotIndex, before);
      },
      onWorkerError: (slotIndex, error) => {
        this.emit('workerError', error, slotIndex);
      },
    });
  }

  /**
   * Changes the number of worker threads. Keys are routed by the new number from then on, so the
   * pool must be idle (no task outstanding): otherwise a key's tasks could run on two workers at
   * once. New workers start with the current `workerData`; removed ones are stopped, their counters
   * kept in the totals.
   *
   * @throws Error when tasks are outstanding or the pool is closed.
   */
  async resize(size: number): Promise<void> {
    assertPositiveInteger('size', size);
    if (this.closing !== undefined) throw new PoolClosedError('the pool is closed');
    if (this.slots.some((slot) => slot.outstanding > 0)) {
      throw new Error('the pool can only be resized while no task is outstanding');
    }
    while (this.slots.length < size) this.slots.push(this.createSlot(this.slots.length));
    const removed = this.slots.splice(size);
    for (const { counters } of removed) addCounters(this.retired, counters);
    await Promise.all(removed.map((slot) => slot.stop()));
  }

  /** Resolves once no task is outstanding (tasks submitted meanwhile are waited for too). */
  async whenIdle(): Promise<void> {
    while (this.slots.some((slot) => slot.outstanding > 0)) {
      await Promise.all(this.slots.map((slot) => slot.whenIdle()));
    }
  }

  /**
   * Milliseconds the worker threads' event loops were busy since the previous call, summed over
   * the workers (a worker restarted meanwhile counts from its start).
   */
  takeBusyMs(): number {
    return sum(this.slots, (slot) => slot.takeBusyMs());
  }

  /** Number of worker threads. */
  get size(): number {
    return this.slots.length;
  }

  /** True once {@link close} was called: no task is accepted any more. */
  get closed(): boolean {
    return this.closing !== undefined;
  }

  /** True while open and every worker has room, i.e. the next `submit` is accepted whatever its key. */
  get writable(): boolean {
    return this.closing === undefined && this.fullSlots === 0;
  }

  /** Index of the worker that owns `key`. */
  workerIndexOf(key: string): number {
    return workerIndexFor(key, this.slots.length);
  }

  /** True while open and the worker owning `key` has room. */
  canAccept(key: string): boolean {
    return this.closing === undefined && this.slotFor(key).outstanding < this.capacity;
  }

  /**
   * Queues `task` on the worker owning `key`. The promise settles with the handler's result, or
   * rejects with `TaskError` (handler threw), `WorkerCrashedError` (the task's worker died or
   * stalled while running it), `TaskPostError` or `PoolClosedError`. When the worker's queue is full, or the pool is closed, the overload policy
   * applies: `undefined` under `drop-newest`, a rejected promise under `reject`.
   */
  submit(key: string, task: Task): Promise<Result> | undefined {
    if (this.closing !== undefined) {
      return this.refuse('closed', () => new PoolClosedError('the pool is closed'));
    }
    const index = this.workerIndexOf(key);
    const slot = this.slots[index] as WorkerSlot<Task, Result>;
    if (slot.outstanding >= this.capacity) {
      return this.refuse('queue-full', () => new PoolOverloadedError(index));
    }
    this.submitted++;
    if (slot.outstanding + 1 === this.capacity) {
      this.fullSlots++;
    }
    return slot.enqueue(task);
  }

  /** Resolves when {@link writable} is true; rejects with `PoolClosedError` once the pool closes. */
  whenWritable(): Promise<void> {
    if (this.closing !== undefined) {
      return Promise.reject(new PoolClosedError('the pool is closed'));
    }
    if (this.fullSlots === 0) {
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => this.writableWaiters.push({ resolve, reject }));
  }

  /** A snapshot of the counters. */
  stats(): PoolStats {
    const workers = this.slots.map((slot, index): WorkerStats => {
      const { completed, failed, workerErrors, restarts, retried } = slot.counters;
      return {
        index,
        inFlight: slot.outstanding,
        completed,
        failed: { ...failed },
        workerErrors,
        restarts,
        retried,
      };
    });
    const { retired } = this;
    const failed = Object.fromEntries(
      FAILURE_REASONS.map((reason) => [
        reason,
        retired.failed[reason] + sum(workers, (w) => w.failed[reason]),
      ]),
    ) as Record<FailureReason, number>;
    return {
      submitted: this.submitted,
      completed: retired.completed + sum(workers, (w) => w.completed),
      failed,
      refused: { ...this.refused },
      inFlight: sum(workers, (w) => w.inFlight),
      workerErrors: retired.workerErrors + sum(workers, (w) => w.workerErrors),
      restarts: retired.restarts + sum(workers, (w) => w.restarts),
      retried: retired.retried + sum(workers, (w) => w.retried),
      workers,
    };
  }

  /**
   * Stops accepting tasks, waits up to `timeoutMs` for the outstanding ones to settle, fails the
   * rest with `PoolClosedError` (counted as `close-timeout`) and terminates the workers.
   * Idempotent: later calls return the same promise.
   */
  close(timeoutMs = 10_000): Promise<void> {
    this.closing ??= this.shutDown(timeoutMs);
    return this.closing;
  }

  private async shutDown(timeoutMs: number): Promise<void> {
    const error = new PoolClosedError('the pool is closed');
    for (const waiter of this.writableWaiters.splice(0)) {
      waiter.reject(error);
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(this.slots.map((slot) => slot.whenIdle())),
      new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
    clearInterval(this.watchdog);
    await Promise.all(this.slots.map((slot) => slot.stop()));
  }

  private slotFor(key: string): WorkerSlot<Task, Result> {
    return this.slots[this.workerIndexOf(key)] as WorkerSlot<Task, Result>;
  }

  private refuse(reason: RefusalReason, error: () => Error): Promise<Result> | undefined {
    this.refused[reason]++;
    return this.overload === 'reject' ? Promise.reject(error()) : undefined;
  }

  private onRelease(index: number, outstandingBefore: number): void {
    const slot = this.slots[index] as WorkerSlot<Task, Result>;
    if (outstandingBefore < this.capacity || slot.outstanding >= this.capacity) {
      return;
    }
    this.fullSlots--;
    if (this.fullSlots === 0 && this.closing === undefined) {
      for (const waiter of this.writableWaiters.splice(0)) {
        waiter.resolve();
      }
      this.emit('drain');
    }
  }
}

function assertPositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
}

function addCounters(total: SlotCounters, counters: SlotCounters): void {
  total.completed += counters.completed;
  total.workerErrors += counters.workerErrors;
  total.restarts += counters.restarts;
  total.retried += counters.retried;
  for (const reason of FAILURE_REASONS) total.failed[reason] += counters.failed[reason];
}

function sum<T>(items: readonly T[], value: (item: T) => number): number {
  return items.reduce((total, item) => total + value(item), 0);
}
