/** When the dispatcher judges inline, when on worker threads, and on how many. */

/** How messages are judged: on the main thread's event loop, or spread over worker threads. */
export type DispatchMode = 'inline' | 'pooled';

/** The dispatcher's current arrangement. */
export interface DispatchState {
  readonly mode: DispatchMode;
  /** Worker threads running (at least one, kept for channels that are never judged inline). */
  readonly workers: number;
}

/** The load measured over one adaptation interval. */
export interface LoadSample {
  /** Share of the interval the main thread's event loop was busy, 0-1. */
  readonly mainUtilization: number;
  /** Busy time of the worker threads over the interval, in cores (0-workers). */
  readonly workerCores: number;
  /** Messages dispatched per second. */
  readonly messagesPerSecond: number;
  /**
   * Idle time of the whole machine over the interval, in cores: what another thread could use.
   * On a device shared with the broker and other components, a worker thread on a busy machine
   * only adds the cost of handing messages over.
   */
  readonly idleCores: number;
}

/**
 * The bounds and thresholds of adaptation (`pool` section of the configuration):
 * - `adaptive`: inline while the main thread has room; on worker threads when it is busy, their
 *   number following the load between `minWorkers` and `maxWorkers`;
 * - `inline` / `workers`: fixed (inline keeps `minWorkers` threads for channels never judged
 *   inline; `workers` runs `maxWorkers`).
 */
export interface LoadPolicy {
  readonly dispatch: 'adaptive' | 'inline' | 'workers';
  readonly minWorkers: number;
  readonly maxWorkers: number;
  /** Cores the process may use (`os.availableParallelism()`). */
  readonly cores: number;
  /**
   * Idle machine, in cores, a new worker thread needs; below half of it (and when one thread would
   * do) workers come back inline. 0 adds workers whatever the machine's load.
   */
  readonly spareCores: number;
}

/** A change of arrangement and why. */
export interface DispatchChange {
  readonly state: DispatchState;
  readonly reason: string;
}

/** Main thread busier than this in the last two intervals: judging moves to worker threads. */
export const INLINE_BUSY = 0.75;
/** Judging would leave the main thread below this for three intervals: it comes back inline. */
export const INLINE_ROOM = 0.45;
/** Workers busier than this on average: one more worker. */
export const WORKER_BUSY = 0.8;
/** One worker fewer would still be below this on average for three intervals: one is stopped. */
export const WORKER_ROOM = 0.5;
/** Intervals a calming load must last before the dispatcher scales down or comes back inline. */
const SETTLE_INTERVALS = 3;
/** Intervals a rising load must last before the dispatcher leaves inline. */
const RISE_INTERVALS = 2;

/** The arrangement the dispatcher starts with. */
export function initialState(policy: LoadPolicy): DispatchState {
  if (policy.dispatch === 'workers') return { mode: 'pooled', workers: maxWorkers(policy) };
  return { mode: 'inline', workers: policy.minWorkers };
}

/**
 * The change the recent load calls for, if any (`recent`: newest last). Rising load acts fast
 * (two intervals to leave inline, one to add a worker), falling load slowly (three intervals), so
 * that a burst does not make the dispatcher flap.
 */
export function nextChange(
  current: DispatchState,
  recent: readonly LoadSample[],
  policy: LoadPolicy,
): DispatchChange | undefined {
  if (policy.dispatch !== 'adaptive') return undefined;
  const max = maxWorkers(policy);
  if (current.mode === 'inline') {
    const rising = lastN(recent, RISE_INTERVALS);
    if (policy.cores < 2 || rising === undefined) return undefined;
    if (
      rising.every(({ mainUtilization }) => mainUtilization >= INLINE_BUSY) &&
      rising.every(({ idleCores }) => idleCores >= policy.spareCores)
    ) {
      return {
        state: { mode: 'pooled', workers: current.workers },
        reason: `main thread busy ${percent(rising)} for ${String(RISE_INTERVALS)} intervals, ${cores(rising)} idle`,
      };
    }
    return undefined;
  }
  const latest = recent.at(-1);
  if (latest === undefined) return undefined;
  if (
    latest.workerCores / current.workers >= WORKER_BUSY &&
    latest.idleCores >= policy.spareCores &&
    current.workers < max
  ) {
    return {
      state: { mode: 'pooled', workers: current.workers + 1 },
      reason: `workers busy ${(latest.workerCores / current.workers).toFixed(2)} on average, ${cores([latest])} idle`,
    };
  }
  const settled = lastN(recent, SETTLE_INTERVALS);
  if (settled === undefined) return undefined;
  if (settled.every((sample) => sample.mainUtilization + sample.workerCores < INLINE_ROOM)) {
    return {
      state: { mode: 'inline', workers: policy.minWorkers },
      reason: `light load: main thread and workers together below ${String(INLINE_ROOM)} for ${String(SETTLE_INTERVALS)} intervals`,
    };
  }
  if (
    settled.every(
      (sample) =>
        sample.idleCores < policy.spareCores / 2 &&
        sample.mainUtilization + sample.workerCores < INLINE_BUSY,
    )
  ) {
    return {
      state: { mode: 'inline', workers: policy.minWorkers },
      reason: `no idle core (${cores(settled)}) and one thread would do: handing messages over only costs`,
    };
  }
  const fewer = current.workers - 1;
  if (
    fewer >= policy.minWorkers &&
    settled.every(({ workerCores }) => workerCores / fewer < WORKER_ROOM)
  ) {
    return {
      state: { mode: 'pooled', workers: fewer },
      reason: `${String(fewer)} worker${fewer === 1 ? '' : 's'} would be below ${String(WORKER_ROOM)} busy for ${String(SETTLE_INTERVALS)} intervals`,
    };
  }
  return undefined;
}

/** The most workers the policy allows on this machine. */
export function maxWorkers(policy: LoadPolicy): number {
  return Math.max(policy.minWorkers, Math.min(policy.maxWorkers, policy.cores));
}

function lastN(samples: readonly LoadSample[], n: number): readonly LoadSample[] | undefined {
  return samples.length < n ? undefined : samples.slice(-n);
}

function cores(samples: readonly LoadSample[]): string {
  return `${samples.map(({ idleCores }) => idleCores.toFixed(2)).join(', ')} cores`;
}

function percent(samples: readonly LoadSample[]): string {
  return samples.map(({ mainUtilization }) => `${Math.round(mainUtilization * 100)} %`).join(', ');
}
