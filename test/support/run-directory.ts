/**
 * One temporary folder per jest run, removed at its end, as the temporary directory (TMPDIR) of
 * the tests and of every process they start: a `cdk synth` into a fresh `cdk.out` (about 100 MB
 * with the functions' bundles and the dashboard's build), an artifact build, a broker's or a
 * database's data. Left behind, a few runs would fill the disk. jest.base.js installs it in every
 * package; a package with a global setup of its own calls {@link createRunDirectory} first.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

/** Removes the run's folder and everything the tests left in it. */
export function removeRunDirectory(): void {
  const runDirectory = process.env[RUN_DIRECTORY_VARIABLE];
  if (runDirectory !== undefined) rmSync(runDirectory, { recursive: true, force: true });
}
