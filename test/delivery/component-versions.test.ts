/**
 * Component versions change exactly when a component's recipe or artifact bytes change: checked
 * with a small component built like the real ones (a build script zipping its sources with the
 * project's deterministic zip), published by EdgeComponent.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { buildComponent } from '../../lib/delivery/artifacts';
import { type EdgeComponentSource, plantComponents } from '../../lib/delivery/components';
import { EdgeComponent, InvalidRecipeError } from '../../lib/delivery/edge-component';
import {
  nextVersion,
  readVersionLock,
  recordVersions,
  StaleComponentVersionError,
  versionOf,
  type VersionLock,
} from '../../lib/delivery/versions';
import { REPOSITORY_ROOT } from '../support/app';
import { renderTemplateString } from '../support/templates';

const RECIPE = `RecipeFormatVersion: '2020-01-25'
ComponentName: com.example.Fixture
ComponentVersion: '{COMPONENT_VERSION}'
ComponentDescription: A component built like the project's own.
ComponentPublisher: uns-mlops tests
Manifests:
  - Platform:
      os: linux
    Artifacts:
      - Uri: s3://{ARTIFACT_BUCKET}/com.example.Fixture/{COMPONENT_VERSION}/fixture.zip
        Unarchive: ZIP
    Lifecycle:
      Run:
        Script: 'cd {artifacts:decompressedPath}/fixture && exec node main.js'
`;

const BUILD = `#!/usr/bin/env bash
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
cp "$here/src/main.js" "$staging/"
mkdir -p "$here/dist"
python3 "${join(REPOSITORY_ROOT, 'edge-components', 'common', 'scripts', 'deterministic-zip.py')}" "$staging" "$here/dist/fixture.zip" 6
`;

/** A fresh copy of the fixture component (a new folder: built anew, not taken from an earlier build). */
function fixture(
  changes: { recipe?: string; main?: string; readme?: string } = {},
): EdgeComponentSource {
  const dir = mkdtempSync(join(tmpdir(), 'edge-component-'));
  cpSync(join(template, '.'), dir, { recursive: true });
  if (changes.recipe !== undefined) writeFileSync(join(dir, 'recipe.yaml'), changes.recipe);
  if (changes.main !== undefined) writeFileSync(join(dir, 'src', 'main.js'), changes.main);
  if (changes.readme !== undefined) writeFileSync(join(dir, 'README.md'), changes.readme);
  return {
    name: 'com.example.Fixture',
    recipeFile: join(dir, 'recipe.yaml'),
    artifactFile: 'fixture.zip',
    build: ['bash', join(dir, 'scripts', 'build.sh')],
    builtArtifact: join(dir, 'dist', 'fixture.zip'),
  };
}

let template: string;

beforeAll(() => {
  template = mkdtempSync(join(tmpdir(), 'edge-component-template-'));
  mkdirSync(join(template, 'src'));
  mkdirSync(join(template, 'scripts'));
  writeFileSync(join(template, 'recipe.yaml'), RECIPE);
  writeFileSync(join(template, 'README.md'), 'The fixture component.\n');
  writeFileSync(join(template, 'src', 'main.js'), 'console.log("serving");\n');
  writeFileSync(join(template, 'scripts', 'build.sh'), BUILD);
});

/** The fixture's version as recorded after its first release. */
function releasedLock(): VersionLock {
  return recordVersions({}, { 'com.example.Fixture': buildComponent(fixture()).content }).lock;
}

/** Publishes `source` in a stack and returns the version in its synthesized recipe. */
function publishedVersion(source: EdgeComponentSource, versions: VersionLock): string {
  const stack = new Stack(new App(), 'Components');
  new EdgeComponent(stack, 'Fixture', {
    source,
    artifactBucket: new s3.Bucket(stack, 'Artifacts'),
    uploadLogGroup: new logs.LogGroup(stack, 'Logs'),
    versions,
  });
  const [version] = Object.values(
    Template.fromStack(stack).findResources('AWS::GreengrassV2::ComponentVersion'),
  );
  const recipe = JSON.parse(renderTemplateString(version!.Properties.InlineRecipe));
  expect(recipe.Manifests[0].Artifacts[0].Uri).toBe(
    `s3://<Ref>/com.example.Fixture/${recipe.ComponentVersion}/fixture.zip`,
  );
  return recipe.ComponentVersion as string;
}

describe('a component version', () => {
  it('is the recorded one while recipe and artifact are unchanged', () => {
    expect(publishedVersion(fixture(), releasedLock())).toBe('1.0.0');
  });

  it('does not change when only files outside the recipe and artifact change, or time passes', () => {
    const source = fixture({ readme: 'Rewritten notes.\n' });
    const old = new Date('2001-01-01T00:00:00Z');
    utimesSync(join(source.recipeFile, '..', 'src', 'main.js'), old, old);
    expect(publishedVersion(source, releasedLock())).toBe('1.0.0');
  });

  it('refuses to publish changed artifact bytes under the recorded version', () => {
    const changed = fixture({ main: 'console.log("serving faster");\n' });
    expect(() => publishedVersion(changed, releasedLock())).toThrow(StaleComponentVersionError);
    expect(() => publishedVersion(changed, releasedLock())).toThrow(
      /com\.example\.Fixture 1\.0\.0: its artifact changed .*npm run components:version/,
    );
  });

  it('goes up a patch once the changed artifact is recorded', () => {
    const changed = fixture({ main: 'console.log("serving faster");\n' });
    const { lock, changes } = recordVersions(releasedLock(), {
      'com.example.Fixture': buildComponent(changed).content,
    });
    expect(changes).toEqual([
      { component: 'com.example.Fixture', from: '1.0.0', to: '1.0.1', changed: ['artifact'] },
    ]);
    expect(publishedVersion(changed, lock)).toBe('1.0.1');
  });

  it('goes up when only the recipe changes', () => {
    const changed = fixture({ recipe: RECIPE.replace('A component built', 'A component rebuilt') });
    expect(() => publishedVersion(changed, releasedLock())).toThrow(/its recipe changed/);
    const { lock } = recordVersions(
      releasedLock(),
      { 'com.example.Fixture': buildComponent(changed).content },
      'minor',
    );
    expect(publishedVersion(changed, lock)).toBe('1.1.0');
  });

  it('is not recorded again when nothing changed', () => {
    const lock = releasedLock();
    const again = recordVersions(lock, {
      'com.example.Fixture': buildComponent(fixture()).content,
    });
    expect(again.changes).toEqual([]);
    expect(again.lock).toEqual(lock);
  });

  it('steps semver by patch, minor or major', () => {
    expect([
      nextVersion('1.4.2', 'patch'),
      nextVersion('1.4.2', 'minor'),
      nextVersion('1.4.2', 'major'),
    ]).toEqual(['1.4.3', '1.5.0', '2.0.0']);
  });
});

describe('an invalid recipe', () => {
  it('fails synthesis with what the Greengrass recipe schema finds', () => {
    const broken = fixture({ recipe: RECIPE.replace("RecipeFormatVersion: '2020-01-25'\n", '') });
    const lock = recordVersions({}, { 'com.example.Fixture': buildComponent(broken).content }).lock;
    expect(() => publishedVersion(broken, lock)).toThrow(InvalidRecipeError);
    expect(() => publishedVersion(broken, lock)).toThrow(
      /must have required property 'recipeformatversion'/,
    );
  });
});

describe("the repository's components", () => {
  it('are recorded in edge-components/component-versions.json as they are now', () => {
    const lock = readVersionLock();
    for (const source of plantComponents()) {
      expect(() => versionOf(lock, source.name, buildComponent(source).content)).not.toThrow();
    }
  });

  it('build to the same bytes every time (so versions follow content, not builds)', () => {
    const model = plantComponents().at(-1)!;
    const first = readFileSync(buildComponent(model).artifact.path);
    const copy = { ...model, build: [...model.build, ''] };
    expect(readFileSync(buildComponent(copy).artifact.path).equals(first)).toBe(true);
  });
});
