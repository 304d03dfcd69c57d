/** Stable routing of keys to workers. */

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * 32-bit FNV-1a hash of a string's UTF-16 code units: the same key gives the same hash in every
 * process and on every run, so routing never depends on insertion order or a random seed.
 */
export function fnv1a32(key: string): number {
  let hash = FNV_OFFSET_BASIS;
  for (let i = 0; i < key.length; i++) {
    hash = Math.imul(hash ^ key.charCodeAt(i), FNV_PRIME);
  }
  return hash >>> 0;
}

/** Index, in `[0, size)`, of the worker that owns `key`. */
export function workerIndexFor(key: string, size: number): number {
  return size === 1 ? 0 : fnv1a32(key) % size;
}
