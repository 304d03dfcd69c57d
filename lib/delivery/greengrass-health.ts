import { ArnFormat, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { alarmPeriod, type Alerting, notifyingAlarm } from '../alerts/alarms';

/** Properties of {@link GreengrassHealth}. */
export interface GreengrassHealthProps {
  /** Prefix of the rules and log groups, e.g. `uns-mlops-dev`. */
  readonly namePrefix: string;
  /** Where the alarms go. */
  readonly alerts: Alerting;
  /** Key of the log groups. */
  readonly logKey: kms.IKey;
  /** What happens to the log groups when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The Greengrass events of one failure kind: `detail-type` and the `detail` that matches a
 * failure, as AWS IoT Greengrass V2 sends them to EventBridge (source `aws.greengrass`).
 */
export const GREENGRASS_FAILURES = {
  /** A deployment reached a core device and failed or was rejected there. */
  'deployment-failed': {
    detailType: 'Greengrass V2 Effective Deployment Status Change',
    detail: { coreDeviceExecutionStatus: ['FAILED', 'REJECTED'] },
    description:
      'a Greengrass deployment failed or was rejected on a core device (the rollout gate rolls a wave back on it)',
  },
  /**
   * A component on a core device entered ERRORED or BROKEN: the core device reports UNHEALTHY
   * while any of its components is in either state.
   */
  'component-broken': {
    detailType: 'Greengrass V2 Installed Component Status Change',
    detail: { components: { lifecycleState: ['ERRORED', 'BROKEN'] } },
    description:
      'a component on a Greengrass core device is ERRORED or BROKEN, so the device reports UNHEALTHY',
  },
} as const;

/** One kind of Greengrass failure, as the rule, log group and alarm names end. */
export type GreengrassFailure = keyof typeof GREENGRASS_FAILURES;

/**
 * Greengrass deployments failed and core devices unhealthy. Greengrass V2 publishes no CloudWatch
 * metric of its own; it sends state changes to EventBridge. Per failure kind, a rule keeps each
 * matching event in an encrypted log group (`/aws/events/<prefix>/greengrass-<kind>`: which device,
 * deployment, component and error code, the audit trail), and an alarm on the rule's
 * `TriggeredRules` (`AWS/Events`, dimension `RuleName`) notifies the topic, so the failure also
 * shows as an alarm state (the `uns-mlops status` command lists open alarms). EventBridge writes
 * to the log groups under a resource policy limited to these rules.
 */
export class GreengrassHealth extends Construct {
  readonly rules: ReadonlyMap<GreengrassFailure, events.Rule>;
  readonly logGroups: ReadonlyMap<GreengrassFailure, logs.LogGroup>;
  readonly alarms: ReadonlyMap<GreengrassFailure, cloudwatch.Alarm>;

  constructor(scope: Construct, id: string, props: GreengrassHealthProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const rules = new Map<GreengrassFailure, events.Rule>();
    const logGroups = new Map<GreengrassFailure, logs.LogGroup>();
    const alarms = new Map<GreengrassFailure, cloudwatch.Alarm>();
    for (const [kind, failure] of Object.entries(GREENGRASS_FAILURES) as [
      GreengrassFailure,
      (typeof GREENGRASS_FAILURES)[GreengrassFailure],
    ][]) {
      // EventBridge writes only to log groups under /aws/events/.
      const logGroupName = `/aws/events/${props.namePrefix}/greengrass-${kind}`;
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
        ruleName: `${props.namePrefix}-greengrass-${kind}`,
        description: `uns-mlops: ${failure.description}`,
        eventPattern: {
          source: ['aws.greengrass'],
          detailType: [failure.detailType],
          detail: failure.detail,
        },
        targets: [{ bind: () => ({ arn: logGroupTarget }) }],
      });
      rule.node.addDependency(logGroup);
      const alarm = notifyingAlarm(this, `${kind}-alarm`, props.alerts, {
        name: `greengrass-${kind}`,
        description: `Greengrass: ${failure.description}. The events (device, deployment, component, error codes) are in the log group ${logGroupName}; the device's own logs are in greengrass.log on the device.`,
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
      resourcePolicyName: `${props.namePrefix}-greengrass-health-events`,
      policyStatements: [
        new iam.PolicyStatement({
          sid: 'GreengrassHealthRulesWriteTheirLogGroups',
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
