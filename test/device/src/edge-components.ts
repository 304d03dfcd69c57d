/**
 * The Greengrass components this repository builds, and how to lay them out for a local
 * deployment: recipes with their `{COMPONENT_VERSION}` and `{ARTIFACT_BUCKET}` placeholders filled,
 * artifacts where the Greengrass CLI looks for them (`<artifacts>/<name>/<version>/<file>`).
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { buildArtifact } from '../../../lib/delivery/artifacts';
import type { EdgeComponentSource } from '../../../lib/delivery/components';
import { fillRecipe } from '../../../lib/delivery/recipe';

export {
  type EdgeComponentSource as EdgeComponent,
  modelComponent,
  SERVICES,
} from '../../../lib/delivery/components';

/**
 * A recipe as a device receives it: placeholders filled. The artifact bucket only names the URI;
 * a local deployment takes the artifact of the same file name from its artifact folder.
 */
export function renderRecipe(
  component: EdgeComponentSource,
  version: string,
  artifactBucket = 'uns-mlops-local',
): string {
  return fillRecipe(readFileSync(component.recipeFile, 'utf8'), version, artifactBucket);
}

/** The parsed recipe of {@link renderRecipe}. */
export function recipeOf(component: EdgeComponentSource, version = '1.0.0'): Record<string, any> {
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
  component: EdgeComponentSource,
  version: string,
): void {
  const artifact = buildArtifact(component);
  const artifactDir = join(folders.artifacts, component.name, version);
  mkdirSync(artifactDir, { recursive: true });
  copyFileSync(artifact.path, join(artifactDir, component.artifactFile));
  mkdirSync(folders.recipes, { recursive: true });
  writeFileSync(
    join(folders.recipes, `${component.name}-${version}.yaml`),
    renderRecipe(component, version),
  );
}
