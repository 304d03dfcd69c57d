/**
 * Gives a burst's memory back once a component goes quiet. V8 collects garbage when a thread
 * allocates, so a thread that falls idle after a burst keeps the burst's garbage (heap objects and
 * the Buffers behind MQTT payloads) until the next allocation-driven collection: measured on the
 * edge fuzz run, components sat 30-50 % above their idle memory a minute after the burst, and the
 * validator kept 430 MB of its embedded store's start-up garbage for over a minute. What the
 * collection frees, malloc then hands back to the system ({@link releaseFreedNativeMemory}).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { canReleaseFreedNativeMemory, releaseFreedNativeMemory } from './native-memory';

/**
 * Environment variables of glibc's malloc that the components' recipes set besides their own
 * (at most two arenas; allocations of 64 KiB and more mapped on their own, so that memory freed
 * after a burst of large payloads goes back to the system).
 */
export const MALLOC_VARIABLES: readonly string[] = ['MALLOC_ARENA_MAX', 'MALLOC_MMAP_THRESHOLD_'];

/** Options of {@link reclaimMemoryWhenQuiet}. */
export interface MemoryReclaimerOptions {
  /**
   * How often activity is looked at, ms: a collection follows the first interval without activity
   * after one with some.
   * @default 10_000 - memory is back within 10-20 s of a burst's end.
   */
  readonly intervalMs?: number;
  /**
   * Gives memory back.
   * @default {@link reclaimMemory}
   */
  readonly collect?: () => void;
  /**
   * Told once, at the start, when freed native memory cannot be given back here (not Linux with
   * glibc, or the FFI library did not load); pino's `Logger` fits.
   * @default no warning
   */
  readonly logger?: { warn(fields: object, message: string): void };
}

/** What {@link messageCount} needs of an MQTT client (MQTT.js's `MqttClient` fits). */
export interface MessageSource {
  on(event: 'message', listener: () => void): unknown;
}

/** A count of the messages `client` has received from now on: an activity for the reclaimer. */
export function messageCount(client: MessageSource): () => number {
  let received = 0;
  client.on('message', () => {
    received++;
  });
  return () => received;
}

/** A running reclaimer. */
export interface MemoryReclaimer {
  /** Full collections run so far. */
  readonly collections: number;
  stop(): void;
}

let exposedCollector: (() => void) | undefined;

/**
 * Runs a full garbage collection of the calling thread, twice: the second frees the backing
 * stores of the ArrayBuffers (Buffers) the first found dead. V8's `gc` is exposed on demand
 * (`--expose-gc` set at run time and read from a fresh context), so no process needs a flag.
 */
export function collectGarbage(): void {
  if (exposedCollector === undefined) {
    setFlagsFromString('--expose-gc');
    exposedCollector = runInNewContext('gc') as () => void;
  }
  exposedCollector();
  exposedCollector();
}

/**
 * A full garbage collection of the calling thread ({@link collectGarbage}), then the free memory
 * of malloc back to the system ({@link releaseFreedNativeMemory}; for the whole process).
 */
export function reclaimMemory(): void {
  collectGarbage();
  releaseFreedNativeMemory();
}

/**
 * Every `intervalMs`, compares `activity()` (a count that grows with the work done, e.g. messages
 * received) with the last look: after an interval with activity, the first one without reclaims
 * memory. The start counts as activity (start-up leaves garbage too). The timer does not
 * keep the process alive.
 */
export function reclaimMemoryWhenQuiet(
  activity: () => number,
  options: MemoryReclaimerOptions = {},
): MemoryReclaimer {
  const collect = options.collect ?? reclaimMemory;
  if (options.logger !== undefined && !canReleaseFreedNativeMemory()) {
    options.logger.warn(
      { platform: process.platform },
      'freed native memory cannot be given back here (malloc_trim needs Linux with glibc): memory may stay above idle after a burst',
    );
  }
  let lastSeen = activity();
  let busySinceCollection = true;
  let collections = 0;
  const timer = setInterval(() => {
    const now = activity();
    if (now !== lastSeen) {
      lastSeen = now;
      busySinceCollection = true;
    } else if (busySinceCollection) {
      busySinceCollection = false;
      collections++;
      collect();
    }
  }, options.intervalMs ?? 10_000).unref();
  return {
    get collections() {
      return collections;
    },
    stop: () => {
      clearInterval(timer);
    },
  };
}
