import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';

/** An edge component's Greengrass artifact, built and unpacked. */
export interface BuiltArtifact {
  /** SHA-256 of `dist/<name>.zip`, as the build printed it. */
  readonly sha256: string;
  /** Where the component's files are once unpacked: `<decompressedPath>/<name>/`. */
  readonly dir: string;
}

/** The longest an artifact build with its unpacking may take (bundling, copying native code). */
const BUILD_TIMEOUT_MS = 180_000;

/**
 * The mode the Greengrass nucleus leaves unpacked files in under an artifact's default
 * `Permission` (read by owner and group, no execute, nothing writable), as seen on the nucleus
 * 2.18: a component that writes into its own artifact directory fails here as on a device.
 */
const UNPACKED_FILE_MODE = 0o440;

/** Runs the component's `scripts/build-artifact.sh`; returns the SHA-256 of the zip it printed. */
export function buildArtifact(componentDir: string): string {
  const run = spawnSync('bash', [join(componentDir, 'scripts', 'build-artifact.sh')], {
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`artifact build failed: ${run.stderr}`);
  return run.stdout.trim().split(/\s+/)[0]!;
}

/**
 * Unpacks a ZIP artifact as the Greengrass nucleus does for `Unarchive: ZIP`: into
 * `<decompressedPath>/<zip file name without .zip>/` (the zip's own paths below that), files made
 * read-only. Returns that directory, the one a recipe reaches as
 * `{artifacts:decompressedPath}/<name>`.
 */
export function unpackLikeGreengrass(zip: string, decompressedPath: string): string {
  const target = join(decompressedPath, basename(zip, extname(zip)));
  mkdirSync(target, { recursive: true });
  const unzip = spawnSync('python3', ['-m', 'zipfile', '-e', zip, target], { encoding: 'utf8' });
  if (unzip.status !== 0) throw new Error(`cannot unpack ${zip}: ${unzip.stderr}`);
  for (const entry of readdirSync(target, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) chmodSync(join(entry.parentPath, entry.name), UNPACKED_FILE_MODE);
  }
  return target;
}

/**
 * Builds the component's artifact `dist/<name>.zip` before the tests of the enclosing block and
 * unpacks it as Greengrass does (see {@link unpackLikeGreengrass}) into a temporary directory.
 */
export function useArtifact(componentDir: string, name: string): BuiltArtifact {
  const artifact = {} as { sha256: string; dir: string };
  beforeAll(() => {
    artifact.sha256 = buildArtifact(componentDir);
    const decompressedPath = mkdtempSync(join(tmpdir(), 'artifact-'));
    artifact.dir = unpackLikeGreengrass(
      join(componentDir, 'dist', `${name}.zip`),
      decompressedPath,
    );
  }, BUILD_TIMEOUT_MS);
  return artifact;
}

/**
 * What the unpacked artifact in `dir` makes of glibc's `malloc_trim(0)` through the koffi it
 * ships (the way edge-common's `releaseFreedNativeMemory` calls it): `1` or `0` when it loads
 * from the artifact and runs, else the error.
 */
export function mallocTrimFromArtifact(dir: string): string {
  const script = [
    "const path = require.resolve('koffi');",
    `if (!path.startsWith(${JSON.stringify(dir)})) throw new Error('koffi not in the artifact: ' + path);`,
    "console.log(require(path).load('libc.so.6').func('int malloc_trim(size_t pad)')(0));",
  ].join('\n');
  const run = spawnSync('node', ['-e', script], { cwd: dir, encoding: 'utf8' });
  return run.status === 0 ? run.stdout.trim() : run.stderr.trim();
}
