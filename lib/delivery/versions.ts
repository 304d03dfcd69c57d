import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from './components';
import { isComponentVersion } from './recipe';

/** The file recording each component's published version and the content it was published with. */
export const VERSION_LOCK_FILE = join(
  REPOSITORY_ROOT,
  'edge-components',
  'component-versions.json',
);

/** What a component version consists of: its recipe template and its artifact's bytes. */
export interface ComponentContent {
  /** sha256 of the recipe template (placeholders unfilled), hex. */
  readonly recipeSha256: string;
  /** sha256 of the artifact zip, hex. */
  readonly artifactSha256: string;
}

/** One component's entry in the lock: the version that names this content. */
export interface LockedVersion extends ComponentContent {
  /** Semver `major.minor.patch`. */
  readonly version: string;
}

/** Component name → its locked version. */
export type VersionLock = Readonly<Record<string, LockedVersion>>;

/**
 * A component whose content differs from what its locked version was published with: publishing
 * the old version number again would be refused by Greengrass (versions are immutable), and
 * publishing a new one must be a decision recorded in git.
 */
export class StaleComponentVersionError extends Error {
  constructor(
    readonly component: string,
    readonly changed: readonly ('recipe' | 'artifact')[],
    readonly lockedVersion: string | undefined,
  ) {
    super(
      lockedVersion === undefined
        ? `${component} has no version in edge-components/component-versions.json. Run \`npm run components:version\` and commit the file.`
        : `${component} ${lockedVersion}: its ${changed.join(' and ')} changed since that version was recorded. Run \`npm run components:version\` (the patch version goes up; \`-- --minor\` or \`-- --major\` for bigger steps) and commit edge-components/component-versions.json.`,
    );
    this.name = 'StaleComponentVersionError';
  }
}

/** Reads a version lock; a missing file is an empty lock. */
export function readVersionLock(file: string = VERSION_LOCK_FILE): VersionLock {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  const lock = JSON.parse(text) as VersionLock;
  for (const [name, entry] of Object.entries(lock)) {
    if (!isComponentVersion(entry.version)) {
      throw new Error(`${file}: ${name} has version ${JSON.stringify(entry.version)}, not semver`);
    }
  }
  return lock;
}

/** Writes a version lock, components sorted by name, as the repository keeps it. */
export function writeVersionLock(lock: VersionLock, file: string = VERSION_LOCK_FILE): void {
  const sorted = Object.fromEntries(Object.entries(lock).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(file, `${JSON.stringify(sorted, null, 2)}\n`);
}

/** What of `content` differs from the locked entry (nothing: the locked version names it). */
export function changesSince(
  locked: LockedVersion | undefined,
  content: ComponentContent,
): ('recipe' | 'artifact')[] {
  if (locked === undefined) return ['recipe', 'artifact'];
  const changed: ('recipe' | 'artifact')[] = [];
  if (locked.recipeSha256 !== content.recipeSha256) changed.push('recipe');
  if (locked.artifactSha256 !== content.artifactSha256) changed.push('artifact');
  return changed;
}

/**
 * The version that names `content`: the locked one when the recipe and the artifact are the ones it
 * was recorded with.
 *
 * @throws StaleComponentVersionError when they are not (or the component has no entry).
 */
export function versionOf(lock: VersionLock, component: string, content: ComponentContent): string {
  const locked = lock[component];
  const changed = changesSince(locked, content);
  if (locked === undefined || changed.length > 0) {
    throw new StaleComponentVersionError(component, changed, locked?.version);
  }
  return locked.version;
}

/** Which part of a version goes up. */
export type VersionStep = 'major' | 'minor' | 'patch';

/** `version` one `step` up (`1.4.2` patch → `1.4.3`, minor → `1.5.0`, major → `2.0.0`). */
export function nextVersion(version: string, step: VersionStep): string {
  const [major, minor, patch] = version.split('.').map(Number) as [number, number, number];
  if (step === 'major') return `${major + 1}.0.0`;
  if (step === 'minor') return `${major}.${minor + 1}.0`;
  return `${major}.${minor}.${patch + 1}`;
}

/** A component's entry before and after {@link recordVersions}. */
export interface VersionChange {
  readonly component: string;
  readonly from: string | undefined;
  readonly to: string;
  readonly changed: readonly ('recipe' | 'artifact')[];
}

/**
 * The lock after recording `contents`: a component whose recipe or artifact changed gets its
 * version one `step` up (a new component starts at 1.0.0); an unchanged one keeps its entry as it
 * is, so recording twice changes nothing.
 */
export function recordVersions(
  lock: VersionLock,
  contents: Readonly<Record<string, ComponentContent>>,
  step: VersionStep = 'patch',
): { lock: VersionLock; changes: VersionChange[] } {
  const next: Record<string, LockedVersion> = { ...lock };
  const changes: VersionChange[] = [];
  for (const [component, content] of Object.entries(contents)) {
    const locked = lock[component];
    const changed = changesSince(locked, content);
    if (changed.length === 0) continue;
    const to = locked === undefined ? '1.0.0' : nextVersion(locked.version, step);
    next[component] = { version: to, ...content };
    changes.push({ component, from: locked?.version, to, changed });
  }
  return { lock: next, changes };
}
