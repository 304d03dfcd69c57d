/**
 * What several test files need and is costly to make (the whole app synthesized, a Trino server)
 * made once per jest run instead of once per file: each jest worker is a process of its own, so
 * the first file that asks makes it under a lock file in the run's folder (run-directory.ts) and
 * the others wait for it there.
 */
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { waitUntil } from '@uns-mlops/test-services';
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
  const lock = `${base}.lock`;
  const done = `${base}.done`;
  const failed = `${base}.failed`;
  const outcome = () => {
    if (existsSync(failed)) {
      throw new Error(`${key} failed in another test file:\n${readFileSync(failed, 'utf8')}`);
    }
    return existsSync(done);
  };
  for (;;) {
    if (outcome()) return;
    if (takeLock(lock)) break;
    await waitUntil(
      () => outcome() || holderIsGone(lock),
      timeoutMs,
      `${key}, made by the process holding ${lock}`,
    );
  }
  try {
    await make();
    writeFileSync(done, '');
  } catch (error) {
    writeFileSync(failed, error instanceof Error ? (error.stack ?? error.message) : String(error));
    throw error;
  } finally {
    rmSync(lock, { force: true });
  }
}

/** Creates the lock file with this process's id; false while another process holds it. */
function takeLock(lock: string): boolean {
  try {
    const descriptor = openSync(lock, 'wx');
    writeSync(descriptor, String(process.pid));
    closeSync(descriptor);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  }
}

/** Whether the lock is gone, or held by a process that has died (then it is removed). */
function holderIsGone(lock: string): boolean {
  let holder: number;
  try {
    holder = Number(readFileSync(lock, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
  // An empty lock is one its creator has not written its id into yet.
  if (!Number.isInteger(holder) || holder <= 0) return false;
  try {
    process.kill(holder, 0);
    return false;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EPERM') return false;
    rmSync(lock, { force: true });
    return true;
  }
}
