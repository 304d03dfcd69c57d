import {
  CfnDynamicReference,
  CfnDynamicReferenceService,
  Stack,
  type StackProps,
} from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environment';
import { MODEL_COMPONENT_NAME } from '../delivery/components';
import { EdgeDeployment } from '../delivery/edge-deployment';
import { edgeNamePrefix, servingModelVersionParameterName } from '../delivery/edge-names';
import { bootstrapBrokersParameterName } from '../streaming/bootstrap-brokers';
import { plantConfigurationMerges } from '../delivery/plant-configuration';
import type { PublishedVersion } from '../delivery/published-components';
import type { RolloutTarget } from '../delivery/rollout-steps';

/** Properties of an {@link EdgeDeploymentStack}. */
export interface EdgeDeploymentStackProps extends StackProps {
  /** The environment the target belongs to. */
  readonly config: EnvironmentConfig;
  /** The canary group or plant the deployment targets. */
  readonly target: RolloutTarget;
  /** The component versions to deploy (published by the environment's edge fleet stack). */
  readonly components: readonly PublishedVersion[];
}

/**
 * The Greengrass deployment of one rollout target: a stack of its own, so that a pipeline deploys
 * the canary, then each wave, with a gate in between. The MSK brokers come from the parameter the
 * Streaming stack publishes, and the model's version from the one the edge fleet keeps (both
 * resolved when the stack deploys), not from cross-stack references, so the stack may live in
 * another pipeline stage than the fleet.
 */
export class EdgeDeploymentStack extends Stack {
  readonly deployment: EdgeDeployment;

  constructor(scope: Construct, id: string, props: EdgeDeploymentStackProps) {
    super(scope, id, props);
    const namePrefix = edgeNamePrefix(props.config);
    const merges = plantConfigurationMerges({
      enterprise: props.config.edgeRollout.enterprise,
      siteId: props.target.siteId,
      brokerUrl: props.target.brokerUrl,
      kafkaBootstrapBrokers: ssm.StringParameter.valueForStringParameter(
        this,
        bootstrapBrokersParameterName(namePrefix),
      ),
    });
    // The model serves at the version the environment records (a promoted model stays promoted
    // when the pipeline deploys again), resolved when the stack deploys.
    const servingModelVersion = new CfnDynamicReference(
      CfnDynamicReferenceService.SSM,
      servingModelVersionParameterName(namePrefix),
    ).toString();
    this.deployment = new EdgeDeployment(this, 'Edge', {
      namePrefix,
      target: props.target,
      components: props.components.map((component) => ({
        ...component,
        version: component.name === MODEL_COMPONENT_NAME ? servingModelVersion : component.version,
        configurationMerge: merges[component.name],
      })),
    });
  }
}
