import { ArnFormat, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { alarmPeriod, type Alerting, notifyingAlarm } from './alarms';

/** One kind of failure a service reports only as an EventBridge event. */
export interface EventFailure {
  /** The event's `detail-type`. */
  readonly detailType: string;
  /** The `detail` pattern that matches a failure. */
  readonly detail: Record<string, unknown>;
  /** What failed, in the rule's and alarm's descriptions. */
  readonly description: string;
}

/** Properties of {@link EventFailureAlarms}. */
export interface EventFailureAlarmsProps {
  /** Prefix of the rules and log groups, e.g. `uns-mlops-dev`. */
  readonly namePrefix: string;
  /** The events' `source`, e.g. `aws.greengrass`. */
  readonly source: string;
  /**
   * What fails, as the names go on: rules `<prefix>-<subject>-<kind>`, log groups
   * `/aws/events/<prefix>/<subject>-<kind>`, alarms `<alerts prefix>-<subject>-<kind>`.
   */
  readonly subject: string;
  /** Who fails, at the start of each alarm description, e.g. `Greengrass`. */
  readonly label: string;
  /** The failures, by kind (as the names end). */
  readonly failures: Readonly<Record<string, EventFailure>>;
  /** Where else to look, at the end of each alarm description. */
  readonly hint: string;
  /** Where the alarms go. */
  readonly alerts: Alerting;
  /** Key of the log groups. */
  readonly logKey: kms.IKey;
  /** What happens to the log groups when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Failures a service reports only to EventBridge, not as CloudWatch metrics. Per failure kind, a
 * rule keeps each matching event in an encrypted log group (`/aws/events/<prefix>/<subject>-<kind>`,
 * the audit trail of what failed where), and an alarm on the rule's `TriggeredRules` (`AWS/Events`,
 * dimension `RuleName`) notifies the topic, so the failure also shows as an alarm state (the
 * `uns-mlops status` command lists open alarms). EventBridge writes to the log groups under a
 * resource policy limited to these rules.
 */
export class EventFailureAlarms extends Construct {
  readonly rules: ReadonlyMap<string, events.Rule>;
  readonly logGroups: ReadonlyMap<string, logs.LogGroup>;
  readonly alarms: ReadonlyMap<string, cloudwatch.Alarm>;

  constructor(scope: Construct, id: string, props: EventFailureAlarmsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const rules = new Map<string, events.Rule>();
    const logGroups = new Map<string, logs.LogGroup>();
    const alarms = new Map<string, cloudwatch.Alarm>();
    for (const [kind, failure] of Object.entries(props.failures)) {
      const name = `${props.subject}-${kind}`;
      // EventBridge writes only to log groups under /aws/events/.
      const logGroupName = `/aws/events/${props.namePrefix}/${name}`;
      const logGroup = new logs.LogGroup(this, `${kind}-events`, {
        logGroupName,
        encryptionKey: props.logKey,
        retention: logs.RetentionDays.ONE_YEAR,
        removalPolicy: props.removalPolicy,
      });
      // EventBridge takes the log group's ARN without the `:*` suffix of `logGroupArn`.
      const logGroupTarget = stack.formatArn({
        service: 'logs',
        resource: 'log-group',
        resourceName: logGroupName,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
      const rule = new events.Rule(this, `${kind}-rule`, {
        ruleName: `${props.namePrefix}-${name}`,
        description: `uns-mlops: ${failure.description}`,
        eventPattern: {
          source: [props.source],
          detailType: [failure.detailType],
          detail: failure.detail,
        },
        targets: [{ bind: () => ({ arn: logGroupTarget }) }],
      });
      rule.node.addDependency(logGroup);
      const alarm = notifyingAlarm(this, `${kind}-alarm`, props.alerts, {
        name,
        description: `${props.label}: ${failure.description}. The events are in the log group ${logGroupName}; ${props.hint}`,
        metric: new cloudwatch.Metric({
          namespace: 'AWS/Events',
          metricName: 'TriggeredRules',
          dimensionsMap: { RuleName: rule.ruleName },
          statistic: cloudwatch.Stats.SUM,
          period: alarmPeriod(props.alerts),
        }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        notifyOk: false,
      });
      rules.set(kind, rule);
      logGroups.set(kind, logGroup);
      alarms.set(kind, alarm);
    }
    new logs.ResourcePolicy(this, 'EventsWriteLogs', {
      resourcePolicyName: `${props.namePrefix}-${props.subject}-health-events`,
      policyStatements: [
        new iam.PolicyStatement({
          sid: 'FailureRulesWriteTheirLogGroups',
          principals: [
            new iam.ServicePrincipal('events.amazonaws.com'),
            new iam.ServicePrincipal('delivery.logs.amazonaws.com'),
          ],
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [...logGroups.values()].map((group) => group.logGroupArn),
          conditions: {
            ArnEquals: { 'aws:SourceArn': [...rules.values()].map((rule) => rule.ruleArn) },
          },
        }),
      ],
    });
    this.rules = rules;
    this.logGroups = logGroups;
    this.alarms = alarms;
  }
}
