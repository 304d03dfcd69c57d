import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { alarmPeriod, alerting, deadLetterAlarm, notifyingAlarm } from '../alerts/alarms';
import { functionAccess, waitForPolicy, workspaceFunction } from '../streaming/lambda-functions';
import {
  MODEL_DRIFT_TABLE,
  type ModelDriftMonitorProps,
  pipelineModelName,
  resolveModelDriftMonitorSettings,
} from './model-drift-monitor-props';
import { QueryResultsAccess } from './query-results-access';
import { modelDriftMonitorPropsProblems } from './validate-props';

/** CloudWatch namespace of the drift metrics and of `RetrainingStarted` / `RetrainingSkipped`. */
export const MODEL_DRIFT_NAMESPACE = 'UnsMlops/ModelDrift';

/** The npm workspace of both functions (lambdas/model-drift-check). */
const WORKSPACE = 'model-drift-check';

/** The drift check's time limit, and the part of it its query may take. */
const CHECK_TIMEOUT = Duration.minutes(5);
const QUERY_TIMEOUT = Duration.minutes(4);

/** Alarm name of a site's drift alarm. */
export const driftAlarmName = (namePrefix: string, siteId: string) =>
  `${namePrefix}-model-drift-${siteId}`;

/**
 * The cloud drift check of one model and its retraining trigger:
 *
 * - **check**: EventBridge Scheduler runs the `model-drift-check` function every check interval;
 *   it runs one Athena query over the raw Lakehouse table `model_drift` (the edge runtimes' PSI
 *   statistics) for the lookback and writes per site and model `DriftedShare`, `Evaluations`,
 *   `AssetsReporting` and `MaxPsi` (and per subject `MaxPsi`, `MeanPsi`) into
 *   {@link MODEL_DRIFT_NAMESPACE}, with `Evaluations` 0 for a monitored site that sent nothing;
 * - **alarms**: one per site, `DriftedShare` of the pipeline's model at or above the threshold in
 *   M of the last N checks (missing data does not breach), notifying the topic on ALARM and OK;
 *   and one on each function's errors;
 * - **retraining**: an EventBridge rule takes these alarms' changes to ALARM to the retraining
 *   trigger, which starts the SageMaker pipeline unless any execution of it started within the
 *   cooldown (then it logs why and writes `RetrainingSkipped`). It runs one invocation at a time,
 *   so two plants drifting together start one execution.
 *
 * Both functions are invoked asynchronously; what fails after Lambda's retries, and events the
 * scheduler or the rule cannot deliver, go to one encrypted dead-letter queue.
 */
export class ModelDriftMonitor extends Construct {
  /** The scheduled drift check. */
  readonly checkFunction: nodejs.NodejsFunction;
  readonly checkRole: iam.Role;
  /** The retraining trigger. */
  readonly retrainingFunction: nodejs.NodejsFunction;
  readonly retrainingRole: iam.Role;
  readonly schedule: scheduler.CfnSchedule;
  readonly scheduleRole: iam.Role;
  /** Lake Formation SELECT on the raw `model_drift` table for the check's role. */
  readonly driftTableGrant: lakeformation.CfnPrincipalPermissions;
  /** By site id. */
  readonly driftAlarms: ReadonlyMap<string, cloudwatch.Alarm>;
  readonly checkErrorsAlarm: cloudwatch.Alarm;
  readonly retrainingErrorsAlarm: cloudwatch.Alarm;
  /** The rule from the drift alarms to the retraining trigger. */
  readonly retrainingRule: events.Rule;
  /** The topic the alarms notify (given or created). */
  readonly alarmTopic: sns.ITopic;
  /** Failed invocations and undeliverable events of the schedule and the rule. */
  readonly deadLetterQueue: sqs.Queue;
  readonly encryptionKey: kms.IKey;
  /** The model bundle name the alarms and the trigger watch. */
  readonly modelName: string;

  constructor(scope: Construct, id: string, props: ModelDriftMonitorProps) {
    super(scope, id);
    const { lakehouse, mlPipeline } = props;
    const problems = modelDriftMonitorPropsProblems(props);
    const driftTable = lakehouse.catalog.raw.tables[MODEL_DRIFT_TABLE];
    const modelName = props.modelName ?? pipelineModelName(mlPipeline);
    if (problems.length > 0 || driftTable === undefined || modelName === undefined) {
      throw new Error(
        [
          `${this.node.path}: invalid model drift monitor props:`,
          ...problems.map((p) => `  - ${p}`),
        ].join('\n'),
      );
    }
    const settings = resolveModelDriftMonitorSettings(props);
    const stack = Stack.of(this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const namePrefix = props.namePrefix ?? `uns-mlops-${props.environmentName}`;
    this.modelName = modelName;
    const interval = Duration.minutes(settings.checkIntervalMinutes);

    this.encryptionKey =
      props.encryptionKey ??
      new kms.Key(this, 'Key', {
        description: `${namePrefix}: model drift notifications and dead letters`,
        enableKeyRotation: true,
        removalPolicy,
      });
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of the drift functions, their schedule and rule; a queue behind it would only move the same messages again.',
    });
    this.alarmTopic =
      props.alerts?.topic ?? this.createTopic(namePrefix, settings.notificationEmails);
    const alerts = props.alerts ?? alerting(this.alarmTopic, namePrefix);
    // CloudWatch alarms publish to the topic, and EventBridge sends undeliverable events to the
    // queue, both with this key.
    for (const service of ['cloudwatch.amazonaws.com', 'events.amazonaws.com']) {
      this.encryptionKey.grant(
        new iam.ServicePrincipal(service),
        'kms:Decrypt',
        'kms:GenerateDataKey*',
      );
    }

    const results = new QueryResultsAccess(this, lakehouse);
    const workGroupArn = stack.formatArn({
      service: 'athena',
      resource: 'workgroup',
      resourceName: lakehouse.analytics.workGroup.ref,
    });
    const check = functionAccess(this, 'Check', {
      logKey: props.logKey,
      removalPolicy,
      roleDescription: `${WORKSPACE}: queries ${MODEL_DRIFT_TABLE} with Athena, writes drift metrics`,
      policyDescription: `${WORKSPACE}: query the raw ${MODEL_DRIFT_TABLE} table in the Lakehouse workgroup, write ${MODEL_DRIFT_NAMESPACE} metrics`,
      statements: [
        new iam.PolicyStatement({
          sid: 'RunDriftQueryInWorkGroup',
          actions: [
            'athena:StartQueryExecution',
            'athena:GetQueryExecution',
            'athena:GetQueryResults',
            'athena:StopQueryExecution',
          ],
          resources: [workGroupArn],
        }),
        new iam.PolicyStatement({
          sid: 'ReadDriftTableMetadata',
          actions: [
            'glue:GetDatabase',
            'glue:GetTable',
            'glue:GetPartition',
            'glue:GetPartitions',
            'glue:BatchGetPartition',
          ],
          resources: [
            stack.formatArn({ service: 'glue', resource: 'catalog' }),
            lakehouse.catalog.raw.database.databaseArn,
            driftTable.tableArn,
          ],
        }),
        new iam.PolicyStatement({
          sid: 'GetLakeFormationDataAccess',
          actions: ['lakeformation:GetDataAccess'],
          resources: ['*'],
        }),
        ...results.statements,
        this.putMetricsStatement(),
        ...this.deadLetterStatements(),
      ],
    });
    this.checkRole = check.role;
    this.driftTableGrant = new lakeformation.CfnPrincipalPermissions(this, 'DriftTableGrant', {
      principal: { dataLakePrincipalIdentifier: this.checkRole.roleArn },
      resource: {
        table: {
          catalogId: stack.account,
          databaseName: lakehouse.catalog.raw.database.databaseName,
          name: driftTable.tableName,
        },
      },
      permissions: ['SELECT', 'DESCRIBE'],
      permissionsWithGrantOption: [],
    });
    this.checkFunction = workspaceFunction(this, 'Check', {
      workspace: WORKSPACE,
      description: `Drift of ${this.modelName} per site from the Lakehouse (Athena) into CloudWatch metrics`,
      memorySize: 256,
      timeout: CHECK_TIMEOUT,
      role: check.role,
      logGroup: check.logGroup,
      reservedConcurrentExecutions: 1,
      environment: {
        METRICS_NAMESPACE: MODEL_DRIFT_NAMESPACE,
        ENVIRONMENT_NAME: props.environmentName,
        ATHENA_WORKGROUP: lakehouse.analytics.workGroup.ref,
        DRIFT_DATABASE: lakehouse.catalog.raw.database.databaseName,
        DRIFT_TABLE: driftTable.tableName,
        LOOKBACK_HOURS: String(settings.lookbackHours),
        QUERY_TIMEOUT_SECONDS: String(QUERY_TIMEOUT.toSeconds()),
        MONITORED_SITES: props.siteIds.join(','),
        MONITORED_MODELS: this.modelName,
        POWERTOOLS_SERVICE_NAME: WORKSPACE,
      },
    });
    this.finishAsyncFunction(this.checkFunction, check.policy);
    // The check can only read the table once Lake Formation lets its role.
    this.checkFunction.node.addDependency(this.driftTableGrant);

    const pipelineArn = stack.formatArn({
      service: 'sagemaker',
      resource: 'pipeline',
      resourceName: mlPipeline.pipelineName,
    });
    const retraining = functionAccess(this, 'Retraining', {
      logKey: props.logKey,
      removalPolicy,
      roleDescription: `${WORKSPACE} retraining trigger: starts ${mlPipeline.pipelineName} on drift`,
      policyDescription: `${WORKSPACE} retraining trigger: list and start executions of ${mlPipeline.pipelineName}, write ${MODEL_DRIFT_NAMESPACE} metrics`,
      statements: [
        new iam.PolicyStatement({
          sid: 'StartRetraining',
          actions: ['sagemaker:ListPipelineExecutions', 'sagemaker:StartPipelineExecution'],
          resources: [pipelineArn],
        }),
        this.putMetricsStatement(),
        ...this.deadLetterStatements(),
      ],
    });
    this.retrainingRole = retraining.role;
    const parameters = props.retrainingParameters ?? {};
    this.retrainingFunction = workspaceFunction(this, 'Retraining', {
      workspace: WORKSPACE,
      entryFile: 'retraining-main.ts',
      description: `Starts ${mlPipeline.pipelineName} when a drift alarm goes to ALARM, at most once per ${settings.retrainingCooldownHours} h`,
      memorySize: 256,
      timeout: Duration.minutes(1),
      role: retraining.role,
      logGroup: retraining.logGroup,
      // One at a time: a second alarm sees the execution the first one started.
      reservedConcurrentExecutions: 1,
      environment: {
        METRICS_NAMESPACE: MODEL_DRIFT_NAMESPACE,
        ENVIRONMENT_NAME: props.environmentName,
        PIPELINE_NAME: mlPipeline.pipelineName,
        MODEL_NAME: this.modelName,
        RETRAINING_COOLDOWN_HOURS: String(settings.retrainingCooldownHours),
        ...(Object.keys(parameters).length > 0 && {
          PIPELINE_PARAMETERS: JSON.stringify(parameters),
        }),
        POWERTOOLS_SERVICE_NAME: `${WORKSPACE}-retraining`,
      },
    });
    this.finishAsyncFunction(this.retrainingFunction, retraining.policy);

    this.scheduleRole = new iam.Role(this, 'ScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: `EventBridge Scheduler runs the ${WORKSPACE} function`,
    });
    const schedulePolicy = new iam.ManagedPolicy(this, 'SchedulePolicy', {
      description: `Invoke the ${WORKSPACE} function only; dead letters to its queue`,
      roles: [this.scheduleRole],
      statements: [
        new iam.PolicyStatement({
          sid: 'InvokeDriftCheck',
          actions: ['lambda:InvokeFunction'],
          resources: [this.checkFunction.functionArn],
        }),
        ...this.deadLetterStatements(),
      ],
    });
    this.schedule = new scheduler.CfnSchedule(this, 'Schedule', {
      description: `Checks the drift of ${this.modelName} every ${settings.checkIntervalMinutes} minutes`,
      scheduleExpression: `rate(${settings.checkIntervalMinutes} minutes)`,
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: this.checkFunction.functionArn,
        roleArn: this.scheduleRole.roleArn,
        // The scheduled time ends the check's lookback and dates its metrics.
        input: JSON.stringify({ scheduledTime: '<aws.scheduler.scheduled-time>' }),
        retryPolicy: {
          maximumEventAgeInSeconds: interval.toSeconds(),
          maximumRetryAttempts: 3,
        },
        deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
      },
    });
    this.schedule.node.addDependency(schedulePolicy);

    const alarm = (alarmId: string, alarmProps: cloudwatch.AlarmProps) => {
      const created = new cloudwatch.Alarm(this, alarmId, alarmProps);
      created.addAlarmAction(new actions.SnsAction(this.alarmTopic));
      return created;
    };
    this.driftAlarms = new Map(
      props.siteIds.map((siteId) => {
        const driftAlarm = alarm(`DriftAlarm-${siteId}`, {
          alarmName: driftAlarmName(namePrefix, siteId),
          alarmDescription: `Model ${this.modelName} drifts at ${siteId}: DriftedShare >= ${settings.driftedShareThreshold} in ${settings.alarmDatapointsToAlarm} of the last ${settings.alarmEvaluationPeriods} checks. Starts a retraining of ${mlPipeline.pipelineName} (at most one per ${settings.retrainingCooldownHours} h).`,
          metric: new cloudwatch.Metric({
            namespace: MODEL_DRIFT_NAMESPACE,
            metricName: 'DriftedShare',
            dimensionsMap: {
              Environment: props.environmentName,
              Site: siteId,
              Model: this.modelName,
            },
            statistic: cloudwatch.Stats.MAXIMUM,
            period: interval,
          }),
          threshold: settings.driftedShareThreshold,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: settings.alarmEvaluationPeriods,
          datapointsToAlarm: settings.alarmDatapointsToAlarm,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
        driftAlarm.addOkAction(new actions.SnsAction(this.alarmTopic));
        return [siteId, driftAlarm];
      }),
    );
    const errors = (fn: lambda.IFunction, period: Duration) =>
      fn.metricErrors({ period, statistic: cloudwatch.Stats.SUM });
    this.checkErrorsAlarm = alarm('CheckErrorsAlarm', {
      alarmName: `${alerts.namePrefix}-drift-check-errors`,
      alarmDescription: `${WORKSPACE}: a drift check failed (its query failed, was cancelled or timed out, or an AWS call failed); see its log`,
      metric: errors(this.checkFunction, interval),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.retrainingErrorsAlarm = alarm('RetrainingErrorsAlarm', {
      alarmName: `${alerts.namePrefix}-drift-retraining-errors`,
      alarmDescription: `${WORKSPACE} retraining trigger: a drift alarm could not start or skip a retraining (a malformed event, another model, an AWS error); see its log and the dead-letter queue`,
      metric: errors(this.retrainingFunction, Duration.hours(1)),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const [fn, name] of [
      [this.checkFunction, 'drift-check'],
      [this.retrainingFunction, 'drift-retraining'],
    ] as const) {
      notifyingAlarm(this, `${fn.node.id}ThrottlesAlarm`, alerts, {
        name: `${name}-throttles`,
        description: `${WORKSPACE} (${name}): invocations throttled at its reserved concurrency; Lambda retries, then sends the event to the dead-letter queue.`,
        metric: fn.metricThrottles({
          period: alarmPeriod(alerts),
          statistic: cloudwatch.Stats.SUM,
        }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      });
    }
    deadLetterAlarm(
      this,
      this.deadLetterQueue,
      alerts,
      'drift-dead-letters',
      `${WORKSPACE}: a drift check or retraining trigger failed after its retries, or the schedule or the rule could not deliver; the message waits in the dead-letter queue (14 days). Read it, fix the cause, and start the check or the pipeline by hand if needed.`,
    );

    this.retrainingRule = new events.Rule(this, 'RetrainingRule', {
      description: `Drift alarms of ${this.modelName} going to ALARM start a retraining`,
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: ['CloudWatch Alarm State Change'],
        resources: [...this.driftAlarms.values()].map((driftAlarm) => driftAlarm.alarmArn),
        detail: { state: { value: ['ALARM'] } },
      },
    });
    this.retrainingRule.addTarget(
      new targets.LambdaFunction(this.retrainingFunction, {
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 3,
        maxEventAge: Duration.hours(2),
      }),
    );

    this.acknowledge(check.policy, retraining.policy, results);
  }

  private createTopic(namePrefix: string, emails: readonly string[]): sns.Topic {
    const topic = new sns.Topic(this, 'Notifications', {
      displayName: `${namePrefix} model drift`,
      masterKey: this.encryptionKey,
      enforceSSL: true,
    });
    for (const email of emails) topic.addSubscription(new subscriptions.EmailSubscription(email));
    return topic;
  }

  /** PutMetricData into the drift namespace only (the action takes no resource). */
  private putMetricsStatement(): iam.PolicyStatement {
    return new iam.PolicyStatement({
      sid: 'PutDriftMetrics',
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': MODEL_DRIFT_NAMESPACE } },
    });
  }

  /** Sending to the dead-letter queue, with a data key of its key through SQS only. */
  private deadLetterStatements(): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        sid: 'SendDeadLetters',
        actions: ['sqs:SendMessage'],
        resources: [this.deadLetterQueue.queueArn],
      }),
      new iam.PolicyStatement({
        sid: 'EncryptDeadLetters',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [this.encryptionKey.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `sqs.${Stack.of(this).region}.amazonaws.com` },
        },
      }),
    ];
  }

  /**
   * What both asynchronously invoked functions share: the dead-letter queue, set on the resource so
   * its rights stay in the function's managed policy (`deadLetterQueue` would add an inline policy);
   * the wait for that policy; and why they run outside the VPC.
   */
  private finishAsyncFunction(fn: nodejs.NodejsFunction, policy: iam.ManagedPolicy): void {
    (fn.node.defaultChild as lambda.CfnFunction).deadLetterConfig = {
      targetArn: this.deadLetterQueue.queueArn,
    };
    waitForPolicy(fn, policy);
    Validations.of(fn).acknowledge({
      id: 'NIST.800.53.R5-LambdaInsideVPC',
      reason:
        'The drift functions call only the Athena, CloudWatch and SageMaker APIs, which have no endpoints in the private VPC, and handle aggregated drift figures, no plant data.',
    });
  }

  private acknowledge(
    checkPolicy: iam.ManagedPolicy,
    retrainingPolicy: iam.ManagedPolicy,
    results: QueryResultsAccess,
  ): void {
    const putMetrics = {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'cloudwatch:PutMetricData takes no resource in IAM; the statement is limited to the UnsMlops/ModelDrift namespace by the cloudwatch:namespace condition.',
    };
    Validations.of(checkPolicy).acknowledge(
      {
        ...putMetrics,
        reason: `${putMetrics.reason} lakeformation:GetDataAccess supports no resource either; Lake Formation grants only the model_drift table.`,
      },
      ...results.wildcardFindings.map((id) => ({
        id,
        reason:
          'Athena names each result object after its query id under the workgroup’s enforced results prefix, so that prefix is the narrowest resource that covers them.',
      })),
    );
    Validations.of(retrainingPolicy).acknowledge(putMetrics);
  }
}
