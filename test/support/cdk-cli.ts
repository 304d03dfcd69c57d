/**
 * The CDK command line as a user runs it from the repository: `cdk synth` with no AWS credentials
 * or configuration at all.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from './app';

/**
 * A user's environment without AWS credentials or configuration: a home of its own, and the run's
 * temporary directory (the synthesized artifacts' staging goes there and is removed with it).
 */
export function userEnvironment(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: mkdtempSync(join(tmpdir(), 'no-aws-home-')),
    TMPDIR: tmpdir(),
    AWS_EC2_METADATA_DISABLED: 'true',
    CI: 'true',
  };
}

/** Runs `cdk synth <args>` into `outdir` as a user would, with no AWS credentials. */
export function cdkSynth(outdir: string, ...args: string[]): SpawnSyncReturns<string> {
  return spawnSync(
    join(REPOSITORY_ROOT, 'node_modules', '.bin', 'cdk'),
    ['synth', '--quiet', '--no-notices', '--no-version-reporting', '-o', outdir, ...args],
    { cwd: REPOSITORY_ROOT, encoding: 'utf8', env: userEnvironment() },
  );
}
