import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { Alerting } from '../alerts';
import type { EnvironmentConfig } from '../config/environment';
import type { EdgeFleet } from '../delivery/edge-fleet';
import { edgeNamePrefix, servingModelVersionParameterName } from '../delivery/edge-names';
import { gateInput } from '../delivery/pipeline/gate-step';
import { gateNames } from '../delivery/rollout-gate';
import { rolloutSteps } from '../delivery/rollout-steps';
import type { Lakehouse } from '../lakehouse';
import type { MlPipeline } from '../ml-pipeline';
import { ModelRollout } from '../model-rollout';
import type { UnsNetwork } from '../network';

/** Properties of a {@link ModelRolloutStack}. */
export interface ModelRolloutStackProps extends StackProps {
  /** The environment whose rollout order, canary and `modelRollout` settings apply. */
  readonly config: EnvironmentConfig;
  /** The SageMaker pipeline whose approved models roll out. */
  readonly mlPipeline: MlPipeline;
  /** The edge fleet: its component artifacts (its gate and serving version record by name). */
  readonly edgeFleet: EdgeFleet;
  /** The Lakehouse the shadow comparison reads. */
  readonly lakehouse: Lakehouse;
  /** The environment's network: its log key encrypts the rollout's log groups. */
  readonly network: UnsNetwork;
  /** The environment's alert topic and limits: every alarm of the stack notifies it. */
  readonly alerts: Alerting;
}

/**
 * The rollout of approved models to the plants of one environment: the canary and waves of its
 * edge rollout, the model registry of its ML pipeline, the comparison over its Lakehouse.
 */
export class ModelRolloutStack extends Stack {
  readonly rollout: ModelRollout;

  constructor(scope: Construct, id: string, props: ModelRolloutStackProps) {
    super(scope, id, props);
    const { config, mlPipeline, edgeFleet } = props;
    const namePrefix = edgeNamePrefix(config);
    this.rollout = new ModelRollout(this, 'ModelRollout', {
      ...config.modelRollout,
      namePrefix,
      registry: {
        modelPackageGroupName: mlPipeline.pipelineName,
        artifactBucket: mlPipeline.artifactBucket,
        artifactKeyPattern: `${mlPipeline.pipelineName}/*`,
        encryptionKey: mlPipeline.encryptionKey,
      },
      fleet: {
        artifactBucket: edgeFleet.artifactBucket,
        // By name, as the pipeline's gate steps start it: its executions' ARNs follow from it.
        gate: sfn.StateMachine.fromStateMachineName(
          this,
          'EdgeRolloutGate',
          gateNames(namePrefix).stateMachine,
        ),
        // By name too: the edge fleet creates it, the deployments resolve it by this name.
        servingVersion: ssm.StringParameter.fromStringParameterName(
          this,
          'ServingModelVersion',
          servingModelVersionParameterName(namePrefix),
        ),
      },
      steps: rolloutSteps(config).map((step) => ({
        name: step.name,
        targets: step.targets.map(({ name, thingGroup }) => ({ name, thingGroup })),
        gateInput: gateInput(config, step),
      })),
      lakehouse: props.lakehouse,
      canarySiteId: config.edgeRollout.canary.siteId,
      alerts: props.alerts,
      logKey: props.network.logKey,
      removalPolicy: config.allowDestroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    new CfnOutput(this, 'NotificationTopicArn', {
      description: 'Subscribe here to hear of every model rollout outcome',
      value: this.rollout.topic.topicArn,
    });
    new CfnOutput(this, 'StateMachineArn', {
      description: 'The model rollout: one execution per approved model package',
      value: this.rollout.stateMachine.stateMachineArn,
    });
  }
}
