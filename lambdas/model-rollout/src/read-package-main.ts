import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SSMClient } from '@aws-sdk/client-ssm';
import { Logger } from '@aws-lambda-powertools/logger';
import type { TelemetryContract } from '@uns-mlops/edge-common/src/model-contract-gate';
import { loadTelemetryContract } from './contracts-in-force';
import { requiredEnv } from './environment';
import { createReadPackageHandler } from './read-package';

let contract: Promise<TelemetryContract> | undefined;

/**
 * Entry point of the rollout's ReadPackage task (an entry of its own: only this function carries
 * the AsyncAPI parser). The contract is the `asyncapi/` folder bundled beside this file, parsed
 * once per function instance.
 */
export const handler = createReadPackageHandler({
  sagemaker: new SageMakerClient({}),
  s3: new S3Client({}),
  ssm: new SSMClient({}),
  logger: new Logger({ serviceName: 'model-rollout' }),
  contract: () => (contract ??= loadTelemetryContract(join(__dirname, 'asyncapi'))),
  settings: {
    modelPackageGroupName: requiredEnv('MODEL_PACKAGE_GROUP'),
    modelArtifactBucket: requiredEnv('MODEL_ARTIFACT_BUCKET'),
    servingVersionParameter: requiredEnv('SERVING_VERSION_PARAMETER'),
    manifestSchemaFile: join(__dirname, 'model-bundle', 'manifest.schema.json'),
  },
});
