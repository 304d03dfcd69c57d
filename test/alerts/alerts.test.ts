import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  ALERTS_DEFAULTS,
  alerting,
  deliveryStreamAlarms,
  EnvironmentAlerts,
  functionAlarms,
} from '../../lib/alerts';
import { resolveEnvironment } from '../../lib/config/resolve';
import { validateEnvironment } from '../../lib/config/validate';
import { EdgeKpiAlarms } from '../../lib/delivery/edge-kpis';
import { RolloutGate } from '../../lib/delivery/rollout-gate';
import { ModelRollout, type ModelRolloutProps } from '../../lib/model-rollout';
import { synthesizedApp } from '../support/assembly';
import { only } from '../support/resources';

const env = { account: '123456789012', region: 'eu-central-1' };
const newStack = () => new Stack(new App(), 'Test', { env });

/** The properties of the alarm named `name` in a template. */
const alarmNamed = (template: Template, name: string) => {
  const found = Object.values(
    template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: name } }),
  );
  if (found.length !== 1) throw new Error(`expected one alarm ${name}, found ${found.length}`);
  return (found[0] as any).Properties;
};

describe('EnvironmentAlerts', () => {
  const stack = newStack();
  new EnvironmentAlerts(stack, 'Alerts', {
    namePrefix: 'uns-mlops-test',
    notificationEmails: ['ops@acme.example'],
  });
  const template = Template.fromStack(stack);
  const topicArn = {
    'Fn::Join': [
      '',
      ['arn:', { Ref: 'AWS::Partition' }, ':sns:eu-central-1:123456789012:uns-mlops-test-alerts'],
    ],
  };

  it('is one topic named after the environment, encrypted with a rotating key of its own', () => {
    const topic = only(template, 'AWS::SNS::Topic').resource.Properties;
    const key = only(template, 'AWS::KMS::Key');
    expect(topic.TopicName).toBe('uns-mlops-test-alerts');
    expect(topic.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [key.id, 'Arn'] });
    expect(key.resource.Properties.EnableKeyRotation).toBe(true);
  });

  it('lets CloudWatch alarms and EventBridge rules use the key for this topic only', () => {
    const statements = only(template, 'AWS::KMS::Key').resource.Properties.KeyPolicy.Statement;
    expect(statements).toContainEqual({
      Sid: 'AlarmsAndRulesPublishToTheAlertTopic',
      Effect: 'Allow',
      Principal: { Service: ['cloudwatch.amazonaws.com', 'events.amazonaws.com'] },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
      Condition: { StringEquals: { 'kms:EncryptionContext:aws:sns:topicArn': topicArn } },
    });
  });

  it('refuses requests without TLS and lets only this account’s rules publish', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({
            Sid: 'RulesOfThisAccountPublish',
            Principal: { Service: 'events.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
          }),
        ]),
      },
    });
  });

  it('subscribes the configured addresses', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@acme.example',
    });
  });

  it('rejects invalid settings before creating anything, listing them all', () => {
    expect(
      () =>
        new EnvironmentAlerts(newStack(), 'Alerts', {
          namePrefix: 'x',
          notificationEmails: ['ops', 'a@b.example', 'a@b.example'],
          thresholds: { periodMinutes: 0, spoolGrowingPeriods: 1.5, maxBrokerDiskUsedPercent: 120 },
        }),
    ).toThrow(
      [
        'Invalid alert settings at Test/Alerts:',
        '  - notificationEmails: "ops" is not an email address',
        '  - notificationEmails: "a@b.example" is listed more than once',
        '  - thresholds.periodMinutes (0) must be a whole number above 0 and at most 60',
        '  - thresholds.spoolGrowingPeriods (1.5) must be a whole number above 0 and at most 100',
        '  - thresholds.maxBrokerDiskUsedPercent (120) must be a number above 0 and at most 100',
      ].join('\n'),
    );
  });

  it('is checked with the environment: a bad threshold is a configuration problem', () => {
    const dev = resolveEnvironment('dev');
    expect(
      validateEnvironment({ ...dev, alerts: { thresholds: { plantSilentMinutes: -5 } } }),
    ).toEqual([
      'alerts.thresholds.plantSilentMinutes (-5) must be a whole number above 0 and at most 1440',
    ]);
  });
});

describe('the alarm helpers take their limits from the configuration', () => {
  const stack = newStack();
  const topic = new sns.Topic(stack, 'Topic');
  const alerts = alerting(topic, 'p', {
    periodMinutes: 10,
    maxOffsetLagRecords: 123,
    maxDeliveryFreshnessSeconds: 1200,
    plantSilentMinutes: 45,
    spoolGrowingPeriods: 4,
  });
  const fn = new lambda.Function(stack, 'Fn', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => {};'),
    timeout: Duration.seconds(5),
  });
  functionAlarms(stack, fn, alerts, 'consumer', { kafkaConsumer: true });
  deliveryStreamAlarms(stack, 'stream', alerts, 'firehose-table', 'errors/table/');
  new EdgeKpiAlarms(stack, 'Kpis', { namePrefix: 'p', siteIds: ['plant'], alerts });
  const template = Template.fromStack(stack);
  const topicRef = { Ref: only(template, 'AWS::SNS::Topic').id };

  it('alarms on a function’s errors, throttles and offset lag, over the configured period', () => {
    expect(alarmNamed(template, 'p-consumer-errors')).toMatchObject({
      MetricName: 'Errors',
      Period: 600,
      Threshold: 0,
      AlarmActions: [topicRef],
      OKActions: [topicRef],
    });
    expect(alarmNamed(template, 'p-consumer-throttles')).toMatchObject({ MetricName: 'Throttles' });
    expect(alarmNamed(template, 'p-consumer-offset-lag')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'OffsetLag',
      Statistic: 'Maximum',
      Threshold: 123,
    });
  });

  it('alarms on a stream’s failed deliveries, failed conversions and freshness', () => {
    expect(alarmNamed(template, 'p-firehose-table-delivery-failed')).toMatchObject({
      Namespace: 'AWS/Firehose',
      MetricName: 'DeliveryToS3.Success',
      Dimensions: [{ Name: 'DeliveryStreamName', Value: 'stream' }],
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
    });
    expect(alarmNamed(template, 'p-firehose-table-conversion-failed')).toMatchObject({
      MetricName: 'FailedConversion.Records',
      Threshold: 0,
    });
    expect(alarmNamed(template, 'p-firehose-table-freshness')).toMatchObject({
      MetricName: 'DeliveryToS3.DataFreshness',
      Threshold: 1200,
    });
  });

  it('alarms on a plant that sent nothing for the configured minutes, missing data breaching', () => {
    expect(alarmNamed(template, 'p-plant-plant-no-data')).toMatchObject({
      Namespace: 'UnsMlops/Edge',
      MetricName: 'BridgeHeartbeats',
      Dimensions: [{ Name: 'Site', Value: 'plant' }],
      Period: 45 * 60,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      AlarmActions: [topicRef],
    });
  });

  it('alarms on a spool growing the configured periods in a row', () => {
    const alarm = alarmNamed(template, 'p-plant-plant-spool-growing');
    expect(alarm).toMatchObject({ EvaluationPeriods: 4, Threshold: 0 });
    expect(alarm.Metrics).toContainEqual(expect.objectContaining({ Expression: 'DIFF(spool)' }));
  });

  it('gives the gate’s KPI alarms the topic, and keeps missing data missing for the gate', () => {
    for (const kpi of ['valid-share', 'anomaly-rate', 'inference-errors', 'bridge-spool']) {
      expect(alarmNamed(template, `p-edge-plant-${kpi}`)).toMatchObject({
        TreatMissingData: 'missing',
        AlarmActions: [topicRef],
      });
    }
  });

  it('uses the documented defaults for every limit left unset', () => {
    expect(alerting(topic, 'q').thresholds).toEqual(ALERTS_DEFAULTS);
  });
});

describe('the environments’ alarms follow their configuration', () => {
  const gib = 1024 ** 3;

  it.each([
    ['dev', 20],
    ['prod', 500],
  ])('%s: the Athena workgroup’s daily scan budget is %d GiB', async (name, budget) => {
    const app = await synthesizedApp(name);
    const alarm = alarmNamed(app.template('Lakehouse'), `uns-mlops-${name}-athena-daily-scan`);
    expect(alarm.Threshold).toBe(budget * gib);
    expect(alarm.Metrics).toContainEqual(
      expect.objectContaining({
        MetricStat: expect.objectContaining({
          Metric: expect.objectContaining({
            Namespace: 'AWS/Athena',
            MetricName: 'ProcessedBytes',
          }),
          Period: 86_400,
        }),
      }),
    );
    expect(
      alarmNamed(app.template('Lakehouse'), `uns-mlops-${name}-athena-scan-limit`),
    ).toMatchObject({
      Namespace: 'AWS/Athena',
      Dimensions: expect.arrayContaining([{ Name: 'QueryState', Value: 'CANCELED' }]),
    });
  });

  it('prod: the compliance store’s connections limit is the configured 400', async () => {
    const app = await synthesizedApp('prod');
    expect(
      alarmNamed(app.template('ComplianceStore'), 'uns-mlops-prod-compliance-store-connections'),
    ).toMatchObject({ MetricName: 'DatabaseConnections', Threshold: 400 });
  });

  it('prod: the provisioned brokers’ disk and throttling, over every broker', async () => {
    const template = (await synthesizedApp('prod')).template('Streaming');
    const disk = alarmNamed(template, 'uns-mlops-prod-msk-broker-disk');
    expect(disk.Threshold).toBe(80);
    expect(disk.Metrics[0].Expression).toBe(
      `SELECT MAX(KafkaDataLogsDiskUsed) FROM SCHEMA("AWS/Kafka", "Cluster Name", "Broker ID") WHERE "Cluster Name" = 'uns-mlops'`,
    );
    for (const what of ['produce', 'request']) {
      expect(alarmNamed(template, `uns-mlops-prod-msk-${what}-throttling`).Threshold).toBe(100);
    }
  });

  it('dev: MSK Serverless has no broker alarms, only its consumer groups’ lag', async () => {
    const template = (await synthesizedApp('dev')).template('Streaming');
    expect(
      Object.keys(
        template.findResources('AWS::CloudWatch::Alarm', {
          Properties: { AlarmName: 'uns-mlops-dev-msk-broker-disk' },
        }),
      ),
    ).toEqual([]);
    expect(
      alarmNamed(template, 'uns-mlops-dev-msk-uns-mlops-lakehouse-telemetry-lag'),
    ).toMatchObject({
      Namespace: 'AWS/Kafka',
      MetricName: 'EstimatedMaxTimeLag',
      Dimensions: [
        { Name: 'Cluster Name', Value: 'uns-mlops' },
        { Name: 'Consumer Group', Value: 'uns-mlops-lakehouse-telemetry' },
        { Name: 'Topic', Value: 'uns.telemetry' },
      ],
      Threshold: 900,
    });
  });

  it('Greengrass failures: a rule per kind into an encrypted log group, and an alarm on it', async () => {
    const template = (await synthesizedApp('dev')).template('EdgeFleet');
    for (const [kind, detailType] of [
      ['deployment-failed', 'Greengrass V2 Effective Deployment Status Change'],
      ['component-broken', 'Greengrass V2 Installed Component Status Change'],
    ]) {
      const rule = only(template, 'AWS::Events::Rule', {
        Properties: { Name: `uns-mlops-dev-greengrass-${kind}` },
      }).resource.Properties;
      expect(rule.EventPattern).toMatchObject({
        source: ['aws.greengrass'],
        'detail-type': [detailType],
      });
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: `/aws/events/uns-mlops-dev/greengrass-${kind}`,
        KmsKeyId: Match.anyValue(),
      });
      expect(alarmNamed(template, `uns-mlops-dev-greengrass-${kind}`)).toMatchObject({
        Namespace: 'AWS/Events',
        MetricName: 'TriggeredRules',
        Dimensions: [{ Name: 'RuleName', Value: { Ref: expect.any(String) } }],
        Threshold: 0,
      });
    }
  });
});

describe('a rollout gate used on its own', () => {
  const stack = newStack();
  const gate = new RolloutGate(stack, 'Gate', {
    namePrefix: 'uns-mlops-test',
    pipelineAccount: '210987654321',
    logKey: new kms.Key(stack, 'LogKey', { enableKeyRotation: true }),
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const template = Template.fromStack(stack);

  it('notifies a topic of its own, whose key’s data keys its state machine may use', () => {
    const topic = only(template, 'AWS::SNS::Topic');
    const topicKeyArn = topic.resource.Properties.KmsMasterKeyId;
    const role = stack.resolve((gate.stateMachine.role.node.defaultChild as iam.CfnRole).ref);
    const statements = Object.values(
      template.findResources('AWS::IAM::Policy', {
        Properties: { Roles: Match.arrayWith([role]) },
      }),
    ).flatMap((policy: any) => policy.Properties.PolicyDocument.Statement);
    expect(statements).toContainEqual(
      expect.objectContaining({ Action: 'sns:Publish', Resource: { Ref: topic.id } }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: topicKeyArn,
      }),
    );
  });
});

describe('a model rollout given the environment’s alerts', () => {
  it('refuses email addresses of its own: they belong on the alerts’ topic', () => {
    const stack = newStack();
    const props = {
      namePrefix: 'uns-mlops-test',
      steps: [{ name: 'canary', targets: [{ name: 'canary', thingGroup: 'canary' }] }],
      alerts: alerting(new sns.Topic(stack, 'Topic'), 'uns-mlops-test'),
      notificationEmails: ['ops@acme.example'],
    } as unknown as ModelRolloutProps;
    expect(() => new ModelRollout(stack, 'Rollout', props)).toThrow(
      'notificationEmails cannot be given with a topic or alerts: subscribe the addresses to that topic where it is made',
    );
  });
});
