import { type CfnResource, Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { ignoreCfnLintRule } from './network/cfn-lint';

/** Properties of a {@link loggedStateMachine}. */
export interface LoggedStateMachineProps {
  readonly stateMachineName: string;
  /** The workflow's first state, chained to the rest. */
  readonly definition: sfn.IChainable;
  /** The longest an execution may take before Step Functions stops it. */
  readonly timeout: Duration;
  /** Key of the log group; CloudWatch Logs must be allowed to use it. */
  readonly logKey: kms.IKey;
  /** What happens to the log group when it leaves the stack. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * A standard state machine `StateMachine` in `scope`, traced with X-Ray, that logs every event
 * with its execution data to the log group `Logs` (encrypted with `logKey`, kept a year): the run
 * history of the project's workflows.
 */
export function loggedStateMachine(
  scope: Construct,
  props: LoggedStateMachineProps,
): sfn.StateMachine {
  const logGroup = new logs.LogGroup(scope, 'Logs', {
    encryptionKey: props.logKey,
    retention: logs.RetentionDays.ONE_YEAR,
    removalPolicy: props.removalPolicy,
  });
  const stateMachine = new sfn.StateMachine(scope, 'StateMachine', {
    stateMachineName: props.stateMachineName,
    definitionBody: sfn.DefinitionBody.fromChainable(props.definition),
    stateMachineType: sfn.StateMachineType.STANDARD,
    timeout: props.timeout,
    tracingEnabled: true,
    logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
  });
  // aws-cdk-lib makes the state machine depend on its role's policy, which names the role too.
  ignoreCfnLintRule(stateMachine.node.defaultChild as CfnResource, 'W3005');
  return stateMachine;
}

/** Properties of a {@link retriedLambdaTask}. */
export interface RetriedLambdaTaskProps {
  readonly lambdaFunction: lambda.IFunction;
  readonly payload: sfn.TaskInput;
  /** Where in the state the function's response goes. */
  readonly resultPath: string;
}

/**
 * A task in `scope` that invokes a Lambda function and keeps only its response. Errors the handler
 * throws when an AWS API fails it (throttling, a passing fault) are retried: 3 more attempts, 10 s
 * apart and doubling, so the handler must be idempotent.
 */
export function retriedLambdaTask(
  scope: Construct,
  id: string,
  props: RetriedLambdaTaskProps,
): sfn.TaskStateBase {
  return new tasks.LambdaInvoke(scope, id, {
    ...props,
    payloadResponseOnly: true,
    retryOnServiceExceptions: true,
  }).addRetry({
    errors: ['States.TaskFailed'],
    interval: Duration.seconds(10),
    maxAttempts: 3,
    backoffRate: 2,
  });
}
