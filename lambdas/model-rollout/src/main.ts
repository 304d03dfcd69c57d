import { join } from 'node:path';
import { GreengrassV2Client } from '@aws-sdk/client-greengrassv2';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { Logger } from '@aws-lambda-powertools/logger';
import { createCompareShadowHandler } from './compare-shadow';
import type {
  CompareShadowEvent,
  ComparisonVerdict,
  DeployEvent,
  DeployResult,
  PublishComponentEvent,
  PublishComponentResult,
  RejectPackageEvent,
  RejectPackageResult,
} from './contract';
import { createDeployHandler } from './deploy';
import { requiredEnv } from './environment';
import { createPublishComponentHandler } from './publish-component';
import { createRejectPackageHandler } from './reject-package';

const logger = new Logger({ serviceName: 'model-rollout' });

/** A handler built on its first call: each function has only the settings its handler reads. */
function lazy<E, R>(create: () => (event: E) => Promise<R>): (event: E) => Promise<R> {
  let built: ((event: E) => Promise<R>) | undefined;
  return (event) => (built ??= create())(event);
}

/** The model components, as the construct names them. */
const componentNames = () => ({
  serving: requiredEnv('MODEL_COMPONENT'),
  candidate: requiredEnv('CANDIDATE_COMPONENT'),
});

/** Entry point of the RejectPackage task: the package Rejected, with the reason. */
export const rejectPackage = lazy<RejectPackageEvent, RejectPackageResult>(() =>
  createRejectPackageHandler({ sagemaker: new SageMakerClient({}), logger }),
);

/**
 * Entry point of the PublishCandidate and PublishServingVersion tasks. The recipe templates are
 * bundled beside this file (`recipes/serving.yaml`, `recipes/candidate.yaml`).
 */
export const publishComponent = lazy<PublishComponentEvent, PublishComponentResult>(() => {
  const names = componentNames();
  return createPublishComponentHandler({
    greengrass: new GreengrassV2Client({}),
    s3: new S3Client({}),
    logger,
    settings: {
      components: {
        serving: { name: names.serving, recipeFile: join(__dirname, 'recipes', 'serving.yaml') },
        candidate: {
          name: names.candidate,
          recipeFile: join(__dirname, 'recipes', 'candidate.yaml'),
        },
      },
      artifactBucket: requiredEnv('COMPONENT_ARTIFACT_BUCKET'),
      artifactKey: [requiredEnv('ARTIFACT_KEY_PREFIX'), requiredEnv('ARTIFACT_KEY_SUFFIX')],
      componentArnPrefix: requiredEnv('COMPONENT_ARN_PREFIX'),
    },
  });
});

/** Entry point of the deployment tasks (shadow, shadow removed, promotion per step). */
export const deploy = lazy<DeployEvent, DeployResult>(() =>
  createDeployHandler({
    greengrass: new GreengrassV2Client({}),
    logger,
    components: componentNames(),
  }),
);

/** Entry point of the CompareShadow task. */
export const compareShadow = lazy<CompareShadowEvent, ComparisonVerdict>(() =>
  createCompareShadowHandler({ logger }),
);
