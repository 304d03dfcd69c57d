import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** An edge component's Greengrass artifact, built and unpacked. */
export interface BuiltArtifact {
  /** SHA-256 of `dist/<name>.zip`, as the build printed it. */
  readonly sha256: string;
  /** The unpacked component: the zip's top directory `<name>/`. */
  readonly dir: string;
}

/** The longest an artifact build with its unpacking may take (bundling, copying native code). */
const BUILD_TIMEOUT_MS = 180_000;

/** Runs the component's `scripts/build-artifact.sh`; returns the SHA-256 of the zip it printed. */
export function buildArtifact(componentDir: string): string {
  const run = spawnSync('bash', [join(componentDir, 'scripts', 'build-artifact.sh')], {
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`artifact build failed: ${run.stderr}`);
  return run.stdout.trim().split(/\s+/)[0]!;
}

/**
 * Builds the component's artifact `dist/<name>.zip` before the tests of the enclosing block and
 * unpacks it as Greengrass does (Unarchive: ZIP) into a temporary directory.
 */
export function useArtifact(componentDir: string, name: string): BuiltArtifact {
  const artifact = {} as { sha256: string; dir: string };
  beforeAll(() => {
    artifact.sha256 = buildArtifact(componentDir);
    const target = mkdtempSync(join(tmpdir(), 'artifact-'));
    const zip = join(componentDir, 'dist', `${name}.zip`);
    const unzip = spawnSync('python3', ['-m', 'zipfile', '-e', zip, target]);
    if (unzip.status !== 0) throw new Error(String(unzip.stderr));
    artifact.dir = join(target, name);
  }, BUILD_TIMEOUT_MS);
  return artifact;
}
