import { Stage, type StageProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { addPlatformStacks, addRolloutStepStacks } from '../../app';
import type { EnvironmentConfig } from '../../config/environment';
import { addComplianceChecks } from '../../quality/compliance';
import type { PublishedVersion } from '../published-components';
import type { RolloutStep } from '../rollout-steps';

/** Properties of an {@link EnvironmentStage}. */
export interface EnvironmentStageProps extends StageProps {
  /** The environment the stage deploys. */
  readonly config: EnvironmentConfig;
  /** The account of the delivery pipeline. */
  readonly pipelineAccount: string;
}

/** A pipeline stage deploying an environment's platform stacks (everything but the rollout). */
export class EnvironmentStage extends Stage {
  constructor(scope: Construct, id: string, props: EnvironmentStageProps) {
    super(scope, id, props);
    addPlatformStacks(this, props.config, props.pipelineAccount);
    addComplianceChecks(this);
  }
}

/** Properties of a {@link RolloutStepStage}. */
export interface RolloutStepStageProps extends StageProps {
  /** The environment the step belongs to. */
  readonly config: EnvironmentConfig;
  /** The step: canary or one wave. */
  readonly step: RolloutStep;
  /** The component versions it deploys. */
  readonly components: readonly PublishedVersion[];
}

/** A pipeline stage deploying the Greengrass deployments of one rollout step. */
export class RolloutStepStage extends Stage {
  constructor(scope: Construct, id: string, props: RolloutStepStageProps) {
    super(scope, id, props);
    addRolloutStepStacks(this, props.config, props.step, props.components);
    addComplianceChecks(this);
  }
}
