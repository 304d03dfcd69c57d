import { ArnFormat, Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { type Alerting, functionAlarms, stateMachineAlarms } from '../alerts/alarms';
import { acknowledgeGeneratedWildcards, wildcardFinding } from '../quality/nag-findings';
import { loggedStateMachine, retriedLambdaTask } from '../state-machine';
import { functionAccess, waitForPolicy, workspaceFunction } from '../streaming/lambda-functions';

/** Properties of {@link RolloutGate}. */
export interface RolloutGateProps {
  /** Name prefix, e.g. `uns-mlops-dev`: the state machine is `<prefix>-edge-gate`. */
  readonly namePrefix: string;
  /** The account of the delivery pipeline, allowed to start the gate through the invoker role. */
  readonly pipelineAccount: string;
  /** Key of the log groups. */
  readonly logKey: kms.IKey;
  /** What happens to the log groups and the key when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
  /**
   * The environment's topic (told of failed gates and rollbacks) and where the alarms of the
   * gate's state machine and functions go.
   * @default - a topic of its own, encrypted with a key of its own; no alarms.
   */
  readonly alerts?: Alerting;
}

/** The SSM parameter path under which the gate records each target's last good deployment. */
export const lastGoodParameterPath = (namePrefix: string) => `/${namePrefix}/edge/last-good`;

/**
 * The IoT rights `greengrass:CreateDeployment` uses on its caller's behalf: Greengrass deploys to
 * a thing group through an IoT job, and reads and writes the things' shadows.
 */
export const GREENGRASS_DEPLOYMENT_IOT_ACTIONS = [
  'iot:CancelJob',
  'iot:CreateJob',
  'iot:DeleteThingShadow',
  'iot:DescribeJob',
  'iot:DescribeThing',
  'iot:DescribeThingGroup',
  'iot:GetThingShadow',
  'iot:UpdateJob',
  'iot:UpdateThingShadow',
] as const;

/** Names the pipeline uses to reach a gate in another account. */
export const gateNames = (namePrefix: string) => ({
  stateMachine: `${namePrefix}-edge-gate`,
  invokerRole: `${namePrefix}-edge-gate-invoker`,
});

/**
 * The KPI gate of the edge rollout (Step Functions): waits the bake time, then evaluates the wave's
 * targets until a decision (deployment status of every core device, component health, the KPI
 * alarms). PROMOTE records each target's deployment as its last good one; ROLLBACK redeploys the
 * failing targets' last good component versions, notifies the topic and fails, which stops the
 * pipeline before the next wave. The pipeline starts it through an invoker role.
 */
export class RolloutGate extends Construct {
  readonly stateMachine: sfn.StateMachine;
  /** Notifications of failed gates and rollbacks (the environment's topic with `alerts`). */
  readonly topic: sns.ITopic;
  /** The role the pipeline's gate action assumes. */
  readonly invokerRole: iam.Role;

  constructor(scope: Construct, id: string, props: RolloutGateProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const names = gateNames(props.namePrefix);
    const parameterPath = lastGoodParameterPath(props.namePrefix);
    const lastGoodParameters = stack.formatArn({
      service: 'ssm',
      resource: 'parameter',
      resourceName: `${parameterPath.slice(1)}/*`,
    });
    const greengrassArn = (resource: string) =>
      stack.formatArn({
        service: 'greengrass',
        resource,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        resourceName: '*',
      });
    const coreDevices = greengrassArn('coreDevices');
    const deployments = greengrassArn('deployments');
    const thingGroups = stack.formatArn({
      service: 'iot',
      resource: 'thinggroup',
      resourceName: '*',
    });
    const jobs = stack.formatArn({ service: 'iot', resource: 'job', resourceName: '*' });
    const things = stack.formatArn({ service: 'iot', resource: 'thing', resourceName: '*' });
    const alarms = stack.formatArn({
      service: 'cloudwatch',
      resource: 'alarm',
      resourceName: `${props.namePrefix}-edge-*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });

    const evaluate = this.gateFunction('Evaluate', 'evaluate', props, [
      new iam.PolicyStatement({
        sid: 'ReadDeploymentsAndCoreDevices',
        actions: ['greengrass:ListDeployments', 'greengrass:ListCoreDevices'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'ReadCoreDeviceStatus',
        actions: ['greengrass:ListEffectiveDeployments', 'greengrass:ListInstalledComponents'],
        resources: [coreDevices],
      }),
      new iam.PolicyStatement({
        sid: 'GreengrassReadsIotJobsAndThings',
        actions: [
          'iot:DescribeJob',
          'iot:DescribeJobExecution',
          'iot:DescribeThing',
          'iot:DescribeThingGroup',
          'iot:GetThingShadow',
        ],
        resources: [thingGroups, jobs, things],
      }),
      new iam.PolicyStatement({
        sid: 'ReadKpiAlarms',
        actions: ['cloudwatch:DescribeAlarms'],
        resources: [alarms],
      }),
    ]);
    const recordLastGood = this.gateFunction('RecordLastGood', 'recordLastGood', props, [
      new iam.PolicyStatement({
        sid: 'ReadDeployment',
        actions: ['greengrass:GetDeployment'],
        resources: [deployments],
      }),
      new iam.PolicyStatement({
        sid: 'GreengrassReadsIotJobsAndThings',
        actions: [
          'iot:DescribeJob',
          'iot:DescribeThing',
          'iot:DescribeThingGroup',
          'iot:GetThingShadow',
        ],
        resources: [thingGroups, jobs, things],
      }),
      new iam.PolicyStatement({
        sid: 'RecordLastGood',
        actions: ['ssm:PutParameter'],
        resources: [lastGoodParameters],
      }),
    ]);
    const rollback = this.gateFunction('Rollback', 'rollback', props, [
      new iam.PolicyStatement({
        sid: 'ReadLastGood',
        actions: ['ssm:GetParameter'],
        resources: [lastGoodParameters],
      }),
      new iam.PolicyStatement({
        sid: 'RedeployLastGood',
        actions: ['greengrass:CreateDeployment'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'GreengrassDeploysThroughIotJobs',
        actions: [...GREENGRASS_DEPLOYMENT_IOT_ACTIONS],
        resources: [thingGroups, jobs, things],
      }),
    ]);

    this.topic = props.alerts?.topic ?? this.createTopic(props);

    const started = new sfn.Pass(this, 'Start', {
      parameters: { 'input.$': '$', 'startedAt.$': '$$.Execution.StartTime' },
    });
    const bake = new sfn.Wait(this, 'Bake', {
      time: sfn.WaitTime.secondsPath('$.input.bakeSeconds'),
    });
    const invoke = (
      stepId: string,
      fn: ReturnType<RolloutGate['gateFunction']>,
      resultPath: string,
      payload: Record<string, string>,
    ) =>
      retriedLambdaTask(this, stepId, {
        lambdaFunction: fn,
        payload: sfn.TaskInput.fromObject(
          Object.fromEntries(
            Object.entries(payload).map(([key, path]) => [key, sfn.JsonPath.objectAt(path)]),
          ),
        ),
        resultPath,
      });
    const evaluateStep = invoke('EvaluateTargets', evaluate, '$.verdict', {
      input: '$.input',
      startedAt: '$.startedAt',
    });
    const poll = new sfn.Wait(this, 'Poll', {
      time: sfn.WaitTime.secondsPath('$.input.pollSeconds'),
    });
    const record = invoke('RecordLastGoodVersions', recordLastGood, '$.recorded', {
      input: '$.input',
      verdict: '$.verdict',
    });
    const rollbackStep = invoke('RollBackFailingTargets', rollback, '$.rollback', {
      input: '$.input',
      verdict: '$.verdict',
    });
    const notify = new tasks.SnsPublish(this, 'NotifyRollback', {
      topic: this.topic,
      subject: `${props.namePrefix}: edge rollout stopped`,
      message: sfn.TaskInput.fromJsonPathAt('$.rollback.message'),
      resultPath: sfn.JsonPath.DISCARD,
    });
    const failed = new sfn.Fail(this, 'GateFailed', {
      error: 'EdgeRolloutGateFailed',
      causePath: '$.verdict.summary',
    });
    const notifyRollbackError = new tasks.SnsPublish(this, 'NotifyRollbackError', {
      topic: this.topic,
      subject: `${props.namePrefix}: edge rollout stopped, rollback failed`,
      message: sfn.TaskInput.fromText(
        sfn.JsonPath.format(
          'The gate decided to roll back ({}), but the rollback failed: {}',
          sfn.JsonPath.stringAt('$.verdict.summary'),
          sfn.JsonPath.stringAt('$.rollbackError.Cause'),
        ),
      ),
      resultPath: sfn.JsonPath.DISCARD,
    });
    rollbackStep.addCatch(notifyRollbackError.next(failed), { resultPath: '$.rollbackError' });

    const decide = new sfn.Choice(this, 'Decide')
      .when(sfn.Condition.stringEquals('$.verdict.decision', 'WAIT'), poll.next(evaluateStep))
      .when(
        sfn.Condition.stringEquals('$.verdict.decision', 'PROMOTE'),
        record.next(new sfn.Succeed(this, 'Promoted')),
      )
      .otherwise(rollbackStep.next(notify).next(failed));

    this.stateMachine = loggedStateMachine(this, {
      stateMachineName: names.stateMachine,
      definition: started.next(bake).next(evaluateStep).next(decide),
      timeout: Duration.hours(24),
      logKey: props.logKey,
      removalPolicy: props.removalPolicy,
    });

    this.invokerRole = new iam.Role(this, 'InvokerRole', {
      roleName: names.invokerRole,
      assumedBy: new iam.AccountPrincipal(props.pipelineAccount),
      description: `The delivery pipeline's gate action: start ${names.stateMachine} and follow it`,
    });
    this.stateMachine.grantStartExecution(this.invokerRole);
    this.stateMachine.grantRead(this.invokerRole);

    if (props.alerts === undefined) {
      // Its own topic's key: publishing needs its data keys too.
      this.topic.grantPublish(this.stateMachine);
    } else {
      const { alerts } = props;
      alerts.grantPublish(this.stateMachine);
      stateMachineAlarms(this, this.stateMachine, alerts, 'edge-gate');
      const hint =
        'The gate retries it, then fails and stops the pipeline; see the function log and the execution history.';
      functionAlarms(this, evaluate, alerts, 'edge-gate-evaluate', { hint });
      functionAlarms(this, recordLastGood, alerts, 'edge-gate-record-last-good', { hint });
      functionAlarms(this, rollback, alerts, 'edge-gate-rollback', { hint });
    }

    this.acknowledge(evaluate, recordLastGood, rollback, {
      coreDevices,
      alarms,
      deployments,
      lastGoodParameters,
      thingGroups,
      jobs,
      things,
    });
    acknowledgeGeneratedWildcards(
      this.stateMachine,
      'Step Functions grants generated by aws-cdk-lib: invoking each gate function by any version suffix, and X-Ray and log delivery, whose APIs take no resource.',
    );
    Validations.of(this.stateMachine).acknowledge({
      id: 'NIST.800.53.R5-IAMNoInlinePolicy',
      reason:
        "aws-cdk-lib writes the state machine role's grants (its three functions, the topic, X-Ray and logs) as its default inline policy.",
    });
    acknowledgeGeneratedWildcards(
      this.invokerRole,
      'The pipeline follows the executions it starts, whose names are only known when it starts them, so it reads executions of this one state machine; the read grant is generated by aws-cdk-lib.',
    );
    Validations.of(this.invokerRole).acknowledge({
      id: 'NIST.800.53.R5-IAMNoInlinePolicy',
      reason:
        "The grants of the pipeline's gate action (start and follow this state machine) are written by aws-cdk-lib as the role's default inline policy.",
    });
  }

  /** The gate's own topic, when it is given none: its own key, which KPI alarms may use. */
  private createTopic(props: RolloutGateProps): sns.Topic {
    const topicKey = new kms.Key(this, 'TopicKey', {
      description: `${props.namePrefix}: edge rollout notifications`,
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
    });
    // CloudWatch alarms on the edge KPIs notify the topic too.
    topicKey.grant(
      new iam.ServicePrincipal('cloudwatch.amazonaws.com'),
      'kms:Decrypt',
      'kms:GenerateDataKey*',
    );
    return new sns.Topic(this, 'Notifications', {
      displayName: `${props.namePrefix} edge rollout`,
      masterKey: topicKey,
      enforceSSL: true,
    });
  }

  private gateFunction(
    id: string,
    handler: string,
    props: RolloutGateProps,
    statements: iam.PolicyStatement[],
  ) {
    const { role, logGroup, policy } = functionAccess(this, id, {
      logKey: props.logKey,
      removalPolicy: props.removalPolicy,
      roleDescription: `edge rollout gate: ${handler}`,
      policyDescription: `edge rollout gate: ${handler}`,
      statements,
    });
    const fn = workspaceFunction(this, id, {
      workspace: 'edge-rollout-gate',
      handler,
      description: `Edge rollout gate: ${handler}`,
      memorySize: 256,
      timeout: Duration.minutes(2),
      role,
      logGroup,
      reservedConcurrentExecutions: 2,
      environment: { POWERTOOLS_SERVICE_NAME: 'edge-rollout-gate' },
    });
    waitForPolicy(fn, policy);
    Validations.of(fn).acknowledge(
      {
        id: 'NIST.800.53.R5-LambdaDLQ',
        reason:
          'Step Functions invokes the gate functions synchronously and retries failed invocations itself; a dead-letter queue applies only to asynchronous invocations.',
      },
      {
        id: 'NIST.800.53.R5-LambdaInsideVPC',
        reason:
          'The gate functions only call the Greengrass, CloudWatch and SSM control-plane APIs, none of which has an endpoint in the private VPC; they handle no plant data.',
      },
    );
    return Object.assign(fn, { managedPolicy: policy });
  }

  private acknowledge(
    evaluate: ReturnType<RolloutGate['gateFunction']>,
    recordLastGood: ReturnType<RolloutGate['gateFunction']>,
    rollback: ReturnType<RolloutGate['gateFunction']>,
    arns: Record<
      | 'coreDevices'
      | 'alarms'
      | 'deployments'
      | 'lastGoodParameters'
      | 'thingGroups'
      | 'jobs'
      | 'things',
      string
    >,
  ): void {
    const coreDevicesReason =
      'Core devices join the canary and plant thing groups when they are provisioned, so their names are only known when the gate lists the group.';
    const iotReason =
      'Greengrass carries a deployment out as an IoT job on the target thing group and its things, whose names and job ids are only known at run time.';
    const iotFindings = [arns.thingGroups, arns.jobs, arns.things].map((arn) => ({
      id: wildcardFinding(this, arn),
      reason: iotReason,
    }));
    Validations.of(evaluate.managedPolicy).acknowledge(
      ...iotFindings,
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'greengrass:ListDeployments and greengrass:ListCoreDevices take no resource in IAM; the gate filters them by the target thing group in the request.',
      },
      { id: wildcardFinding(this, arns.coreDevices), reason: coreDevicesReason },
      {
        id: wildcardFinding(this, arns.alarms),
        reason:
          'The KPI alarms are named after the environment, site and KPI under one prefix, and a wave lists which of them the gate reads.',
      },
    );
    const deploymentsReason =
      'Greengrass assigns deployment ids when a deployment is created by the pipeline or a rollback, so they are only known to the gate at run time.';
    const parametersReason =
      'One last-good parameter per rollout target (canary and each plant) under the environment path, created when the target first passes the gate.';
    Validations.of(recordLastGood.managedPolicy).acknowledge(
      ...iotFindings,
      { id: wildcardFinding(this, arns.deployments), reason: deploymentsReason },
      { id: wildcardFinding(this, arns.lastGoodParameters), reason: parametersReason },
    );
    Validations.of(rollback.managedPolicy).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'greengrass:CreateDeployment takes no resource in IAM; the rollback only targets the thing groups named in the gate input, with their last good versions.',
      },
      { id: wildcardFinding(this, arns.lastGoodParameters), reason: parametersReason },
      ...iotFindings,
    );
  }
}
