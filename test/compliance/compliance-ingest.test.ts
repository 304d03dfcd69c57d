import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { stackName } from '../../lib/app';
import {
  COMPLIANCE_METRICS_NAMESPACE,
  ComplianceIngest,
  INGEST_CONSUMER_GROUP,
  VALIDATION_SUMMARIES_CONSUMER_GROUP,
} from '../../lib/compliance';
import { ComplianceIngestStack } from '../../lib/stacks/compliance-ingest-stack';
import { ComplianceStoreStack } from '../../lib/stacks/compliance-store-stack';
import { LakehouseStack } from '../../lib/stacks/lakehouse-stack';
import { NetworkStack } from '../../lib/stacks/network-stack';
import { StreamingStack } from '../../lib/stacks/streaming-stack';
import { newApp } from '../support/app';
import { cfnLint } from '../support/cfn-lint';
import { environmentApp } from '../support/environment-app';
import { byId, fromStack, getAtt, only } from '../support/resources';

/**
 * An environment's ingestion stack with the stacks it builds on, as `addPlatformStacks` builds
 * them, with the compliance checks registered; synthesized into `outdir` by `synth()`.
 */
function buildIngest(name: string) {
  const built = environmentApp(name);
  const lakehouse = built.addStack(LakehouseStack, 'Lakehouse', {});
  const network = built.addStack(NetworkStack, 'Network', {});
  const store = built.addStack(ComplianceStoreStack, 'ComplianceStore', {
    network: network.network,
  });
  const streaming = built.addStack(StreamingStack, 'Streaming', {
    network: network.network,
    lakehouse: lakehouse.lakehouse,
  });
  const stack = built.addStack(ComplianceIngestStack, 'ComplianceIngest', {
    network: network.network,
    streaming: streaming.streaming,
    store: store.store,
    lakehouse: lakehouse.lakehouse,
  });
  return { ...built, lakehouse, network, store, streaming, stack };
}

const dev = buildIngest('dev');
const prod = buildIngest('prod');
const devTemplate = Template.fromStack(dev.stack);
const prodTemplate = Template.fromStack(prod.stack);

const ingestFunction = (template: Template) =>
  byId(template, 'AWS::Lambda::Function', 'Ingest').resource.Properties;
const ingestMapping = (template: Template) =>
  byId(template, 'AWS::Lambda::EventSourceMapping', 'IngestSource');
const ingestStatements = (template: Template): any[] =>
  byId(template, 'AWS::IAM::ManagedPolicy', 'IngestIngestPolicy').resource.Properties.PolicyDocument
    .Statement;
const statement = (template: Template, sid: string) =>
  ingestStatements(template).find((entry) => entry.Sid === sid);
const deadLetters = (template: Template) => byId(template, 'AWS::S3::Bucket', 'IngestDeadLetters');
/**
 * An ARN the template imports from another stack's export (strong cross-stack reference), as
 * CloudFormation documents Fn::Split over it.
 */
const importedFrom = (stack: string) => ({
  'Fn::ImportValue': expect.stringMatching(new RegExp(`^${stack}:`)),
});
/** `arn:…:kafka:…:<type>/uns-mlops/<cluster uuid from the streaming stack>/<name>`. */
const clusterArnOf = (account: string, type: string, name: string) => ({
  'Fn::Join': [
    '',
    [
      `arn:aws:kafka:eu-central-1:${account}:${type}/uns-mlops/`,
      { 'Fn::Select': [2, { 'Fn::Split': ['/', importedFrom('UnsMlops-Dev-Streaming')] }] },
      `/${name}`,
    ],
  ],
});

describe('the validation-ingest function', () => {
  it('runs validation-ingest on Node.js 24 in the private subnets, in its own group and the store’s client group', () => {
    const fn = ingestFunction(devTemplate);
    expect(fn.Runtime).toBe('nodejs24.x');
    expect(fn.Architectures).toEqual(['arm64']);
    expect(JSON.stringify(fn.VpcConfig.SubnetIds)).toMatch(/privateSubnet/);
    expect(fn.VpcConfig.SecurityGroupIds).toEqual([
      getAtt(byId(devTemplate, 'AWS::EC2::SecurityGroup', 'IngestSecurityGroup').id, 'GroupId'),
      fromStack('UnsMlops-Dev-ComplianceStore'),
    ]);
    expect(JSON.stringify(fn.VpcConfig.SecurityGroupIds[1])).toMatch(/ClientSecurityGroup/);
  });

  it('connects through the proxy as validation_ingest, TLS verified against the RDS CA bundle', () => {
    expect(ingestFunction(devTemplate).Environment.Variables).toEqual({
      DB_HOST: fromStack('UnsMlops-Dev-ComplianceStore'),
      DB_PORT: '5432',
      DB_NAME: 'uns_validation',
      DB_USER: 'validation_ingest',
      METRICS_NAMESPACE: COMPLIANCE_METRICS_NAMESPACE,
      HEADER_MQTT_TOPIC: 'uns-topic',
      QUARANTINE_PREFIX: '_quarantine',
      NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
      POWERTOOLS_SERVICE_NAME: 'validation-ingest',
      POWERTOOLS_METRICS_NAMESPACE: COMPLIANCE_METRICS_NAMESPACE,
    });
    expect(JSON.stringify(ingestFunction(devTemplate).Environment.Variables.DB_HOST)).toMatch(
      /ProxyEndpoint|Proxy.*Endpoint/,
    );
  });

  it('runs at most one invocation per partition of uns.validation', () => {
    expect(ingestFunction(devTemplate).ReservedConcurrentExecutions).toBe(
      dev.streaming.streaming.partitions['uns.validation'],
    );
    expect(ingestFunction(prodTemplate).ReservedConcurrentExecutions).toBe(
      prod.streaming.streaming.partitions['uns.validation'],
    );
  });

  it('has no network access of its own: its group has no ingress and denies all egress', () => {
    const group = byId(devTemplate, 'AWS::EC2::SecurityGroup', 'IngestSecurityGroup').resource;
    expect(group.Properties.SecurityGroupIngress).toBeUndefined();
    expect(group.Properties.SecurityGroupEgress).toEqual([
      expect.objectContaining({
        CidrIp: '255.255.255.255/32',
        Description: 'Disallow all traffic',
      }),
    ]);
  });
});

describe('the MSK event source mapping of the ingestion', () => {
  it('reads uns.validation with its own consumer group, from the oldest record', () => {
    const { Properties } = ingestMapping(devTemplate).resource;
    expect(Properties).toMatchObject({
      EventSourceArn: fromStack('UnsMlops-Dev-Streaming'),
      Topics: ['uns.validation'],
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: INGEST_CONSUMER_GROUP },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 5,
    });
    expect(INGEST_CONSUMER_GROUP).toBe('uns-mlops-compliance-ingest');
  });

  it('reports partial batch failures, retries 10 times without splitting and keeps what fails in the dead-letter bucket', () => {
    for (const template of [devTemplate, prodTemplate]) {
      const { Properties } = ingestMapping(template).resource;
      expect(Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      expect(Properties.MaximumRetryAttempts).toBe(10);
      expect(Properties.BisectBatchOnFunctionError).toBe(false);
      expect(Properties.DestinationConfig).toEqual({
        OnFailure: { Destination: getAtt(deadLetters(template).id) },
      });
    }
  });

  it('runs in provisioned mode, which the error-handling controls need, with 1 to 2 pollers', () => {
    expect(ingestMapping(prodTemplate).resource.Properties.ProvisionedPollerConfig).toEqual({
      MinimumPollers: 1,
      MaximumPollers: 2,
    });
  });

  it('starts only once its rights exist', () => {
    const policy = byId(devTemplate, 'AWS::IAM::ManagedPolicy', 'IngestIngestPolicy').id;
    expect(ingestMapping(devTemplate).resource.DependsOn).toContain(policy);
  });

  it('lets the mapping’s pollers, in the cluster’s group, out on HTTPS to S3 for the dead letters, by a rule of this stack', () => {
    const { Properties } = only(devTemplate, 'AWS::EC2::SecurityGroupEgress').resource;
    expect(Properties).toEqual({
      GroupId: fromStack('UnsMlops-Dev-Streaming'),
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      CidrIp: '0.0.0.0/0',
      Description: 'Lambda event source mapping pollers: dead letters to S3 (gateway endpoint)',
    });
    expect(JSON.stringify(Properties.GroupId)).toMatch(/KafkaBrokers/);
  });
});

describe('the ingestion’s rights', () => {
  it('read only uns.validation and commit only its own consumer group of this cluster', () => {
    expect(statement(devTemplate, 'ReadTopics')).toEqual({
      Sid: 'ReadTopics',
      Effect: 'Allow',
      Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
      Resource: clusterArnOf('111111111111', 'topic', 'uns.validation'),
    });
    expect(statement(devTemplate, 'CommitConsumerGroupOffsets')).toEqual({
      Sid: 'CommitConsumerGroupOffsets',
      Effect: 'Allow',
      Action: ['kafka-cluster:AlterGroup', 'kafka-cluster:DescribeGroup'],
      Resource: clusterArnOf('111111111111', 'group', INGEST_CONSUMER_GROUP),
    });
    expect(statement(devTemplate, 'ConnectAndLocateBrokers').Resource).toEqual(
      fromStack('UnsMlops-Dev-Streaming'),
    );
  });

  it('connect to the store as validation_ingest through this proxy only', () => {
    expect(statement(devTemplate, 'ConnectToComplianceStore')).toEqual({
      Sid: 'ConnectToComplianceStore',
      Effect: 'Allow',
      Action: 'rds-db:connect',
      Resource: {
        'Fn::Join': [
          '',
          [
            'arn:aws:rds-db:eu-central-1:111111111111:dbuser:',
            {
              'Fn::Select': [
                6,
                { 'Fn::Split': [':', importedFrom('UnsMlops-Dev-ComplianceStore')] },
              ],
            },
            '/validation_ingest',
          ],
        ],
      },
    });
  });

  it('write dead letters only: list the bucket, put objects, a data key through S3 for that bucket', () => {
    const bucket = deadLetters(devTemplate).id;
    const key = byId(devTemplate, 'AWS::KMS::Key', 'IngestDeadLetterKey').id;
    expect(statement(devTemplate, 'ListDeadLetters')).toMatchObject({
      Action: 's3:ListBucket',
      Resource: getAtt(bucket),
    });
    expect(statement(devTemplate, 'WriteDeadLetters')).toMatchObject({
      Action: 's3:PutObject',
      Resource: { 'Fn::Join': ['', [getAtt(bucket), '/*']] },
    });
    expect(statement(devTemplate, 'EncryptDeadLetters')).toEqual({
      Sid: 'EncryptDeadLetters',
      Effect: 'Allow',
      Action: 'kms:GenerateDataKey',
      Resource: getAtt(key),
      Condition: {
        StringEquals: {
          'kms:ViaService': 's3.eu-central-1.amazonaws.com',
          'kms:EncryptionContext:aws:s3:arn': getAtt(bucket),
        },
      },
    });
  });

  it('hold no other wildcard than the VPC network interfaces, and no AWS managed policy', () => {
    const wildcards = ingestStatements(devTemplate)
      .filter((entry) => entry.Resource === '*')
      .map((entry) => entry.Sid);
    expect(wildcards).toEqual(['ManageVpcNetworkInterfaces']);
    const role = byId(devTemplate, 'AWS::IAM::Role', 'IngestIngestRole').resource.Properties;
    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(role.Policies).toBeUndefined();
  });
});

describe('the dead-letter bucket', () => {
  const bucketPolicy = (template: Template) =>
    byId(template, 'AWS::S3::BucketPolicy', 'IngestDeadLettersPolicy').resource.Properties
      .PolicyDocument.Statement;

  it('encrypts with a customer-managed key that rotates, and an S3 bucket key', () => {
    const key = byId(prodTemplate, 'AWS::KMS::Key', 'IngestDeadLetterKey');
    expect(key.resource.Properties.EnableKeyRotation).toBe(true);
    expect(
      deadLetters(prodTemplate).resource.Properties.BucketEncryption
        .ServerSideEncryptionConfiguration,
    ).toEqual([
      {
        BucketKeyEnabled: true,
        ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: getAtt(key.id) },
      },
    ]);
  });

  it('refuses requests without TLS or below TLS 1.2', () => {
    const denials = bucketPolicy(prodTemplate).filter((entry: any) => entry.Effect === 'Deny');
    expect(denials.map((entry: any) => entry.Condition)).toEqual([
      { Bool: { 'aws:SecureTransport': 'false' } },
      { NumericLessThan: { 's3:TlsVersion': 1.2 } },
    ]);
    expect(denials.every((entry: any) => entry.Action === 's3:*')).toBe(true);
  });

  it('blocks public access, disables ACLs, keeps versions and logs its accesses to a bucket of its own', () => {
    const { Properties } = deadLetters(prodTemplate).resource;
    expect(Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(Properties.OwnershipControls).toEqual({
      Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }],
    });
    expect(Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(Properties.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: byId(prodTemplate, 'AWS::S3::Bucket', 'IngestAccessLogs').id },
      LogFilePrefix: 'dead-letters/',
    });
  });

  it('expires dead letters after a year, their replaced versions after 30 days, stale uploads after 7', () => {
    expect(deadLetters(prodTemplate).resource.Properties.LifecycleConfiguration.Rules).toEqual([
      {
        Id: 'abort-incomplete-multipart-uploads',
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
        Status: 'Enabled',
      },
      {
        Id: 'expire-dead-letters',
        ExpirationInDays: 365,
        NoncurrentVersionExpiration: { NoncurrentDays: 30 },
        Status: 'Enabled',
      },
    ]);
  });

  it('is kept with its key in prod and goes with the stack in dev', () => {
    expect(deadLetters(prodTemplate).resource.DeletionPolicy).toBe('Retain');
    expect(byId(prodTemplate, 'AWS::KMS::Key', 'IngestDeadLetterKey').resource.DeletionPolicy).toBe(
      'Retain',
    );
    expect(deadLetters(devTemplate).resource.DeletionPolicy).toBe('Delete');
  });
});

describe('the ingestion’s alarms', () => {
  const alarm = (template: Template, prefix: string) =>
    byId(template, 'AWS::CloudWatch::Alarm', prefix).resource.Properties;

  it('alarm on poison records of any reason, from the function’s own metrics', () => {
    expect(alarm(devTemplate, 'IngestPoisonRecordsAlarm')).toMatchObject({
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      Metrics: [
        {
          Id: 'expr_1',
          Expression:
            'SELECT SUM(PoisonRecords) FROM SCHEMA("UnsMlops/Compliance", Reason, service) WHERE service = \'validation-ingest\'',
          Period: 300,
          ReturnData: true,
        },
      ],
    });
  });

  it('alarm on the function’s errors: batches that failed and are retried', () => {
    const fn = byId(devTemplate, 'AWS::Lambda::Function', 'Ingest').id;
    expect(alarm(devTemplate, 'IngestvalidationingestalarmsErrors')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn } }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('notify the environment’s alert topic, on ALARM and back to OK', () => {
    for (const prefix of ['IngestPoisonRecordsAlarm', 'IngestvalidationingestalarmsErrors']) {
      expect(alarm(devTemplate, prefix).AlarmActions).toEqual([fromStack('UnsMlops-Dev-Alerts')]);
      expect(alarm(devTemplate, prefix).OKActions).toEqual([fromStack('UnsMlops-Dev-Alerts')]);
    }
  });

  it('watch the lag of its consumer group on the cluster, and the function’s offset lag', () => {
    devTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'uns-mlops-dev-msk-uns-mlops-compliance-ingest-lag',
      Namespace: 'AWS/Kafka',
      MetricName: 'EstimatedMaxTimeLag',
      Dimensions: Match.arrayWith([
        { Name: 'Consumer Group', Value: 'uns-mlops-compliance-ingest' },
        { Name: 'Topic', Value: 'uns.validation' },
      ]),
    });
    devTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'uns-mlops-dev-validation-ingest-offset-lag',
      MetricName: 'OffsetLag',
      Threshold: 10_000,
    });
  });
});

describe('the compliance summaries into the Lakehouse', () => {
  const stream = (template: Template) =>
    only(template, 'AWS::KinesisFirehose::DeliveryStream').resource.Properties
      .ExtendedS3DestinationConfiguration;
  const flattener = (template: Template) =>
    byId(template, 'AWS::Lambda::Function', 'SummariesDeliveryFlattener');

  it('converts into Parquet from the raw validation_summaries table, partitioned by site and day', () => {
    const destination = stream(devTemplate);
    expect(destination.Prefix).toBe(
      'validation_summaries/site=!{partitionKeyFromQuery:site}/dt=!{partitionKeyFromQuery:dt}/',
    );
    expect(destination.ErrorOutputPrefix).toBe(
      'errors/validation_summaries/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/',
    );
    expect(destination.DataFormatConversionConfiguration).toMatchObject({
      Enabled: true,
      OutputFormatConfiguration: { Serializer: { ParquetSerDe: { Compression: 'SNAPPY' } } },
      SchemaConfiguration: { TableName: 'validation_summaries', VersionId: 'LATEST' },
    });
    expect(destination.BucketARN).toEqual(fromStack('UnsMlops-Dev-Lakehouse'));
  });

  it('encrypts the stream and the delivered objects with the Lakehouse key', () => {
    const { Properties } = only(devTemplate, 'AWS::KinesisFirehose::DeliveryStream').resource;
    expect(Properties.DeliveryStreamEncryptionConfigurationInput.KeyType).toBe(
      'CUSTOMER_MANAGED_CMK',
    );
    expect(JSON.stringify(stream(devTemplate).EncryptionConfiguration)).toMatch(/Lakehouse.*Key/);
  });

  it('feeds its own flattener from uns.validation with its own consumer group, in on-demand mode', () => {
    const { Properties } = byId(
      devTemplate,
      'AWS::Lambda::EventSourceMapping',
      'SummariesDeliveryFlattenerValidationSource',
    ).resource;
    expect(Properties).toMatchObject({
      Topics: ['uns.validation'],
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: VALIDATION_SUMMARIES_CONSUMER_GROUP },
      StartingPosition: 'TRIM_HORIZON',
    });
    expect(Properties.ProvisionedPollerConfig).toBeUndefined();
    expect(VALIDATION_SUMMARIES_CONSUMER_GROUP).not.toBe(INGEST_CONSUMER_GROUP);
  });

  it('runs the summaries entry of the flattener workspace in the private subnets, HTTPS out only', () => {
    const { Properties } = flattener(devTemplate).resource;
    expect(Properties.Environment.Variables).toMatchObject({
      POWERTOOLS_SERVICE_NAME: 'validation-summaries-flattener',
      REJECTS_PREFIX: 'errors/validation_summaries/rejected/',
      HEADER_MQTT_TOPIC: 'uns-topic',
    });
    expect(JSON.stringify(Properties.VpcConfig.SubnetIds)).toMatch(/privateSubnet/);
    const group = byId(devTemplate, 'AWS::EC2::SecurityGroup', 'SummariesDeliveryFlattener');
    expect(group.resource.Properties.SecurityGroupEgress).toEqual([
      expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }),
    ]);
  });

  it('lets Firehose write only the table’s and its errors’ prefixes and describe only that table', () => {
    const statements = byId(
      devTemplate,
      'AWS::IAM::ManagedPolicy',
      'SummariesDeliveryDeliveryPolicy',
    ).resource.Properties.PolicyDocument.Statement;
    const write = statements.find(
      (entry: any) => entry.Sid === 'WriteValidationSummariesAndErrors',
    );
    expect(write.Resource).toEqual(
      ['errors/validation_summaries/*', 'validation_summaries/*'].map((pattern) => ({
        'Fn::Join': [
          '',
          [{ 'Fn::ImportValue': 'UnsMlops-Dev-Lakehouse-RawBucketArn' }, `/${pattern}`],
        ],
      })),
    );
    const grant = only(devTemplate, 'AWS::LakeFormation::PrincipalPermissions').resource.Properties;
    expect(grant.Permissions).toEqual(['DESCRIBE']);
    expect(grant.Resource.Table.Name).toBe('validation_summaries');
  });

  it('lets the flattener read uns.validation, commit its own group and put into its own stream only', () => {
    const statements = byId(
      devTemplate,
      'AWS::IAM::ManagedPolicy',
      'SummariesDeliveryFlattenerPolicy',
    ).resource.Properties.PolicyDocument.Statement;
    const bySid = (sid: string) => statements.find((entry: any) => entry.Sid === sid);
    expect(bySid('ReadTopics').Resource).toEqual(
      clusterArnOf('111111111111', 'topic', 'uns.validation'),
    );
    expect(bySid('CommitConsumerGroupOffsets').Resource).toEqual(
      clusterArnOf('111111111111', 'group', VALIDATION_SUMMARIES_CONSUMER_GROUP),
    );
    expect(bySid('PutRowsIntoDeliveryStream').Resource).toEqual(
      getAtt(only(devTemplate, 'AWS::KinesisFirehose::DeliveryStream').id),
    );
    expect(JSON.stringify(bySid('KeepRejectedRecords').Resource)).toMatch(
      /errors\/validation_summaries\/rejected\/\*/,
    );
  });
});

describe('ComplianceIngest settings', () => {
  it('rejects invalid settings before creating anything, listing them all', () => {
    const stack = new Stack(newApp(), 'Invalid');
    expect(
      () =>
        new ComplianceIngest(stack, 'Ingest', {
          store: dev.store.store,
          cluster: dev.streaming.streaming.cluster,
          topicPartitions: 3,
          vpc: new ec2.Vpc(stack, 'Vpc', { natGateways: 0, maxAzs: 2 }),
          logKey: dev.network.network.logKey,
          retryAttempts: 11,
          batchSize: 0,
          minimumPollers: 3,
          maximumPollers: 2,
        }),
    ).toThrow(
      [
        'Invalid/Ingest: invalid compliance ingestion props:',
        '  - batchSize (0) must be a whole number in 1-10000',
        '  - retryAttempts (11) must be a whole number in 0-10',
        '  - maximumPollers (2) must be at least minimumPollers (3)',
      ].join('\n'),
    );
    expect(stack.node.tryFindChild('Ingest')?.node.children ?? []).toHaveLength(0);
  });
});

describe.each(['dev', 'prod'])('the %s compliance ingestion stack', (name) => {
  // A fresh app: synthesis runs the compliance checks once, on the first synth.
  const built = buildIngest(name);
  const synth = built.synth;

  it('synthesizes with no unacknowledged cdk-nag finding (AwsSolutions, NIST 800-53 rev 5)', () => {
    expect(() => synth()).not.toThrow();
  });

  it('passes cfn-lint with no error or warning, with the stacks it changes', () => {
    expect(cfnLint(built.templateFiles(built.stack, built.store, built.streaming))).toEqual({
      status: 0,
      findings: '',
      error: '',
    });
  });

  it('deploys after the alerts, the network, the Lakehouse, the streaming path and the store', () => {
    expect(built.stack.dependencies.map((stack) => stack.stackName).sort()).toEqual(
      ['Alerts', 'Lakehouse', 'Network', 'Streaming', 'ComplianceStore']
        .map((part) => stackName(built.config, part))
        .sort(),
    );
  });

  it('bundles the summaries flattener from its own entry of the flattener workspace', () => {
    const outdir = synth();
    const template = JSON.parse(
      readFileSync(join(outdir, `${built.stack.artifactId}.template.json`), 'utf8'),
    );
    const [, fn] = Object.entries<any>(template.Resources).find(
      ([id, resource]) =>
        id.startsWith('SummariesDeliveryFlattener') && resource.Type === 'AWS::Lambda::Function',
    )!;
    const asset = join(outdir, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
    const bundle = readFileSync(join(asset, 'index.js'), 'utf8');
    expect(bundle).toContain('validation-summaries-flattener');
    expect(readdirSync(asset)).toContain('index.js');
  });

  it('matches the snapshot', () => {
    expect(Template.fromStack(built.stack).toJSON()).toMatchSnapshot();
  });
});
