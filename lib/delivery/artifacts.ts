import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EdgeComponentSource, REPOSITORY_ROOT } from './components';
import type { ComponentContent } from './versions';

/** A component's artifact, built by the component's own reproducible build script. */
export interface BuiltArtifact {
  /** A copy of the zip that stays in place for the rest of the process. */
  readonly path: string;
  /** sha256 of its bytes, hex. */
  readonly sha256: string;
}

/**
 * Set to a folder to share built artifacts between the processes of one run (the test runner's
 * workers): a build is reused from there instead of run again. Only for one run over unchanged
 * sources; `cdk synth` and the version tools always build.
 */
export const ARTIFACT_CACHE_VARIABLE = 'UNS_MLOPS_ARTIFACT_CACHE';

const built = new Map<string, BuiltArtifact>();
let keptArtifacts: string | undefined;

/**
 * Builds `component`'s artifact with its build script (once per process and build command) and
 * returns a copy that later builds do not overwrite. The scripts are reproducible: the same sources
 * and lock file give the same bytes, so the hash names the artifact's content.
 *
 * @throws Error with the script's output when the build fails.
 */
export function buildArtifact(component: EdgeComponentSource): BuiltArtifact {
  const key = component.build.join('\u0000');
  const known = built.get(key);
  if (known !== undefined) return known;
  const cacheDir = process.env[ARTIFACT_CACHE_VARIABLE];
  const cached = cacheDir === undefined ? undefined : join(cacheDir, `${digest(key)}.zip`);
  const path = cached !== undefined && existsSync(cached) ? cached : runBuild(component, cached);
  const artifact = { path, sha256: digest(readFileSync(path)) };
  built.set(key, artifact);
  return artifact;
}

function runBuild(component: EdgeComponentSource, cached: string | undefined): string {
  const [command, ...args] = component.build;
  if (command === undefined) throw new Error(`${component.name} names no build command`);
  const run = spawnSync(command, args, { cwd: REPOSITORY_ROOT, encoding: 'utf8' });
  if (run.status !== 0) {
    throw new Error(
      `Building the artifact of ${component.name} failed (${component.build.join(' ')}):\n${run.stderr}`,
    );
  }
  keptArtifacts ??= mkdtempSync(join(tmpdir(), 'uns-mlops-artifacts-'));
  const kept = join(keptArtifacts, `${component.name}-${component.artifactFile}`);
  copyFileSync(component.builtArtifact, kept);
  if (cached === undefined) return kept;
  // Another worker may build the same artifact at the same time: publish by rename, atomically.
  mkdirSync(join(cached, '..'), { recursive: true });
  const partial = `${cached}.${process.pid}`;
  copyFileSync(kept, partial);
  renameSync(partial, cached);
  return kept;
}

/** sha256 of `content`, hex. */
export function digest(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** A component's content as the version lock sees it, with the artifact that was built for it. */
export interface BuiltComponent {
  readonly artifact: BuiltArtifact;
  readonly recipeTemplate: string;
  readonly content: ComponentContent;
}

/** Builds `component` and hashes its recipe template and artifact. */
export function buildComponent(component: EdgeComponentSource): BuiltComponent {
  const artifact = buildArtifact(component);
  const recipeTemplate = readFileSync(component.recipeFile, 'utf8');
  return {
    artifact,
    recipeTemplate,
    content: { recipeSha256: digest(recipeTemplate), artifactSha256: artifact.sha256 },
  };
}
