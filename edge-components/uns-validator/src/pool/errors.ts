/** Errors with which the pool settles or refuses tasks. */

import type { SerializedError } from './protocol';

/** The task handler threw (or rejected) for this task; the worker kept running. */
export class TaskError extends Error {
  override readonly name = 'TaskError';
  /** Name of the error thrown in the worker, e.g. `TypeError`. */
  readonly remoteName: string;
  /** Stack trace captured in the worker, when the thrown value had one. */
  readonly remoteStack: string | undefined;

  constructor(remote: SerializedError) {
    super(remote.message);
    this.remoteName = remote.name;
    this.remoteStack = remote.stack;
  }
}

/** The worker that held the task exited or crashed before answering it; the worker was restarted. */
export class WorkerCrashedError extends Error {
  override readonly name = 'WorkerCrashedError';

  constructor(
    /** Index of the worker in the pool. */
    readonly workerIndex: number,
    reason: string,
  ) {
    super(`worker ${workerIndex} stopped before answering the task: ${reason}`);
  }
}

/**
 * The task could not be sent to the worker, because it (or another task of the same batch) is not
 * structured-cloneable; the whole batch fails with this error.
 */
export class TaskPostError extends Error {
  override readonly name = 'TaskPostError';
}

/** Refusal under the `reject` overload policy: the worker owning the key already holds a full queue. */
export class PoolOverloadedError extends Error {
  override readonly name = 'PoolOverloadedError';

  constructor(
    /** Index of the full worker. */
    readonly workerIndex: number,
  ) {
    super(`worker ${workerIndex} queue is full`);
  }
}

/** The pool is closed: the task was submitted after `close()`, or `close()` timed out before it ran. */
export class PoolClosedError extends Error {
  override readonly name = 'PoolClosedError';
}
