/**
 * Hands the memory that malloc holds free back to the system. glibc returns freed memory only from
 * the top of a heap; free pages below a live allocation stay in the process. After a burst of
 * messages the Buffers of the burst are freed all over the heap, so a component that is back at
 * its idle V8 heap and external memory can still hold hundreds of MB: measured on the edge fuzz run
 * (`npm run fuzz:edge`), the bridge stayed at 340 MB against 95 MB idle, 250 MB of it free space in
 * glibc's main heap, and `malloc_trim(0)` called into the process brought it to 94 MB.
 *
 * `malloc_trim` is called through koffi (a C foreign function interface with prebuilt binaries for
 * Linux x64 and arm64), so no component needs a compiler.
 */
import koffi from 'koffi';

/** What {@link releaseFreedNativeMemory} did. */
export type NativeMemoryRelease =
  /** malloc gave memory back to the system */
  | 'released'
  /** malloc had nothing to give back */
  | 'nothing-to-release'
  /** not glibc (musl, macOS, Windows) or the FFI library did not load: nothing done */
  | 'unsupported';

let mallocTrim: ((pad: number) => number) | null | undefined;

function loadMallocTrim(): ((pad: number) => number) | null {
  if (process.platform !== 'linux' || !isGlibc()) return null;
  try {
    return koffi.load('libc.so.6').func('int malloc_trim(size_t pad)') as (pad: number) => number;
  } catch {
    return null;
  }
}

function isGlibc(): boolean {
  const report = process.report.getReport() as { header?: { glibcVersionRuntime?: string } };
  return report.header?.glibcVersionRuntime !== undefined;
}

/** Whether {@link releaseFreedNativeMemory} can give memory back here (Linux with glibc). */
export function canReleaseFreedNativeMemory(): boolean {
  mallocTrim ??= loadMallocTrim();
  return mallocTrim !== null;
}

/**
 * Calls glibc's `malloc_trim(0)`: every free page of every malloc arena goes back to the system
 * (the process's resident memory shrinks; nothing live moves). Takes a few milliseconds and locks
 * each arena while it walks it, so call it when the process is quiet, after a garbage collection
 * has freed what was dead. Safe from any thread.
 */
export function releaseFreedNativeMemory(): NativeMemoryRelease {
  mallocTrim ??= loadMallocTrim();
  if (mallocTrim === null) return 'unsupported';
  return mallocTrim(0) === 1 ? 'released' : 'nothing-to-release';
}
