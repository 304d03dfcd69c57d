/** Starts worker threads from a `.js` entry (production bundle) or a `.ts` entry (tests, dev). */

import { createRequire } from 'node:module';
import { Worker, type ResourceLimits } from 'node:worker_threads';

const TYPESCRIPT_ENTRY = /\.[cm]?ts$/;

/**
 * Starts a worker thread on `workerModule` (an absolute path). A TypeScript entry is loaded through
 * tsx's CommonJS hook, resolved from the entry's own location: Node 20 does not apply module
 * hooks registered with `--import tsx` inside worker threads, while `--require` works.
 * `resourceLimits` bound the worker's heaps: a worker that exceeds them is stopped, not the process.
 */
export function spawnWorker(
  workerModule: string,
  workerData: unknown,
  resourceLimits?: ResourceLimits,
): Worker {
  const execArgv = TYPESCRIPT_ENTRY.test(workerModule)
    ? ['--require', createRequire(workerModule).resolve('tsx/cjs')]
    : undefined;
  return new Worker(workerModule, { workerData, execArgv, resourceLimits });
}
