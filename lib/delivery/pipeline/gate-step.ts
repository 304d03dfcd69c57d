import { Duration, Stack } from 'aws-cdk-lib';
import type * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as pipelines from 'aws-cdk-lib/pipelines';
import type { GateInput } from '../../../lambdas/edge-rollout-gate/src/contract';
import { type EnvironmentConfig, ROLLOUT_DEFAULTS } from '../../config/environment';
import { edgeNamePrefix } from '../edge-names';
import { KPI_ALARMS, kpiAlarmName } from '../edge-kpis';
import { gateNames, lastGoodParameterPath } from '../rollout-gate';
import type { RolloutStep } from '../rollout-steps';

/** How long the gate polls between evaluations once the bake time is over. */
const POLL_INTERVAL = Duration.minutes(1);

/**
 * What the gate of `step` is started with (the contract of lambdas/edge-rollout-gate): its targets,
 * their KPI alarms and the timings.
 */
export function gateInput(config: EnvironmentConfig, step: RolloutStep): GateInput {
  const namePrefix = edgeNamePrefix(config);
  const bake = Duration.minutes(config.edgeRollout.bakeMinutes ?? ROLLOUT_DEFAULTS.bakeMinutes);
  const timeout = Duration.minutes(
    config.edgeRollout.gateTimeoutMinutes ?? ROLLOUT_DEFAULTS.gateTimeoutMinutes,
  );
  return {
    wave: step.name,
    targets: step.targets.map((target) => ({
      name: target.name,
      thingGroupArn: `arn:aws:iot:${config.region}:${config.account}:thinggroup/${target.thingGroup}`,
      lastGoodParameter: `${lastGoodParameterPath(namePrefix)}/${target.name}`,
      kpiAlarmNames: KPI_ALARMS.map((kpi) => kpiAlarmName(namePrefix, target.siteId, kpi)),
    })),
    bakeSeconds: bake.toSeconds(),
    pollSeconds: POLL_INTERVAL.toSeconds(),
    timeoutSeconds: timeout.toSeconds(),
  };
}

/**
 * A pipeline step that runs the environment's rollout gate on one step's targets and waits for its
 * verdict: the Step Functions invoke action, through the invoker role in the environment's account.
 * A failed gate fails the action, so the pipeline goes no further than this wave.
 */
export class EdgeGateStep extends pipelines.Step implements pipelines.ICodePipelineActionFactory {
  private readonly input: GateInput;

  constructor(
    id: string,
    private readonly config: EnvironmentConfig,
    step: RolloutStep,
  ) {
    super(id);
    this.input = gateInput(config, step);
  }

  produceAction(
    stage: codepipeline.IStage,
    options: pipelines.ProduceActionOptions,
  ): pipelines.CodePipelineActionFactoryResult {
    const names = gateNames(edgeNamePrefix(this.config));
    const { account, region } = this.config;
    const partition = Stack.of(options.scope).partition;
    stage.addAction(
      new actions.StepFunctionInvokeAction({
        actionName: options.actionName,
        runOrder: options.runOrder,
        stateMachine: sfn.StateMachine.fromStateMachineArn(
          options.scope,
          `${this.id}StateMachine`,
          `arn:${partition}:states:${region}:${account}:stateMachine:${names.stateMachine}`,
        ),
        stateMachineInput: actions.StateMachineInput.literal(this.input),
        executionNamePrefix: `${this.config.name}-${this.input.wave}`,
        role: iam.Role.fromRoleArn(
          options.scope,
          `${this.id}InvokerRole`,
          `arn:${partition}:iam::${account}:role/${names.invokerRole}`,
          { mutable: false },
        ),
      }),
    );
    return { runOrdersConsumed: 1 };
  }
}
