import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import {
  ALERTS_DEFAULTS,
  alertSettingsProblems,
  type AlertSettings,
  type AlertThresholds,
} from './alert-settings';
import type { Alerting } from './alarms';

/** Properties of {@link EnvironmentAlerts}. */
export interface EnvironmentAlertsProps extends AlertSettings {
  /** Prefix of the topic's and the alarms' names, e.g. `uns-mlops-dev`. */
  readonly namePrefix: string;
  /**
   * What happens to the topic's key when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** The name of an environment's alert topic. */
export const alertTopicName = (namePrefix: string) => `${namePrefix}-alerts`;

/**
 * The one notification topic of an environment (`<prefix>-alerts`): SNS, TLS only, encrypted with
 * a customer-managed key of its own (yearly rotation) that CloudWatch alarms and EventBridge rules
 * of this account may use for this topic only (the key policy names the topic in the encryption
 * context SNS uses); the configured email addresses subscribed. Every construct's alarms notify
 * it: pass this construct as their `alerts`.
 */
export class EnvironmentAlerts extends Construct implements Alerting {
  readonly topic: sns.Topic;
  readonly key: kms.Key;
  readonly namePrefix: string;
  readonly thresholds: Required<AlertThresholds>;

  constructor(scope: Construct, id: string, props: EnvironmentAlertsProps) {
    super(scope, id);
    const problems = alertSettingsProblems(props);
    if (problems.length > 0) {
      throw new Error(
        `Invalid alert settings at ${this.node.path}:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      );
    }
    const stack = Stack.of(this);
    this.namePrefix = props.namePrefix;
    this.thresholds = { ...ALERTS_DEFAULTS, ...props.thresholds };
    const topicName = alertTopicName(props.namePrefix);
    // Named, so the key policy can name the topic without a reference back to it (a cycle).
    const topicArn = stack.formatArn({
      service: 'sns',
      resource: topicName,
      arnFormat: ArnFormat.NO_RESOURCE_NAME,
    });

    this.key = new kms.Key(this, 'Key', {
      description: `${props.namePrefix}: alert notifications`,
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AlarmsAndRulesPublishToTheAlertTopic',
        principals: [
          new iam.ServicePrincipal('cloudwatch.amazonaws.com'),
          new iam.ServicePrincipal('events.amazonaws.com'),
        ],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'kms:EncryptionContext:aws:sns:topicArn': topicArn } },
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', {
      topicName,
      displayName: `${props.namePrefix} alerts`,
      masterKey: this.key,
      enforceSSL: true,
    });
    // EventBridge rules of this account only (CloudWatch alarms of the account need no grant).
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'RulesOfThisAccountPublish',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    for (const email of props.notificationEmails ?? []) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    }
  }

  /**
   * Lets `grantee` publish to the topic: `sns:Publish` on it, and the two key actions SNS uses for
   * the publisher (`kms:GenerateDataKey`, `kms:Decrypt`) on its key, in the grantee's policy.
   */
  grantPublish(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['sns:Publish'],
      resourceArns: [this.topic.topicArn],
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resourceArns: [this.key.keyArn],
    });
  }
}
