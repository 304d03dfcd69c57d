import type { EnvironmentConfig } from '../config/environment';
import { MODEL_COMPONENT_NAME } from './components';

/**
 * Names of an environment's edge resources that more than the CDK app needs (the command line
 * reads them too), without loading aws-cdk-lib.
 */

/** Name prefix of an environment's named edge resources. */
export const edgeNamePrefix = (config: EnvironmentConfig) => `uns-mlops-${config.name}`;

/**
 * The SSM parameter recording which version of the model component serves in an environment:
 * the repository's version when the fleet is deployed, the model a rollout promoted since
 * (lib/model-rollout). The deployments take the model's version from it.
 */
export const servingModelVersionParameterName = (namePrefix: string) =>
  `/${namePrefix}/models/${MODEL_COMPONENT_NAME}/serving-version`;
