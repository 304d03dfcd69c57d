/**
 * Gives a burst's memory back once a component goes quiet. V8 collects garbage when a thread
 * allocates, so a thread that falls idle after a burst keeps the burst's garbage (heap objects and
 * the Buffers behind MQTT payloads) until the next allocation-driven collection: measured on the
 * edge fuzz run, components sat 30-50 % above their idle memory a minute after the burst, and the
 * validator kept 430 MB of its embedded store's start-up garbage for over a minute.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

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
   * Runs a full collection.
   * @default {@link collectGarbage}
   */
  readonly collect?: () => void;
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
 * Every `intervalMs`, compares `activity()` (a count that grows with the work done, e.g. messages
 * received) with the last look: after an interval with activity, the first one without runs a
 * full collection. The start counts as activity (start-up leaves garbage too). The timer does not
 * keep the process alive.
 */
export function reclaimMemoryWhenQuiet(
  activity: () => number,
  options: MemoryReclaimerOptions = {},
): MemoryReclaimer {
  const collect = options.collect ?? collectGarbage;
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
