/**
 * What several test files need and is costly to make (the whole app synthesized, a Trino server)
 * made once per jest run instead of once per file: each jest worker is a process of its own, so
 * the first file that asks makes it under a lock file in the run's folder (run-directory.ts) and
 * the others wait for it there.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeOnceUnderLock } from '@uns-mlops/test-services';
import { runDirectory } from './run-directory';

/** The same thing asked for again in one process: the first answer. */
const made = new Map<string, Promise<void>>();

/**
 * Runs `make` once per run for `key`, in whichever process asks first; resolves once it has run
 * (in this process or another one), rejects with its error in every process when it failed. A
 * lock left by a process that died is taken over.
 *
 * @param timeoutMs how long a process waits for another one that makes it (a deadline for a
 *   loaded machine: the wait ends as soon as it is made).
 */
export function oncePerRun(
  key: string,
  make: () => Promise<void> | void,
  timeoutMs: number,
): Promise<void> {
  let once = made.get(key);
  if (once === undefined) {
    once = makeOrAwait(key, make, timeoutMs);
    made.set(key, once);
  }
  return once;
}

async function makeOrAwait(
  key: string,
  make: () => Promise<void> | void,
  timeoutMs: number,
): Promise<void> {
  const base = join(runDirectory(), key);
  const done = `${base}.done`;
  const failed = `${base}.failed`;
  await makeOnceUnderLock({
    lock: `${base}.lock`,
    isMade: () => {
      if (existsSync(failed)) {
        throw new Error(`${key} failed in another test file:\n${readFileSync(failed, 'utf8')}`);
      }
      return existsSync(done);
    },
    make: async () => {
      try {
        await make();
        writeFileSync(done, '');
      } catch (error) {
        writeFileSync(
          failed,
          error instanceof Error ? (error.stack ?? error.message) : String(error),
        );
        throw error;
      }
    },
    timeoutMs,
    what: `${key}, made by the process holding ${base}.lock`,
  });
}
