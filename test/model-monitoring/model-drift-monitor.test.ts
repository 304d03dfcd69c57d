import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { alerting } from '../../lib/alerts';
import { stackName } from '../../lib/app';
import { Lakehouse } from '../../lib/lakehouse';
import { MlPipeline } from '../../lib/ml-pipeline';
import { addComplianceChecks } from '../../lib/quality/compliance';
import {
  MODEL_DRIFT_NAMESPACE,
  ModelDriftMonitor,
  type ModelDriftMonitorProps,
} from '../../lib/model-monitoring';
import { newApp } from '../support/app';
import { buildModelMonitoring } from './stacks';
import { cfnLint } from '../support/cfn-lint';
import { byId, fromStack, getAtt } from '../support/resources';

const dev = buildModelMonitoring('dev');
const prod = buildModelMonitoring('prod');
const devTemplate = Template.fromStack(dev.stack);
const prodTemplate = Template.fromStack(prod.stack);

const checkFunction = (template: Template) =>
  byId(template, 'AWS::Lambda::Function', 'DriftMonitorCheck');
const retrainingFunction = (template: Template) =>
  byId(template, 'AWS::Lambda::Function', 'DriftMonitorRetraining');
const statements = (template: Template, policy: string): any[] =>
  byId(template, 'AWS::IAM::ManagedPolicy', `DriftMonitor${policy}Policy`).resource.Properties
    .PolicyDocument.Statement;
const statement = (template: Template, policy: string, sid: string) =>
  statements(template, policy).find((entry) => entry.Sid === sid);
/** The environment's alert topic, from its Alerts stack. */
const topicRef = (template: Template) =>
  fromStack(template === prodTemplate ? 'UnsMlops-Prod-Alerts' : 'UnsMlops-Dev-Alerts');
const queueArn = (template: Template) =>
  getAtt(byId(template, 'AWS::SQS::Queue', 'DriftMonitorDeadLetters').id);
const pipelineArn = (account: string) =>
  `arn:aws:sagemaker:eu-central-1:${account}:pipeline/uns-mlops-anomaly-autoencoder`;

describe('the drift check’s schedule', () => {
  it('runs the check every hour by default, on time, with the scheduled time as its input', () => {
    const schedule = byId(devTemplate, 'AWS::Scheduler::Schedule', 'DriftMonitorSchedule').resource
      .Properties;
    expect(schedule).toMatchObject({
      ScheduleExpression: 'rate(60 minutes)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: {
        Arn: getAtt(checkFunction(devTemplate).id),
        Input: JSON.stringify({ scheduledTime: '<aws.scheduler.scheduled-time>' }),
        RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 3 },
        DeadLetterConfig: { Arn: queueArn(devTemplate) },
      },
    });
  });

  it('follows the configured interval', () => {
    const every15 = buildModelMonitoring('dev', {
      config: (config) => ({
        ...config,
        modelMonitoring: { checkIntervalMinutes: 15, lookbackHours: 1 },
      }),
    });
    const template = Template.fromStack(every15.stack);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(15 minutes)',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'DriftedShare',
      Period: 900,
    });
    expect(checkFunction(template).resource.Properties.Environment.Variables.LOOKBACK_HOURS).toBe(
      '1',
    );
  });

  it('may invoke the check function only, through a role only this account’s scheduler assumes', () => {
    const role = byId(devTemplate, 'AWS::IAM::Role', 'DriftMonitorScheduleRole').resource
      .Properties;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
      },
    ]);
    expect(
      statements(devTemplate, 'Schedule').map(({ Sid, Action, Resource }) => ({
        Sid,
        Action,
        Resource,
      })),
    ).toEqual([
      {
        Sid: 'InvokeDriftCheck',
        Action: 'lambda:InvokeFunction',
        Resource: getAtt(checkFunction(devTemplate).id),
      },
      { Sid: 'SendDeadLetters', Action: 'sqs:SendMessage', Resource: queueArn(devTemplate) },
      expect.objectContaining({ Sid: 'EncryptDeadLetters' }),
    ]);
  });
});

describe('the drift check function', () => {
  it('queries the raw model_drift table for the configured sites and the pipeline’s model', () => {
    const fn = checkFunction(prodTemplate).resource.Properties;
    expect(fn).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: 300,
      ReservedConcurrentExecutions: 1,
      DeadLetterConfig: { TargetArn: queueArn(prodTemplate) },
    });
    expect(fn.Environment.Variables).toEqual({
      METRICS_NAMESPACE: 'UnsMlops/ModelDrift',
      ENVIRONMENT_NAME: 'prod',
      ATHENA_WORKGROUP: fromStack('UnsMlops-Prod-Lakehouse'),
      DRIFT_DATABASE: fromStack('UnsMlops-Prod-Lakehouse'),
      DRIFT_TABLE: fromStack('UnsMlops-Prod-Lakehouse'),
      LOOKBACK_HOURS: '6',
      QUERY_TIMEOUT_SECONDS: '240',
      MONITORED_SITES: 'zwickau,mlada-boleslav',
      MONITORED_MODELS: 'weld-seam-anomaly',
      POWERTOOLS_SERVICE_NAME: 'model-drift-check',
    });
    expect(JSON.stringify(fn.Environment.Variables.DRIFT_TABLE)).toMatch(/Rawmodeldrift/);
    expect(JSON.stringify(fn.Environment.Variables.ATHENA_WORKGROUP)).toMatch(/WorkGroup/);
  });

  it('logs to a group encrypted with the environment’s log key, kept a year', () => {
    const logs = byId(devTemplate, 'AWS::Logs::LogGroup', 'DriftMonitorCheckLogs').resource
      .Properties;
    expect(logs.RetentionInDays).toBe(365);
    expect(logs.KmsKeyId).toEqual(fromStack('UnsMlops-Dev-Network'));
  });

  it('may read only model_drift through Lake Formation: SELECT and DESCRIBE on that raw table', () => {
    const grants = devTemplate.findResources('AWS::LakeFormation::PrincipalPermissions');
    expect(Object.values(grants).map((grant: any) => grant.Properties)).toEqual([
      {
        Principal: {
          DataLakePrincipalIdentifier: getAtt(
            byId(devTemplate, 'AWS::IAM::Role', 'DriftMonitorCheckRole').id,
          ),
        },
        Resource: {
          Table: {
            CatalogId: '111111111111',
            DatabaseName: fromStack('UnsMlops-Dev-Lakehouse'),
            Name: fromStack('UnsMlops-Dev-Lakehouse'),
          },
        },
        Permissions: ['SELECT', 'DESCRIBE'],
        PermissionsWithGrantOption: [],
      },
    ]);
    expect(checkFunction(devTemplate).resource.DependsOn).toEqual(
      expect.arrayContaining([Object.keys(grants)[0]]),
    );
  });

  it('may run queries in the Lakehouse workgroup only, and read only the drift table’s metadata', () => {
    const athena = statement(devTemplate, 'Check', 'RunDriftQueryInWorkGroup');
    expect(athena.Action).toEqual([
      'athena:GetQueryExecution',
      'athena:GetQueryResults',
      'athena:StartQueryExecution',
      'athena:StopQueryExecution',
    ]);
    expect(athena.Resource).toEqual({
      'Fn::Join': [
        '',
        [
          'arn:aws:athena:eu-central-1:111111111111:workgroup/',
          fromStack('UnsMlops-Dev-Lakehouse'),
        ],
      ],
    });
    const glue = statement(devTemplate, 'Check', 'ReadDriftTableMetadata');
    expect(glue.Action.every((action: string) => /^glue:(Get|BatchGet)/.test(action))).toBe(true);
    expect(glue.Resource).toHaveLength(3);
    expect(glue.Resource[0]).toBe('arn:aws:glue:eu-central-1:111111111111:catalog');
    expect(JSON.stringify(glue.Resource[1])).toMatch(/:database\/.*RawDatabase/);
    expect(JSON.stringify(glue.Resource[2])).toMatch(/:table\/.*RawDatabase.*Rawmodeldrift/);
  });

  it('may read and write only the workgroup’s results prefix, with the Lakehouse key', () => {
    const imported = { 'Fn::ImportValue': 'UnsMlops-Dev-Lakehouse-AthenaResultsBucketArn' };
    expect(statement(devTemplate, 'Check', 'LocateResultsBucket').Resource).toEqual(imported);
    expect(statement(devTemplate, 'Check', 'ReadWriteQueryResults').Resource).toEqual({
      'Fn::Join': ['', [imported, '/athena/*']],
    });
    expect(statement(devTemplate, 'Check', 'EncryptDecryptQueryResults')).toMatchObject({
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: fromStack('UnsMlops-Dev-Lakehouse'),
    });
  });

  it('may write metrics into its namespace only', () => {
    expect(statement(devTemplate, 'Check', 'PutDriftMetrics')).toEqual({
      Sid: 'PutDriftMetrics',
      Effect: 'Allow',
      Action: 'cloudwatch:PutMetricData',
      Resource: '*',
      Condition: { StringEquals: { 'cloudwatch:namespace': MODEL_DRIFT_NAMESPACE } },
    });
  });

  it('holds no other wildcard resource than Lake Formation’s data access and metrics, and no AWS managed policy', () => {
    const wildcards = statements(devTemplate, 'Check')
      .filter((entry) => entry.Resource === '*')
      .map((entry) => entry.Sid);
    expect(wildcards).toEqual(['GetLakeFormationDataAccess', 'PutDriftMetrics']);
    const role = byId(devTemplate, 'AWS::IAM::Role', 'DriftMonitorCheckRole').resource.Properties;
    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(role.Policies).toBeUndefined();
  });
});

describe('the drift alarms', () => {
  const alarms = (template: Template) =>
    Object.values(
      template.findResources('AWS::CloudWatch::Alarm', {
        Properties: { MetricName: 'DriftedShare' },
      }),
    ).map((alarm: any) => alarm.Properties);

  it('watch each configured site’s drifted share of the pipeline’s model', () => {
    expect(alarms(prodTemplate).map((alarm) => [alarm.AlarmName, alarm.Dimensions])).toEqual([
      [
        'uns-mlops-prod-model-drift-zwickau',
        [
          { Name: 'Environment', Value: 'prod' },
          { Name: 'Model', Value: 'weld-seam-anomaly' },
          { Name: 'Site', Value: 'zwickau' },
        ],
      ],
      [
        'uns-mlops-prod-model-drift-mlada-boleslav',
        [
          { Name: 'Environment', Value: 'prod' },
          { Name: 'Model', Value: 'weld-seam-anomaly' },
          { Name: 'Site', Value: 'mlada-boleslav' },
        ],
      ],
    ]);
  });

  it('go to ALARM at a share of 0.5 or more in 2 of the last 3 hourly checks; a silent check does not breach', () => {
    for (const alarm of alarms(prodTemplate)) {
      expect(alarm).toMatchObject({
        Namespace: 'UnsMlops/ModelDrift',
        Statistic: 'Maximum',
        Period: 3600,
        Threshold: 0.5,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it('notify the topic when they go to ALARM and back to OK', () => {
    for (const alarm of alarms(devTemplate)) {
      expect(alarm.AlarmActions).toEqual([topicRef(devTemplate)]);
      expect(alarm.OKActions).toEqual([topicRef(devTemplate)]);
    }
  });

  it('are joined by alarms on either function’s errors, notifying the same topic', () => {
    for (const [prefix, fn] of [
      ['DriftMonitorCheckErrorsAlarm', checkFunction(devTemplate)],
      ['DriftMonitorRetrainingErrorsAlarm', retrainingFunction(devTemplate)],
    ] as const) {
      expect(byId(devTemplate, 'AWS::CloudWatch::Alarm', prefix).resource.Properties).toMatchObject(
        {
          Namespace: 'AWS/Lambda',
          MetricName: 'Errors',
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn.id } }],
          Statistic: 'Sum',
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
          AlarmActions: [topicRef(devTemplate)],
        },
      );
    }
  });
});

describe('the notification topic', () => {
  it('is the environment’s: the stack makes none, and its alarms notify the Alerts stack’s topic', () => {
    for (const template of [devTemplate, prodTemplate]) {
      template.resourceCountIs('AWS::SNS::Topic', 0);
      template.resourceCountIs('AWS::SNS::Subscription', 0);
    }
    expect(topicRef(prodTemplate)).toEqual(fromStack('UnsMlops-Prod-Alerts'));
  });

  it('lets CloudWatch alarms publish and EventBridge keep dead letters with the key', () => {
    const keyPolicy = byId(devTemplate, 'AWS::KMS::Key', 'DriftMonitorKey').resource.Properties
      .KeyPolicy.Statement;
    expect(keyPolicy).toContainEqual({
      Effect: 'Allow',
      Principal: { Service: ['cloudwatch.amazonaws.com', 'events.amazonaws.com'] },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
    });
  });
});

describe('the throttle and dead-letter alarms', () => {
  it('watch both functions’ throttles and any message left in the dead-letter queue', () => {
    const alarm = (name: string) =>
      Object.values(
        devTemplate.findResources('AWS::CloudWatch::Alarm', {
          Properties: { AlarmName: `uns-mlops-dev-${name}` },
        }),
      ).map((found: any) => found.Properties)[0];
    for (const [name, fn] of [
      ['drift-check-throttles', checkFunction(devTemplate)],
      ['drift-retraining-throttles', retrainingFunction(devTemplate)],
    ] as const) {
      expect(alarm(name)).toMatchObject({
        MetricName: 'Throttles',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn.id } }],
        Threshold: 0,
        AlarmActions: [topicRef(devTemplate)],
      });
    }
    expect(alarm('drift-dead-letters')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: getAtt(
            byId(devTemplate, 'AWS::SQS::Queue', 'DriftMonitorDeadLetters').id,
            'QueueName',
          ),
        },
      ],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [topicRef(devTemplate)],
    });
  });
});

describe('the retraining trigger', () => {
  const rule = () =>
    byId(prodTemplate, 'AWS::Events::Rule', 'DriftMonitorRetrainingRule').resource.Properties;

  it('is started by the drift alarms going to ALARM, and by nothing else', () => {
    const driftAlarmIds = Object.keys(
      prodTemplate.findResources('AWS::CloudWatch::Alarm', {
        Properties: { MetricName: 'DriftedShare' },
      }),
    );
    expect(rule().EventPattern).toEqual({
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      resources: driftAlarmIds.map((id) => getAtt(id)),
      detail: { state: { value: ['ALARM'] } },
    });
  });

  it('targets the retraining function, with retries and the dead-letter queue', () => {
    expect(rule().Targets).toEqual([
      {
        Id: 'Target0',
        Arn: getAtt(retrainingFunction(prodTemplate).id),
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 7200 },
        DeadLetterConfig: { Arn: queueArn(prodTemplate) },
      },
    ]);
    prodTemplate.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: getAtt(retrainingFunction(prodTemplate).id),
      Principal: 'events.amazonaws.com',
      SourceArn: getAtt(byId(prodTemplate, 'AWS::Events::Rule', 'DriftMonitorRetrainingRule').id),
    });
  });

  it('runs one invocation at a time with the pipeline, the model and the configured cooldown', () => {
    const fn = retrainingFunction(prodTemplate).resource.Properties;
    expect(fn.ReservedConcurrentExecutions).toBe(1);
    expect(fn.DeadLetterConfig).toEqual({ TargetArn: queueArn(prodTemplate) });
    expect(fn.Environment.Variables).toEqual({
      METRICS_NAMESPACE: 'UnsMlops/ModelDrift',
      ENVIRONMENT_NAME: 'prod',
      PIPELINE_NAME: 'uns-mlops-anomaly-autoencoder',
      MODEL_NAME: 'weld-seam-anomaly',
      RETRAINING_COOLDOWN_HOURS: '48',
      POWERTOOLS_SERVICE_NAME: 'model-drift-check-retraining',
    });
    expect(
      retrainingFunction(devTemplate).resource.Properties.Environment.Variables
        .RETRAINING_COOLDOWN_HOURS,
    ).toBe('24');
  });

  it('may list and start executions of the one pipeline, and write metrics into its namespace', () => {
    expect(statement(prodTemplate, 'Retraining', 'StartRetraining')).toEqual({
      Sid: 'StartRetraining',
      Effect: 'Allow',
      Action: ['sagemaker:ListPipelineExecutions', 'sagemaker:StartPipelineExecution'],
      Resource: pipelineArn('222222222222'),
    });
    expect(statement(prodTemplate, 'Retraining', 'PutDriftMetrics').Condition).toEqual({
      StringEquals: { 'cloudwatch:namespace': MODEL_DRIFT_NAMESPACE },
    });
    expect(
      statements(prodTemplate, 'Retraining')
        .filter((entry) => entry.Resource === '*')
        .map((entry) => entry.Sid),
    ).toEqual(['PutDriftMetrics']);
  });
});

describe('the dead-letter queue', () => {
  it('is encrypted with the monitor’s key, refuses requests without TLS and keeps messages 14 days', () => {
    const queue = byId(devTemplate, 'AWS::SQS::Queue', 'DriftMonitorDeadLetters').resource;
    expect(queue.Properties).toMatchObject({
      KmsMasterKeyId: getAtt(byId(devTemplate, 'AWS::KMS::Key', 'DriftMonitorKey').id),
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    devTemplate.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('is kept with its key in prod and goes with the stack in dev', () => {
    expect(
      byId(prodTemplate, 'AWS::SQS::Queue', 'DriftMonitorDeadLetters').resource.DeletionPolicy,
    ).toBe('Retain');
    expect(
      byId(devTemplate, 'AWS::SQS::Queue', 'DriftMonitorDeadLetters').resource.DeletionPolicy,
    ).toBe('Delete');
    expect(byId(prodTemplate, 'AWS::KMS::Key', 'DriftMonitorKey').resource.DeletionPolicy).toBe(
      'Retain',
    );
  });
});

describe('ModelDriftMonitor props', () => {
  const props = (overrides: Partial<ModelDriftMonitorProps>): ModelDriftMonitorProps => ({
    environmentName: 'dev',
    lakehouse: dev.lakehouse.lakehouse,
    mlPipeline: dev.mlPipeline.mlPipeline,
    siteIds: ['zwickau'],
    logKey: dev.network.network.logKey,
    ...overrides,
  });

  it('rejects invalid props before creating anything, listing them all', () => {
    const stack = new Stack(newApp(), 'Invalid');
    expect(
      () =>
        new ModelDriftMonitor(
          stack,
          'Monitor',
          props({
            checkIntervalMinutes: 2,
            driftedShareThreshold: 0,
            alarmEvaluationPeriods: 2,
            alarmDatapointsToAlarm: 3,
            retrainingCooldownHours: -1,
            notificationEmails: ['ops'],
            alerts: alerting(
              new sns.Topic(stack, 'Topic', { masterKey: new kms.Key(stack, 'Key') }),
              'test',
            ),
            retrainingParameters: { Epochs: '30', TrainingWindow: '7d' },
            siteIds: [],
          }),
        ),
    ).toThrow(
      [
        'Invalid/Monitor: invalid model drift monitor props:',
        '  - checkIntervalMinutes (2) must be a whole number in 5-1440',
        '  - driftedShareThreshold (0) must be a share above 0 and at most 1 (0.5 is half of the evaluations)',
        '  - retrainingCooldownHours (-1) must be a number of hours above 0, at most 720',
        '  - alarmDatapointsToAlarm (3) must be at most alarmEvaluationPeriods (2)',
        '  - notificationEmails: "ops" is not an email address',
        "  - notificationEmails and alerts cannot be given together: subscribe the addresses to the alerts' topic where it is made",
        '  - siteIds must list at least one site',
        `  - retrainingParameters: "TrainingWindow" is not a parameter of pipeline uns-mlops-anomaly-autoencoder (${dev.mlPipeline.mlPipeline.definition.parameters.map((p) => p.name).join(', ')})`,
      ].join('\n'),
    );
    expect(stack.node.tryFindChild('Monitor')?.node.children ?? []).toHaveLength(0);
  });

  it('works in one stack with the Lakehouse and the pipeline, passing the retraining parameters', () => {
    const app = newApp({ outdir: mkdtempSync(join(tmpdir(), 'model-monitoring-one-stack-')) });
    const stack = new Stack(app, 'AllInOne', {
      env: { account: '123456789012', region: 'eu-central-1' },
    });
    const lakehouse = new Lakehouse(stack, 'Lakehouse', { siteIds: ['zwickau'] });
    const mlPipeline = new MlPipeline(stack, 'MlPipeline', { lakehouse });
    new ModelDriftMonitor(stack, 'Monitor', {
      environmentName: 'test',
      lakehouse,
      mlPipeline,
      siteIds: ['zwickau'],
      logKey: new kms.Key(stack, 'LogKey', { enableKeyRotation: true }),
      retrainingParameters: { Epochs: '30' },
    });
    addComplianceChecks(app);
    expect(() => app.synth()).not.toThrow();
    const template = Template.fromStack(stack);
    const fn = byId(template, 'AWS::Lambda::Function', 'MonitorRetraining');
    expect(fn.resource.Properties.Environment.Variables.PIPELINE_PARAMETERS).toBe(
      '{"Epochs":"30"}',
    );
    // Alone, the monitor has a topic of its own, encrypted with its rotating key.
    const topic = byId(template, 'AWS::SNS::Topic', 'MonitorNotifications').resource.Properties;
    expect(topic.KmsMasterKeyId).toEqual(getAtt(byId(template, 'AWS::KMS::Key', 'MonitorKey').id));
    const results = byId(
      template,
      'AWS::IAM::ManagedPolicy',
      'MonitorCheckPolicy',
    ).resource.Properties.PolicyDocument.Statement.find(
      (entry: any) => entry.Sid === 'ReadWriteQueryResults',
    );
    expect(results.Resource).toEqual({
      'Fn::Join': [
        '',
        [
          getAtt(byId(template, 'AWS::S3::Bucket', 'LakehouseStorageAthenaResults').id),
          '/athena/*',
        ],
      ],
    });
  });
});

describe.each(['dev', 'prod'])('the %s model monitoring stack', (name) => {
  // A fresh app: synthesis runs the compliance checks once, on the first synth.
  const built = buildModelMonitoring(name);
  const synth = built.synth;

  it('synthesizes with no unacknowledged cdk-nag finding (AwsSolutions, NIST 800-53 rev 5)', () => {
    expect(() => synth()).not.toThrow();
  });

  it('passes cfn-lint with no error or warning, with the Lakehouse stack it exports from', () => {
    expect(cfnLint(built.templateFiles(built.stack, built.lakehouse))).toEqual({
      status: 0,
      findings: '',
      error: '',
    });
  });

  it('deploys after the alerts, the Lakehouse, the network and the ML pipeline', () => {
    expect(built.stack.dependencies.map((stack) => stack.stackName).sort()).toEqual(
      ['Alerts', 'Lakehouse', 'Network', 'MlPipeline']
        .map((part) => stackName(built.config, part))
        .sort(),
    );
  });

  it('bundles each function from its own entry of the model-drift-check workspace', () => {
    const outdir = synth();
    const template = JSON.parse(
      readFileSync(join(outdir, `${built.stack.artifactId}.template.json`), 'utf8'),
    );
    const bundle = (prefix: string) => {
      const [, fn] = Object.entries<any>(template.Resources).find(
        ([id, resource]) => id.startsWith(prefix) && resource.Type === 'AWS::Lambda::Function',
      )!;
      const asset = join(outdir, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
      expect(readdirSync(asset)).toContain('index.js');
      return readFileSync(join(asset, 'index.js'), 'utf8');
    };
    expect(bundle('DriftMonitorCheck')).toContain('StartQueryExecution');
    expect(bundle('DriftMonitorCheck')).not.toContain('StartPipelineExecution');
    expect(bundle('DriftMonitorRetraining')).toContain('StartPipelineExecution');
    expect(bundle('DriftMonitorRetraining')).not.toContain('StartQueryExecution');
  });
});
