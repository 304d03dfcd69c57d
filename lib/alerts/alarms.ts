import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ALERTS_DEFAULTS, type AlertThresholds } from './alert-settings';

/**
 * Where a construct's alarms go, how they are named and their limits: the environment's
 * {@link EnvironmentAlerts}, or {@link alerting} for a construct used on its own.
 */
export interface Alerting {
  /** The topic every alarm notifies. */
  readonly topic: sns.ITopic;
  /** Prefix of the alarm names, e.g. `uns-mlops-dev`: alarms are `<prefix>-<what>`. */
  readonly namePrefix: string;
  /** The limits, every one set. */
  readonly thresholds: Required<AlertThresholds>;
  /**
   * Lets `grantee` (a state machine that notifies of its outcomes) publish to the topic, with the
   * topic key's data keys where the topic is encrypted.
   */
  grantPublish(grantee: iam.IGrantable): void;
}

/** An {@link Alerting} from a topic, a name prefix and some limits (the rest from the defaults). */
export function alerting(
  topic: sns.ITopic,
  namePrefix: string,
  thresholds: AlertThresholds = {},
): Alerting {
  return {
    topic,
    namePrefix,
    thresholds: { ...ALERTS_DEFAULTS, ...thresholds },
    grantPublish: (grantee) => topic.grantPublish(grantee),
  };
}

/** One alarm of {@link notifyingAlarm}. */
export interface AlarmSpec {
  /** What the alarm watches, as its name ends: `<prefix>-<name>`. */
  readonly name: string;
  /** What failed and what to look at, shown in the notification. */
  readonly description: string;
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  readonly comparisonOperator: cloudwatch.ComparisonOperator;
  /**
   * Periods the metric must breach in a row.
   * @default 1
   */
  readonly evaluationPeriods?: number;
  /**
   * How a period without data counts.
   * @default TreatMissingData.NOT_BREACHING - no data means nothing failed.
   */
  readonly treatMissingData?: cloudwatch.TreatMissingData;
  /**
   * Whether the return to OK is notified too.
   * @default true - whoever was told of the failure hears that it is over.
   */
  readonly notifyOk?: boolean;
}

/** A CloudWatch alarm named `<prefix>-<name>` notifying the topic on ALARM (and OK). */
export function notifyingAlarm(
  scope: Construct,
  id: string,
  alerts: Alerting,
  spec: AlarmSpec,
): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, id, {
    alarmName: `${alerts.namePrefix}-${spec.name}`,
    alarmDescription: spec.description,
    metric: spec.metric,
    threshold: spec.threshold,
    comparisonOperator: spec.comparisonOperator,
    evaluationPeriods: spec.evaluationPeriods ?? 1,
    treatMissingData: spec.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  notify(alarm, alerts, spec.notifyOk ?? true);
  return alarm;
}

/** Adds the topic as the alarm's action (and OK action) to an alarm made elsewhere. */
export function notify(alarm: cloudwatch.Alarm, alerts: Alerting, notifyOk = true): void {
  const action = new actions.SnsAction(alerts.topic);
  alarm.addAlarmAction(action);
  if (notifyOk) alarm.addOkAction(action);
}

/** The period of the alarms on AWS metrics. */
export const alarmPeriod = (alerts: Alerting) => Duration.minutes(alerts.thresholds.periodMinutes);

const { GREATER_THAN_THRESHOLD: above } = cloudwatch.ComparisonOperator;

/** Options of {@link functionAlarms}. */
export interface FunctionAlarmsOptions {
  /**
   * Whether the function consumes Kafka through event source mappings: alarm on its `OffsetLag`
   * too (records its consumer groups are behind; the iterator age of Kafka sources).
   * @default false
   */
  readonly kafkaConsumer?: boolean;
  /**
   * What the function's failures mean and where to look, added to each description.
   * @default - the function's log group.
   */
  readonly hint?: string;
}

/**
 * The alarms of one Lambda function: errors and throttles above 0 in a period, and for a Kafka
 * consumer its offset lag above `maxOffsetLagRecords`. Under `<name>-alarms` in `scope`, named
 * `<prefix>-<name>-errors|throttles|offset-lag`.
 */
export function functionAlarms(
  scope: Construct,
  fn: lambda.IFunction,
  alerts: Alerting,
  name: string,
  options: FunctionAlarmsOptions = {},
): cloudwatch.Alarm[] {
  const group = new Construct(scope, `${name}-alarms`);
  const period = alarmPeriod(alerts);
  const look = options.hint ?? 'See the function log group for the failed invocations.';
  const alarms = [
    notifyingAlarm(group, 'Errors', alerts, {
      name: `${name}-errors`,
      description: `${name}: invocations failed. ${look}`,
      metric: fn.metricErrors({ period, statistic: cloudwatch.Stats.SUM }),
      threshold: 0,
      comparisonOperator: above,
    }),
    notifyingAlarm(group, 'Throttles', alerts, {
      name: `${name}-throttles`,
      description: `${name}: invocations throttled (reserved concurrency or the account limit reached); work waits or is retried. Check the function's concurrency settings.`,
      metric: fn.metricThrottles({ period, statistic: cloudwatch.Stats.SUM }),
      threshold: 0,
      comparisonOperator: above,
    }),
  ];
  if (options.kafkaConsumer === true) {
    alarms.push(
      notifyingAlarm(group, 'OffsetLag', alerts, {
        name: `${name}-offset-lag`,
        description: `${name}: its Kafka consumer is more than ${alerts.thresholds.maxOffsetLagRecords} records behind the topic (Lambda OffsetLag). Look for failing batches in the function log, throttles, or a slow downstream.`,
        metric: fn.metric('OffsetLag', { period, statistic: cloudwatch.Stats.MAXIMUM }),
        threshold: alerts.thresholds.maxOffsetLagRecords,
        comparisonOperator: above,
        evaluationPeriods: 2,
      }),
    );
  }
  return alarms;
}

/**
 * The alarms of one state machine: executions failed and timed out, each above 0 in a period.
 * Under `<name>-alarms` in `scope`, named `<prefix>-<name>-failed|timed-out`.
 */
export function stateMachineAlarms(
  scope: Construct,
  stateMachine: sfn.IStateMachine,
  alerts: Alerting,
  name: string,
): cloudwatch.Alarm[] {
  const group = new Construct(scope, `${name}-alarms`);
  const period = alarmPeriod(alerts);
  const look = 'Open the execution history on the Step Functions console for the failed state.';
  return [
    notifyingAlarm(group, 'Failed', alerts, {
      name: `${name}-failed`,
      description: `${name}: executions failed. ${look}`,
      metric: stateMachine.metricFailed({ period, statistic: cloudwatch.Stats.SUM }),
      threshold: 0,
      comparisonOperator: above,
      notifyOk: false,
    }),
    notifyingAlarm(group, 'TimedOut', alerts, {
      name: `${name}-timed-out`,
      description: `${name}: executions timed out. ${look}`,
      metric: stateMachine.metricTimedOut({ period, statistic: cloudwatch.Stats.SUM }),
      threshold: 0,
      comparisonOperator: above,
      notifyOk: false,
    }),
  ];
}

/**
 * The alarm of a dead-letter queue: any message visible. Under `scope`, id `<name>-alarm`,
 * named `<prefix>-<name>`.
 */
export function deadLetterAlarm(
  scope: Construct,
  queue: sqs.IQueue,
  alerts: Alerting,
  name: string,
  description: string,
): cloudwatch.Alarm {
  return notifyingAlarm(scope, `${name}-alarm`, alerts, {
    name,
    description,
    metric: queue.metricApproximateNumberOfMessagesVisible({
      period: alarmPeriod(alerts),
      statistic: cloudwatch.Stats.MAXIMUM,
    }),
    threshold: 0,
    comparisonOperator: above,
  });
}

/**
 * The alarms of one Firehose stream into S3 (namespace `AWS/Firehose`, dimension
 * `DeliveryStreamName`): deliveries failing (`DeliveryToS3.Success` below 1: some S3 puts failed),
 * records Firehose could not convert to Parquet (`FailedConversion.Records` above 0: they land
 * under the errors prefix), and records waiting too long (`DeliveryToS3.DataFreshness` above
 * `maxDeliveryFreshnessSeconds`). Under `<name>-alarms` in `scope`, named
 * `<prefix>-<name>-delivery-failed|conversion-failed|freshness`.
 */
export function deliveryStreamAlarms(
  scope: Construct,
  deliveryStreamName: string,
  alerts: Alerting,
  name: string,
  errorsPrefix: string,
): cloudwatch.Alarm[] {
  const group = new Construct(scope, `${name}-alarms`);
  const period = alarmPeriod(alerts);
  const metric = (metricName: string, statistic: string) =>
    new cloudwatch.Metric({
      namespace: 'AWS/Firehose',
      metricName,
      dimensionsMap: { DeliveryStreamName: deliveryStreamName },
      statistic,
      period,
    });
  const freshness = alerts.thresholds.maxDeliveryFreshnessSeconds;
  return [
    notifyingAlarm(group, 'DeliveryFailed', alerts, {
      name: `${name}-delivery-failed`,
      description: `${name}: Firehose could not write to S3 (DeliveryToS3.Success below 1); it retries, then writes the records under ${errorsPrefix}. See the stream's delivery log group (S3 or KMS access denied, the bucket key).`,
      metric: metric('DeliveryToS3.Success', cloudwatch.Stats.MINIMUM),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    }),
    notifyingAlarm(group, 'ConversionFailed', alerts, {
      name: `${name}-conversion-failed`,
      description: `${name}: rows that do not fit the Glue table's schema were not converted to Parquet; they are under ${errorsPrefix}. Compare the flattener's rows with the table.`,
      metric: metric('FailedConversion.Records', cloudwatch.Stats.SUM),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    }),
    notifyingAlarm(group, 'Freshness', alerts, {
      name: `${name}-freshness`,
      description: `${name}: the oldest record has waited more than ${freshness} s to reach S3 (DeliveryToS3.DataFreshness); the Lakehouse is behind. See the delivery log group for retries.`,
      metric: metric('DeliveryToS3.DataFreshness', cloudwatch.Stats.MAXIMUM),
      threshold: freshness,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 2,
    }),
  ];
}
