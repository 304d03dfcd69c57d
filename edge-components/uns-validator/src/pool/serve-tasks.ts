/** Worker-thread side of the pool: call {@link serveTasks} once in the worker module. */

import { parentPort } from 'node:worker_threads';
import type { ResultBatch, SerializedError, TaskBatch } from './protocol';

/** Handles one task inside a worker; may be synchronous or asynchronous. */
export type TaskHandler<Task, Result> = (task: Task) => Result | PromiseLike<Result>;

/**
 * Serves the tasks the pool posts to this worker thread: runs `handler` on each task strictly in
 * arrival order (an asynchronous handler is awaited before the next task starts) and replies once
 * per batch. A handler that throws or rejects fails only its own task; the worker keeps running.
 * Results must be structured-cloneable: if one is not, every task of its batch fails.
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

  const drain = async (): Promise<void> => {
    running = true;
    for (let batch = backlog.shift(); batch !== undefined; batch = backlog.shift()) {
      const reply = await runBatch(handler, batch.tasks);
      try {
        port.postMessage(reply);
      } catch (error) {
        port.postMessage(failedBatch(batch.tasks.length, error));
      }
    }
    running = false;
  };

  port.on('message', (batch: TaskBatch<Task>) => {
    backlog.push(batch);
    if (!running) {
      void drain();
    }
  });
}

async function runBatch<Task, Result>(
  handler: TaskHandler<Task, Result>,
  tasks: readonly Task[],
): Promise<ResultBatch<Result>> {
  const results: (Result | undefined)[] = new Array<Result | undefined>(tasks.length);
  const errors: [number, SerializedError][] = [];
  for (let i = 0; i < tasks.length; i++) {
    try {
      const outcome = handler(tasks[i] as Task);
      // Await only real thenables so that synchronous handlers cost no microtask per task.
      results[i] = isPromiseLike(outcome) ? await outcome : outcome;
    } catch (error) {
      errors.push([i, serializeError(error)]);
    }
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
