/**
 * Something costly made once by several processes at once (jest workers, parallel test runs): the
 * first takes a lock file holding its process id and makes it, the others wait until it is made;
 * a lock left by a process that died is taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { waitUntil } from './wait';

/**
 * Resolves once `isMade()` holds, after calling `make` under `lock` in this process if no other
 * process is making it. `isMade` may throw (e.g. when another process recorded a failure); so does
 * this, with `make`'s error in the process that made it.
 *
 * @param what what is waited for, for the message of a wait that times out after `timeoutMs`.
 */
export async function makeOnceUnderLock(options: {
  readonly lock: string;
  readonly isMade: () => boolean;
  readonly make: () => Promise<void> | void;
  readonly timeoutMs: number;
  readonly what: string;
}): Promise<void> {
  const { lock, isMade, make } = options;
  while (!isMade()) {
    if (takeLock(lock)) {
      try {
        if (!isMade()) await make();
      } finally {
        rmSync(lock, { force: true });
      }
    } else {
      await waitUntil(
        () => {
          // A throwing isMade ends the wait: the loop's own call then throws its error.
          if (isMadeOrThrows(isMade)) return true;
          const holder = lockHolder(lock);
          return holder === 'gone' || (holder !== undefined && !processIsAlive(holder));
        },
        options.timeoutMs,
        options.what,
      );
    }
  }
}

function isMadeOrThrows(isMade: () => boolean): boolean {
  try {
    return isMade();
  } catch {
    return true;
  }
}

/**
 * Creates the lock file with this process's id; false while another process holds it. A lock whose
 * process has died is removed and taken.
 */
function takeLock(lock: string): boolean {
  for (;;) {
    try {
      const descriptor = openSync(lock, 'wx');
      writeSync(descriptor, String(process.pid));
      closeSync(descriptor);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = lockHolder(lock);
    if (holder === 'gone') continue;
    // An empty lock is one its creator has not written its id into yet.
    if (holder === undefined || processIsAlive(holder)) return false;
    if (lockHolder(lock) === holder) rmSync(lock, { force: true });
  }
}

function lockHolder(lock: string): number | undefined | 'gone' {
  try {
    const content = readFileSync(lock, 'utf8');
    return content === '' ? undefined : Number(content);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
}

function processIsAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
