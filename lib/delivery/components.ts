import { join } from 'node:path';

/** The repository's root folder. */
export const REPOSITORY_ROOT = join(__dirname, '..', '..');

/** A Greengrass component built from this repository: its recipe and how its artifact is built. */
export interface EdgeComponentSource {
  /** Greengrass component name, as in its recipe. */
  readonly name: string;
  /** Its Greengrass recipe, with the `{COMPONENT_VERSION}` and `{ARTIFACT_BUCKET}` placeholders. */
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
function runtimeComponent(name: string, folder: string): EdgeComponentSource {
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

/** Name of the model component, a component of its own beside the inference runtime. */
export const MODEL_COMPONENT_NAME = 'io.unsmlops.WeldSeamAnomalyModel';

/**
 * Name of the model's shadow slot: a candidate model the inference runtime scores beside the
 * serving one, deployed only for a trial at the canary (lib/model-rollout), never by the pipeline.
 */
export const CANDIDATE_MODEL_COMPONENT_NAME = 'io.unsmlops.WeldSeamAnomalyModelCandidate';

/** The candidate's recipe template: the same artifact as the model component of its version. */
export const CANDIDATE_MODEL_RECIPE = join(
  componentDir('anomaly-inference'),
  'model-component',
  'candidate-recipe.yaml',
);

/** The model bundle the plants get (see models/README.md). */
export const SHIPPED_MODEL_BUNDLE = join(REPOSITORY_ROOT, 'models', 'weld-seam-anomaly');

/** The model component built from `bundleDir` (a model bundle: model.onnx + manifest.json). */
export function modelComponent(bundleDir: string): EdgeComponentSource {
  const dir = componentDir('anomaly-inference');
  return {
    name: MODEL_COMPONENT_NAME,
    recipeFile: join(dir, 'model-component', 'recipe.yaml'),
    artifactFile: 'model-bundle.zip',
    build: ['bash', join(dir, 'scripts', 'build-model-artifact.sh'), bundleDir],
    builtArtifact: join(dir, 'dist', 'model-bundle.zip'),
  };
}

/** Every component a plant gets, the shipped model included, in deployment order. */
export function plantComponents(
  modelBundleDir: string = SHIPPED_MODEL_BUNDLE,
): readonly EdgeComponentSource[] {
  return [SERVICES.validator, SERVICES.inference, SERVICES.bridge, modelComponent(modelBundleDir)];
}
