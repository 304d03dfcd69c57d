/**
 * Generic keyed worker pool: per-key ordered, batched, bounded task processing on worker threads.
 * The main thread uses {@link KeyedWorkerPool}; each worker module calls {@link serveTasks}.
 */

export {
  KeyedWorkerPool,
  type KeyedWorkerPoolEvents,
  type KeyedWorkerPoolOptions,
  type OverloadPolicy,
  type PoolStats,
  type RefusalReason,
  type WorkerStats,
} from './keyed-worker-pool';
export { serveTasks, type TaskHandler } from './serve-tasks';
export type { FailureReason } from './worker-slot';
export {
  PoolClosedError,
  PoolOverloadedError,
  TaskError,
  TaskPostError,
  WorkerCrashedError,
} from './errors';
export { fnv1a32, workerIndexFor } from './key-hash';
export { ownBytes } from './own-bytes';
