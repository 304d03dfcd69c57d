/**
 * One temporary folder per jest run, removed at its end, as the temporary directory (TMPDIR) of
 * the tests and of every process they start: a `cdk synth` into a fresh `cdk.out` (about 100 MB
 * with the functions' bundles and the dashboard's build), an artifact build, a broker's or a
 * database's data. Left behind, a few runs would fill the disk. jest.base.js installs it in every
 * package; a package with a global setup of its own calls {@link createRunDirectory} first.
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitUntil } from '@uns-mlops/test-services';

/** The variable naming the run's folder, for the teardown. */
const RUN_DIRECTORY_VARIABLE = 'UNS_MLOPS_TEST_RUN_DIRECTORY';

/** Creates the run's folder and makes it the temporary directory; returns its path. */
export function createRunDirectory(): string {
  const existing = process.env[RUN_DIRECTORY_VARIABLE];
  if (existing !== undefined) return existing;
  const runDirectory = mkdtempSync(join(tmpdir(), 'uns-mlops-jest-'));
  // Services that run as users of their own (PostgreSQL as postgres) reach their folders in it.
  chmodSync(runDirectory, 0o755);
  process.env[RUN_DIRECTORY_VARIABLE] = runDirectory;
  process.env.TMPDIR = runDirectory;
  return runDirectory;
}

/**
 * The run's folder, as the global setup created it: test files share what they make once per run
 * there (built artifacts, the synthesized app, a Trino server).
 *
 * @throws Error when the global setup has not run (a jest config without jest.base.js).
 */
export function runDirectory(): string {
  const directory = process.env[RUN_DIRECTORY_VARIABLE];
  if (directory === undefined) {
    throw new Error(
      `${RUN_DIRECTORY_VARIABLE} is not set: run the tests with a jest config based on jest.base.js`,
    );
  }
  return directory;
}

/** How long a process stopped at the run's end has after SIGTERM, before SIGKILL. */
const STOP_GRACE_MS = 15_000;

/**
 * Has the run's end stop a process that outlives the test file that started it (a server the
 * run's files share, see once-per-run.ts): SIGTERM, SIGKILL after 15 s, before its folder goes.
 */
export function stopAtRunEnd(pid: number): void {
  const processes = join(runDirectory(), 'processes');
  mkdirSync(processes, { recursive: true });
  writeFileSync(join(processes, String(pid)), '');
}

/** Stops the processes {@link stopAtRunEnd} names, then removes the run's folder and all in it. */
export async function removeRunDirectory(): Promise<void> {
  const directory = process.env[RUN_DIRECTORY_VARIABLE];
  if (directory === undefined) return;
  const processes = join(directory, 'processes');
  const pids = existsSync(processes) ? readdirSync(processes).map(Number) : [];
  await Promise.all(pids.map(stop));
  rmSync(directory, { recursive: true, force: true });
}

async function stop(pid: number): Promise<void> {
  if (!signal(pid, 'SIGTERM')) return;
  try {
    await waitUntil(() => !signal(pid, 0), STOP_GRACE_MS, `process ${pid} stopped`);
  } catch {
    signal(pid, 'SIGKILL');
  }
}

/** Sends `signal` to `pid`; false when there is no such process any more. */
function signal(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}
