/** Messages exchanged between the pool (main thread) and `serveTasks` (worker thread). */

/** A batch of tasks, posted as one message; the worker replies with exactly one {@link ResultBatch}. */
export interface TaskBatch<Task> {
  readonly tasks: readonly Task[];
}

/**
 * The first message a worker gets: counters it shares with its slot, so the main thread can tell
 * which task a worker was running when it died or stalled, without a message per task.
 */
export interface ProgressChannel {
  readonly progress: Int32Array;
}

/** Index in {@link ProgressChannel.progress} of the number of tasks the worker has started. */
export const TASKS_STARTED = 0;
/** Index in {@link ProgressChannel.progress} of the number of tasks the worker has finished. */
export const TASKS_FINISHED = 1;

/** A fresh pair of progress counters on shared memory. */
export function createProgressCounters(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
}

/** An error thrown by a task handler, reduced to plain data so it survives structured cloning. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
}

/**
 * The worker's reply to one {@link TaskBatch}: `results[i]` answers `tasks[i]` unless `errors`
 * holds an entry `[i, error]` (sparse, because failures are rare and the happy path stays small).
 */
export interface ResultBatch<Result> {
  readonly results: readonly (Result | undefined)[];
  readonly errors: readonly (readonly [index: number, error: SerializedError])[];
}
