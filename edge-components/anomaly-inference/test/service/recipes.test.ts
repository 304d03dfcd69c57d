/**
 * The Greengrass recipes: the runtime's default configuration is valid, it depends on the model
 * component softly and reads the model from the link the model component's install step keeps;
 * running that install step for two model versions swaps the model in a running runtime.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MALLOC_VARIABLES } from '@uns-mlops/edge-common';
import { unpackLikeGreengrass } from '@uns-mlops/test-services';
import { parse } from 'yaml';
import { ENVIRONMENT_VARIABLES, loadConfig } from '../../src/service/config';
import { fixtureBundleDir } from '../fixtures/model-fixture';
import { COMPONENT_DIR } from '../fixtures/paths';
import {
  installBundle,
  nextModelChange,
  startRuntime,
  testConfig,
  useBroker,
} from '../support/harness';

const runtimeRecipe = parse(readFileSync(join(COMPONENT_DIR, 'recipe.yaml'), 'utf8'));
const modelRecipe = parse(
  readFileSync(join(COMPONENT_DIR, 'model-component', 'recipe.yaml'), 'utf8'),
);
const manifest = (recipe: any) => recipe.Manifests[0];

it('gives the runtime a default configuration its schema accepts', () => {
  const settings = runtimeRecipe.ComponentConfiguration.DefaultConfiguration.settings;
  const config = loadConfig({ env: { ANOMALY_INFERENCE_CONFIG_JSON: JSON.stringify(settings) } });
  expect(config.batching).toEqual(settings.batching);
  expect(config.limits).toEqual(settings.limits);
  expect(config.drift).toEqual(settings.drift);
  expect(
    Object.keys(manifest(runtimeRecipe).Lifecycle.Setenv).every(
      (name) => name in ENVIRONMENT_VARIABLES || MALLOC_VARIABLES.includes(name),
    ),
  ).toBe(true);
});

it('depends softly on the model component and reads its installed bundle', () => {
  const name = modelRecipe.ComponentName;
  expect(runtimeRecipe.ComponentDependencies[name]).toMatchObject({ DependencyType: 'SOFT' });
  expect(manifest(runtimeRecipe).Lifecycle.Setenv.ANOMALY_INFERENCE_MODEL_DIR).toBe(
    `{${name}:work:path}/current`,
  );
});

describe('the model component install step', () => {
  const plant = useBroker();

  /**
   * Builds the model artifact of a bundle with `modelVersion`, unpacks it as the nucleus does for
   * component `version` and runs the recipe's Install script with its variables filled in.
   */
  function install(root: string, version: string, modelVersion: string): void {
    const bundle = mkdtempSync(join(root, 'bundle-'));
    installBundle(fixtureBundleDir(), bundle, { modelVersion });
    const build = spawnSync(
      'bash',
      [join(COMPONENT_DIR, 'scripts', 'build-model-artifact.sh'), bundle],
      {
        encoding: 'utf8',
      },
    );
    if (build.status !== 0) throw new Error(build.stderr);
    const decompressed = join(root, 'packages', version);
    unpackLikeGreengrass(join(COMPONENT_DIR, 'dist', 'model-bundle.zip'), decompressed);
    const script = String(manifest(modelRecipe).Lifecycle.Install.Script)
      .replaceAll('{artifacts:decompressedPath}', decompressed)
      .replaceAll('{work:path}', join(root, 'work'));
    execFileSync('sh', ['-c', script]);
  }

  it('installs a new model version that the running runtime swaps in', async () => {
    const root = mkdtempSync(join(tmpdir(), 'greengrass-'));
    mkdirSync(join(root, 'work'));
    install(root, '1.0.0', 'model-1');
    const runtime = await startRuntime(testConfig(plant.broker.url, join(root, 'work', 'current')));
    try {
      expect(runtime.service.host.serving?.modelVersion).toBe('model-1');
      const change = nextModelChange(runtime.service);
      install(root, '1.1.0', 'model-2');
      expect((await change).event).toBe('swapped');
      expect(runtime.service.host.serving?.modelVersion).toBe('model-2');
    } finally {
      await runtime.service.stop();
    }
  });
});
