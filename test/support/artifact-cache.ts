/**
 * Jest global setup: one folder for the whole run where the test workers share the edge
 * components' built artifacts (see ARTIFACT_CACHE_VARIABLE in lib/delivery/artifacts.ts), so each
 * artifact is built once per run instead of once per test file. A fresh folder each run: a run
 * never reuses what an earlier one built.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARTIFACT_CACHE_VARIABLE } from '../../lib/delivery/artifacts';

export default function shareBuiltArtifacts(): void {
  process.env[ARTIFACT_CACHE_VARIABLE] = mkdtempSync(join(tmpdir(), 'uns-mlops-artifact-cache-'));
}
