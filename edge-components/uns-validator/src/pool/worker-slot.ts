/** One worker thread of the pool with its bounded, batched, ordered task queue. */

import type { ResourceLimits, Worker } from 'node:worker_threads';
import { PoolClosedError, TaskError, TaskPostError, WorkerCrashedError } from './errors';
import {
  createProgressCounters,
  TASKS_FINISHED,
  TASKS_STARTED,
  type ProgressChannel,
  type ResultBatch,
  type TaskBatch,
} from './protocol';
import { spawnWorker } from './spawn-worker';

/** Why an accepted task settled with an error instead of a result. */
export type FailureReason =
  'handler-error' | 'worker-crash' | 'task-timeout' | 'post-error' | 'close-timeout';

/** The failure reasons, in a stable order. */
export const FAILURE_REASONS: readonly FailureReason[] = [
  'handler-error',
  'worker-crash',
  'task-timeout',
  'post-error',
  'close-timeout',
];

/** Counters of one worker slot. */
export interface SlotCounters {
  completed: number;
  failed: Record<FailureReason, number>;
  workerErrors: number;
  restarts: number;
  /** Tasks sent again to the restarted worker because their worker died while holding them. */
  retried: number;
}

/** Counters of a slot that has done nothing yet. */
export function emptyCounters(): SlotCounters {
  return {
    completed: 0,
    failed: {
      'handler-error': 0,
      'worker-crash': 0,
      'task-timeout': 0,
      'post-error': 0,
      'close-timeout': 0,
    },
    workerErrors: 0,
    restarts: 0,
    retried: 0,
  };
}

/** What a slot needs from its pool. */
export interface SlotOptions {
  readonly index: number;
  readonly workerModule: string;
  /** The `workerData` a (re)started worker gets: read at each start. */
  readonly workerData: () => unknown;
  /** Heap limits of the worker thread. */
  readonly resourceLimits?: ResourceLimits;
  readonly maxBatchSize: number;
  /** Called after tasks left the slot (settled), with the outstanding count before they left. */
  readonly onRelease: (index: number, outstandingBefore: number) => void;
  /** Called for an uncaught error inside the worker thread (the worker is then restarted). */
  readonly onWorkerError: (index: number, error: Error) => void;
}

/** A task accepted by the slot and the caller waiting for its outcome. */
interface PendingTask<Task, Result> {
  readonly task: Task;
  readonly resolve: (result: Result) => void;
  readonly reject: (error: Error) => void;
  /** Workers that died while holding this task without running it to the end. */
  bystanderOf: number;
  /**
   * Set when the task failed for good while tasks ahead of it still wait for a worker's answer:
   * it settles with this outcome in its turn, never reaching a worker again.
   */
  failure?: { readonly reason: FailureReason; readonly error: Error };
}

/** Delay before restarting a worker that crashed again without answering any batch since. */
const RESTART_BACKOFF_BASE_MS = 100;
const RESTART_BACKOFF_MAX_MS = 5_000;
/**
 * A task whose worker died this many times while it waited (never while it ran) fails: the deaths
 * are then not the running tasks' fault, and retrying forever would hold the queue.
 */
const MAX_BYSTANDER_DEATHS = 3;

/**
 * Owns one worker thread: buffers tasks into batches (flushed when `maxBatchSize` is reached or on
 * the next `setImmediate` tick), matches the in-order replies to the waiting callers, and restarts
 * the worker when it dies or stalls.
 *
 * When a worker dies (an uncaught error, its heap limit, its own exit) or is stopped by the stall
 * watchdog, the task it was running fails alone ({@link WorkerCrashedError}, counted as
 * `worker-crash` or `task-timeout`) and is never sent to a worker again; the tasks it had finished
 * (whose results died with it) and those still waiting are sent again to the restarted worker,
 * and every task still settles in the order it was accepted. A worker that dies before it ran any task (its module does not load) fails every task
 * it held.
 */
export class WorkerSlot<Task, Result> {
  /** Tasks accepted and not settled yet: buffered plus posted. */
  outstanding = 0;
  readonly counters: SlotCounters = emptyCounters();

  private worker: Worker | undefined;
  /** Counters the current worker shares: tasks started and finished since it started. */
  private progress = createProgressCounters();
  /** Tasks of the current worker settled through its replies. */
  private settledByWorker = 0;
  private buffered: PendingTask<Task, Result>[] = [];
  /** The posted batches, oldest first; the worker answers batches in order. */
  private readonly postedBatches: PendingTask<Task, Result>[][] = [];
  private flushScheduled = false;
  private crashesSinceLastReply = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private idleWaiters: (() => void)[] = [];
  private stopped = false;
  private lastError: Error | undefined;
  /** Set when the watchdog stopped the worker: the task it ran took longer than allowed. */
  private stalledTask = false;
  /** The watchdog's view: the task count it saw running, and since when. */
  private watched = { started: -1, since: 0 };
  /** The worker and its event-loop utilization at the previous {@link takeBusyMs}. */
  private busyBase: { worker: Worker; activeMs: number } | undefined;

  constructor(private readonly options: SlotOptions) {
    this.start();
  }

  /** Accepts a task; the caller has already checked the capacity. */
  enqueue(task: Task): Promise<Result> {
    this.outstanding++;
    return new Promise<Result>((resolve, reject) => {
      this.buffered.push({ task, resolve, reject, bystanderOf: 0 });
      if (this.buffered.length >= this.options.maxBatchSize) {
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

  /** Milliseconds the worker's event loop was busy since the previous call (0 for a new worker). */
  takeBusyMs(): number {
    const worker = this.worker;
    if (worker === undefined) return 0;
    const activeMs = worker.performance.eventLoopUtilization().active;
    const base = this.busyBase?.worker === worker ? this.busyBase.activeMs : activeMs;
    this.busyBase = { worker, activeMs };
    return Math.max(0, activeMs - base);
  }

  /** Resolves once no task is outstanding. */
  whenIdle(): Promise<void> {
    if (this.outstanding === 0) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * The stall watchdog, called periodically: stops the worker when it has been running the same
   * task for `timeoutMs` or longer (`now` in ms from any fixed origin).
   */
  checkStall(now: number, timeoutMs: number): void {
    const worker = this.worker;
    const started = Atomics.load(this.progress, TASKS_STARTED);
    if (worker === undefined || started === Atomics.load(this.progress, TASKS_FINISHED)) {
      this.watched = { started: -1, since: now };
      return;
    }
    if (started !== this.watched.started) {
      this.watched = { started, since: now };
    } else if (now - this.watched.since >= timeoutMs && !this.stalledTask) {
      this.stalledTask = true;
      this.lastError = new Error(`it ran one task for longer than ${String(timeoutMs)} ms`);
      void worker.terminate();
    }
  }

  /** Stops the worker for good; tasks still outstanding fail with `PoolClosedError`. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    const pending = this.postedBatches.splice(0).flat().concat(this.takeBuffered());
    this.fail(pending, 'close-timeout', new PoolClosedError('the pool closed before the task ran'));
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private start(): void {
    const worker = spawnWorker(
      this.options.workerModule,
      this.options.workerData(),
      this.options.resourceLimits,
    );
    this.worker = worker;
    this.progress = createProgressCounters();
    this.settledByWorker = 0;
    this.stalledTask = false;
    const channel: ProgressChannel = { progress: this.progress };
    worker.postMessage(channel);
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
    if (this.worker === undefined || this.buffered.length === 0) {
      return;
    }
    const pending = this.takeBuffered();
    // Failed tasks travel as placeholders (settled in their turn), never as work: a batch of
    // placeholders only is still posted, and its empty answer settles them in order.
    const tasks = pending.filter(({ failure }) => failure === undefined).map(({ task }) => task);
    const batch: TaskBatch<Task> = { tasks };
    try {
      this.worker.postMessage(batch);
    } catch (error) {
      const cause = error instanceof Error ? error.message : String(error);
      this.fail(pending, 'post-error', new TaskPostError(`cannot post the task batch: ${cause}`));
      return;
    }
    this.postedBatches.push(pending);
  }

  private settle(reply: ResultBatch<Result>): void {
    const pending = this.postedBatches.shift();
    if (pending === undefined) {
      return;
    }
    this.crashesSinceLastReply = 0;
    const before = this.outstanding;
    this.outstanding -= pending.length;
    // `errors` is sorted by task index: walk it alongside the tasks the worker ran.
    let ran = 0;
    let nextError = 0;
    for (const waiter of pending) {
      if (waiter.failure !== undefined) {
        this.counters.failed[waiter.failure.reason]++;
        waiter.reject(waiter.failure.error);
        continue;
      }
      const error = reply.errors[nextError];
      if (error?.[0] === ran) {
        nextError++;
        this.counters.failed['handler-error']++;
        waiter.reject(new TaskError(error[1]));
      } else {
        this.counters.completed++;
        waiter.resolve(reply.results[ran] as Result);
      }
      ran++;
    }
    this.settledByWorker += ran;
    this.released(before);
  }

  private onUnexpectedExit(code: number): void {
    this.worker = undefined;
    const reason = this.lastError?.message ?? `exited with code ${String(code)}`;
    this.lastError = undefined;
    const error = new WorkerCrashedError(this.options.index, reason);
    const held = this.postedBatches.splice(0).flat();
    const started = Atomics.load(this.progress, TASKS_STARTED);
    const finished = Atomics.load(this.progress, TASKS_FINISHED);
    let culpritFound = false;
    if (started === 0) {
      // It died before running anything (its module or workerData is broken): nothing to blame.
      this.fail(held, 'worker-crash', error);
    } else {
      // The worker runs what it is sent in order: of the tasks it was sent and has not answered,
      // the first `finished - settledByWorker` ran to the end and the next one was running.
      const sent = held.filter(({ failure }) => failure === undefined);
      const culprit = started > finished ? sent[finished - this.settledByWorker] : undefined;
      if (culprit !== undefined) {
        culpritFound = true;
        culprit.failure = { reason: this.stalledTask ? 'task-timeout' : 'worker-crash', error };
      }
      this.resend(held, error);
    }
    if (this.stopped) {
      return;
    }
    this.counters.restarts++;
    this.crashesSinceLastReply = culpritFound ? 0 : this.crashesSinceLastReply + 1;
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

  /**
   * Puts the tasks a dead worker held back in front of the buffered ones, in order, for its
   * successor; a task that has outlived {@link MAX_BYSTANDER_DEATHS} workers fails instead (in
   * its turn, like the culprit).
   */
  private resend(held: PendingTask<Task, Result>[], error: WorkerCrashedError): void {
    for (const pending of held) {
      if (pending.failure !== undefined) continue;
      pending.bystanderOf++;
      if (pending.bystanderOf >= MAX_BYSTANDER_DEATHS) {
        pending.failure = { reason: 'worker-crash', error };
      } else {
        this.counters.retried++;
      }
    }
    this.buffered = held.concat(this.buffered);
  }

  private takeBuffered(): PendingTask<Task, Result>[] {
    const taken = this.buffered;
    this.buffered = [];
    return taken;
  }

  private fail(
    pending: readonly PendingTask<Task, Result>[],
    reason: FailureReason,
    error: Error,
  ): void {
    if (pending.length === 0) {
      return;
    }
    const before = this.outstanding;
    this.outstanding -= pending.length;
    for (const waiter of pending) {
      // A task that had already failed keeps its own reason.
      this.counters.failed[waiter.failure?.reason ?? reason]++;
      waiter.reject(waiter.failure?.error ?? error);
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
