/**
 * The Greengrass components this repository builds, and how to lay them out for a local
 * deployment: recipes with their `{COMPONENT_VERSION}` and `{ARTIFACT_BUCKET}` placeholders filled,
 * artifacts where the Greengrass CLI looks for them (`<artifacts>/<name>/<version>/<file>`).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** The repository's root folder. */
export const REPOSITORY_ROOT = join(__dirname, '..', '..', '..');

/** A component built from this repository. */
export interface EdgeComponent {
  /** Greengrass component name, as in its recipe. */
  readonly name: string;
  /** Its Greengrass recipe, with the placeholders the publisher fills. */
  readonly recipeFile: string;
  /** The artifact's file name (`<name>.zip`, unpacked by Greengrass into a folder `<name>`). */
  readonly artifactFile: string;
  /** The build script and its arguments, run from the repository root; prints the zip's sha256. */
  readonly build: readonly string[];
  /** Where the build script writes the artifact. */
  readonly builtArtifact: string;
}

const componentDir = (folder: string) => join(REPOSITORY_ROOT, 'edge-components', folder);

/** A runtime component: its recipe and reproducible artifact build live in its folder. */
function runtimeComponent(name: string, folder: string): EdgeComponent {
  const dir = componentDir(folder);
  return {
    name,
    recipeFile: join(dir, 'recipe.yaml'),
    artifactFile: `${folder}.zip`,
    build: ['bash', join(dir, 'scripts', 'build-artifact.sh')],
    builtArtifact: join(dir, 'dist', `${folder}.zip`),
  };
}

/** The three services a plant's core runs. */
export const SERVICES = {
  validator: runtimeComponent('io.unsmlops.UnsValidator', 'uns-validator'),
  inference: runtimeComponent('io.unsmlops.AnomalyInference', 'anomaly-inference'),
  bridge: runtimeComponent('io.unsmlops.UnsKafkaBridge', 'uns-kafka-bridge'),
} as const;

/** The model component built from `bundleDir` (a model bundle: model.onnx + manifest.json). */
export function modelComponent(bundleDir: string): EdgeComponent {
  const dir = componentDir('anomaly-inference');
  return {
    name: 'io.unsmlops.WeldSeamAnomalyModel',
    recipeFile: join(dir, 'model-component', 'recipe.yaml'),
    artifactFile: 'model-bundle.zip',
    build: ['bash', join(dir, 'scripts', 'build-model-artifact.sh'), bundleDir],
    builtArtifact: join(dir, 'dist', 'model-bundle.zip'),
  };
}

/**
 * A recipe as a device receives it: placeholders filled. The artifact bucket only names the URI;
 * a local deployment takes the artifact of the same file name from its artifact folder.
 */
export function renderRecipe(
  component: EdgeComponent,
  version: string,
  artifactBucket = 'uns-mlops-local',
): string {
  return readFileSync(component.recipeFile, 'utf8')
    .replaceAll('{COMPONENT_VERSION}', version)
    .replaceAll('{ARTIFACT_BUCKET}', artifactBucket);
}

/** The parsed recipe of {@link renderRecipe}. */
export function recipeOf(component: EdgeComponent, version = '1.0.0'): Record<string, any> {
  return parse(renderRecipe(component, version)) as Record<string, any>;
}

/** Folders of a local deployment: the Greengrass CLI's `--recipeDir` and `--artifactDir`. */
export interface LocalDeploymentFolders {
  readonly recipes: string;
  readonly artifacts: string;
}

/**
 * Builds `component`'s artifact with the project's own build script and adds it to `folders` as
 * version `version`: the rendered recipe `<recipes>/<name>-<version>.yaml` and the artifact
 * `<artifacts>/<name>/<version>/<file>`.
 */
export function stageComponent(
  folders: LocalDeploymentFolders,
  component: EdgeComponent,
  version: string,
): void {
  const [command, ...args] = component.build;
  const run = spawnSync(command!, args, { cwd: REPOSITORY_ROOT, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${component.build.join(' ')} failed:\n${run.stderr}`);
  const artifactDir = join(folders.artifacts, component.name, version);
  mkdirSync(artifactDir, { recursive: true });
  copyFileSync(component.builtArtifact, join(artifactDir, component.artifactFile));
  mkdirSync(folders.recipes, { recursive: true });
  writeFileSync(
    join(folders.recipes, `${component.name}-${version}.yaml`),
    renderRecipe(component, version),
  );
}
