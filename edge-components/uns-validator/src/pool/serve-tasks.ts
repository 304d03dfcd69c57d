/** Worker-thread side of the pool: call {@link serveTasks} once in the worker module. */

import { parentPort } from 'node:worker_threads';
import {
  TASKS_FINISHED,
  TASKS_STARTED,
  type ProgressChannel,
  type ResultBatch,
  type SerializedError,
  type TaskBatch,
} from './protocol';

/** Handles one task inside a worker; may be synchronous or asynchronous. */
export type TaskHandler<Task, Result> = (task: Task) => Result | PromiseLike<Result>;

/**
 * Serves the tasks the pool posts to this worker thread: runs `handler` on each task strictly in
 * arrival order (an asynchronous handler is awaited before the next task starts) and replies once
 * per batch. A handler that throws or rejects fails only its own task; the worker keeps running.
 * Results must be structured-cloneable: if one is not, every task of its batch fails. Each task
 * is counted on shared memory as it starts and finishes, so the pool can tell which task a worker
 * was running if it dies or stalls.
 *
 * @throws Error when not called inside a worker thread.
 */
export function serveTasks<Task, Result>(handler: TaskHandler<Task, Result>): void {
  const port = parentPort;
  if (port === null) {
    throw new Error('serveTasks() must be called inside a worker thread');
  }
  const backlog: TaskBatch<Task>[] = [];
  let running = false;
  // Until the pool shares its counters (its first message), count into a private pair.
  let progress: Int32Array = new Int32Array(2);

  const drain = async (): Promise<void> => {
    running = true;
    for (let batch = backlog.shift(); batch !== undefined; batch = backlog.shift()) {
      const reply = await runBatch(handler, batch.tasks, progress);
      try {
        port.postMessage(reply);
      } catch (error) {
        port.postMessage(failedBatch(batch.tasks.length, error));
      }
    }
    running = false;
  };

  port.on('message', (message: TaskBatch<Task> | ProgressChannel) => {
    if ('progress' in message) {
      progress = message.progress;
      return;
    }
    backlog.push(message);
    if (!running) {
      void drain();
    }
  });
}

async function runBatch<Task, Result>(
  handler: TaskHandler<Task, Result>,
  tasks: readonly Task[],
  progress: Int32Array,
): Promise<ResultBatch<Result>> {
  const results: (Result | undefined)[] = new Array<Result | undefined>(tasks.length);
  const errors: [number, SerializedError][] = [];
  for (let i = 0; i < tasks.length; i++) {
    Atomics.add(progress, TASKS_STARTED, 1);
    try {
      const outcome = handler(tasks[i] as Task);
      // Await only real thenables so that synchronous handlers cost no microtask per task.
      results[i] = isPromiseLike(outcome) ? await outcome : outcome;
    } catch (error) {
      errors.push([i, serializeError(error)]);
    }
    Atomics.add(progress, TASKS_FINISHED, 1);
  }
  return { results, errors };
}

/** The reply when the results cannot be posted (not structured-cloneable): every task fails. */
function failedBatch<Result>(size: number, error: unknown): ResultBatch<Result> {
  const reason = serializeError(error);
  return {
    results: new Array<Result | undefined>(size),
    errors: Array.from({ length: size }, (_, i) => [i, reason] as const),
  };
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<PromiseLike<T>>).then === 'function'
  );
}

function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    return { name: error.name, message: error.message, stack: error.stack };
  }
  return { name: 'Error', message: String(error) };
}
