/**
 * Jest global setup of the CDK app's tests: the run's folder (see run-directory.ts), and in it one
 * folder where the test workers share the edge components' built artifacts (see
 * ARTIFACT_CACHE_VARIABLE in lib/delivery/artifacts.ts), so each artifact is built once per run
 * instead of once per test file. A fresh folder each run: a run never reuses what an earlier one
 * built.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACT_CACHE_VARIABLE } from '../../lib/delivery/artifacts';
import { createRunDirectory } from './run-directory';

export default function shareBuiltArtifacts(): void {
  const artifacts = join(createRunDirectory(), 'artifact-cache');
  mkdirSync(artifacts);
  process.env[ARTIFACT_CACHE_VARIABLE] = artifacts;
}
