import { buildComponent } from './artifacts';
import type { EdgeComponentSource } from './components';
import { readVersionLock, versionOf, type VersionLock } from './versions';

/** A component version as a deployment names it. */
export interface PublishedVersion {
  readonly name: string;
  readonly version: string;
}

/**
 * The version each component is published under: built, hashed and looked up in the version lock
 * (the same lookup {@link EdgeComponent} publishes with), for deployments in other stacks and for
 * the rollout plan.
 *
 * @throws StaleComponentVersionError when a component changed without a recorded version.
 */
export function publishedVersions(
  sources: readonly EdgeComponentSource[],
  lock: VersionLock = readVersionLock(),
): PublishedVersion[] {
  return sources.map((source) => ({
    name: source.name,
    version: versionOf(lock, source.name, buildComponent(source).content),
  }));
}
