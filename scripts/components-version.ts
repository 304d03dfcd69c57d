/**
 * `npm run components:version [-- --minor | --major]`: builds every edge component, and records a
 * new version in edge-components/component-versions.json for each one whose recipe or artifact
 * changed (patch up by default). Unchanged components keep their version; run it before committing
 * a change to an edge component, and commit the file with it.
 */
import { buildComponent } from '../lib/delivery/artifacts';
import { plantComponents } from '../lib/delivery/components';
import {
  readVersionLock,
  recordVersions,
  type VersionStep,
  writeVersionLock,
} from '../lib/delivery/versions';

const step: VersionStep = process.argv.includes('--major')
  ? 'major'
  : process.argv.includes('--minor')
    ? 'minor'
    : 'patch';
const contents = Object.fromEntries(
  plantComponents().map((source) => [source.name, buildComponent(source).content]),
);
const { lock, changes } = recordVersions(readVersionLock(), contents, step);
if (changes.length === 0) {
  console.log('Every component version is current; nothing recorded.');
} else {
  writeVersionLock(lock);
  for (const change of changes) {
    console.log(
      `${change.component}: ${change.from ?? '(new)'} -> ${change.to} (${change.changed.join(' and ')} changed)`,
    );
  }
  console.log('Recorded in edge-components/component-versions.json; commit it with the change.');
}
