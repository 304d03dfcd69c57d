/** Messages exchanged between the pool (main thread) and `serveTasks` (worker thread). */

/** A batch of tasks, posted as one message; the worker replies with exactly one {@link ResultBatch}. */
export interface TaskBatch<Task> {
  readonly tasks: readonly Task[];
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
