import { type Template, Match } from 'aws-cdk-lib/assertions';
import {
  DEAD_LETTER_TOPIC,
  MSK_IAM_PORT,
  SERVERLESS_TOPICS_RESOURCE_TYPE,
  UNS_KAFKA_TOPICS,
} from '../../lib/streaming';
import { synthesizedApp, type SynthesizedApp } from '../support/assembly';

let dev: SynthesizedApp;
let devStreaming: Template;
let prodStreaming: Template;
let devNetwork: Template;

beforeAll(async () => {
  dev = await synthesizedApp('dev');
  devStreaming = dev.template('Streaming');
  prodStreaming = (await synthesizedApp('prod')).template('Streaming');
  devNetwork = dev.template('Network');
});

/** The properties of the one resource of a type (matching `props`) in a template. */
function onlyResource(template: Template, type: string, props?: object): any {
  const found = Object.values(template.findResources(type, props));
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0]!.Properties;
}

/** Every statement of the managed policy whose logical id starts with the given prefix. */
function statementsOf(template: Template, idPrefix: string): any[] {
  const policies = template.findResources('AWS::IAM::ManagedPolicy');
  const [id] = Object.keys(policies).filter((key) => key.startsWith(idPrefix));
  if (id === undefined) throw new Error(`no managed policy ${idPrefix}*`);
  return policies[id]!.Properties.PolicyDocument.Statement;
}

function statement(template: Template, idPrefix: string, sid: string): any {
  const found = statementsOf(template, idPrefix).find((entry) => entry.Sid === sid);
  if (found === undefined) throw new Error(`no statement ${sid} in ${idPrefix}`);
  return found;
}

describe('MSK cluster', () => {
  it('is serverless in dev, with IAM authentication in the private subnets behind its own group', () => {
    const cluster = onlyResource(devStreaming, 'AWS::MSK::ServerlessCluster');
    expect(cluster.ClientAuthentication).toEqual({ Sasl: { Iam: { Enabled: true } } });
    const subnets = cluster.VpcConfigs[0].SubnetIds;
    expect(subnets).toHaveLength(2);
    expect(JSON.stringify(subnets)).toMatch(/privateSubnet/);
    devStreaming.resourceCountIs('AWS::MSK::Cluster', 0);
  });

  it('is provisioned in prod: IAM only, TLS to clients and between brokers, volumes under the Lakehouse key', () => {
    const cluster = onlyResource(prodStreaming, 'AWS::MSK::Cluster');
    expect(cluster.NumberOfBrokerNodes).toBe(3);
    expect(cluster.BrokerNodeGroupInfo).toMatchObject({
      InstanceType: 'kafka.m7g.large',
      StorageInfo: { EBSStorageInfo: { VolumeSize: 1000 } },
      ConnectivityInfo: { PublicAccess: { Type: 'DISABLED' } },
    });
    expect(cluster.ClientAuthentication).toEqual({
      Sasl: { Iam: { Enabled: true }, Scram: { Enabled: false } },
      Unauthenticated: { Enabled: false },
    });
    expect(cluster.EncryptionInfo.EncryptionInTransit).toEqual({
      ClientBroker: 'TLS',
      InCluster: true,
    });
    expect(JSON.stringify(cluster.EncryptionInfo.EncryptionAtRest.DataVolumeKMSKeyId)).toContain(
      'LakehouseKey',
    );
    expect(cluster.EnhancedMonitoring).toBe('PER_TOPIC_PER_BROKER');
    expect(cluster.LoggingInfo.BrokerLogs.CloudWatchLogs.Enabled).toBe(true);
  });

  it('keeps broker logs in a log group encrypted with the log key', () => {
    prodStreaming.hasResourceProperties('AWS::Logs::LogGroup', {
      KmsKeyId: Match.anyValue(),
      RetentionInDays: 365,
    });
    const logGroups = Object.values(prodStreaming.findResources('AWS::Logs::LogGroup'));
    expect(logGroups.every((group) => group.Properties.KmsKeyId !== undefined)).toBe(true);
  });

  it('refuses topic auto-creation and keeps two in-sync replicas on the provisioned brokers', () => {
    const configuration = onlyResource(prodStreaming, 'AWS::MSK::Configuration');
    expect(configuration.ServerProperties.split('\n')).toEqual(
      expect.arrayContaining([
        'auto.create.topics.enable=false',
        'default.replication.factor=3',
        'min.insync.replicas=2',
        'unclean.leader.election.enable=false',
      ]),
    );
  });

  it('opens only port 9098 to the brokers, from the VPC and the configured plant networks', () => {
    const brokers = onlyResource(prodStreaming, 'AWS::EC2::SecurityGroup', {
      Properties: { GroupDescription: Match.stringLikeRegexp('^MSK') },
    });
    expect(
      brokers.SecurityGroupIngress.map((rule: any) => [rule.CidrIp, rule.FromPort, rule.ToPort]),
    ).toEqual([
      ['10.50.0.0/16', 9098, 9098],
      ['10.20.0.0/16', 9098, 9098],
      ['10.21.0.0/16', 9098, 9098],
    ]);
    expect(brokers.SecurityGroupEgress.map((rule: any) => [rule.CidrIp, rule.FromPort])).toEqual([
      ['10.50.0.0/16', 9098],
      ['10.50.0.0/16', 443],
    ]);
  });
});

describe('UNS topics', () => {
  it('declares every UNS topic on the provisioned cluster with the configured partitions', () => {
    const topics = Object.values(prodStreaming.findResources('AWS::MSK::Topic')).map((topic) => [
      topic.Properties.TopicName,
      topic.Properties.PartitionCount,
      topic.Properties.ReplicationFactor,
    ]);
    expect(topics).toEqual([
      ['uns.telemetry', 24, 3],
      ['uns.state', 6, 3],
      ['uns.alarm', 6, 3],
      ['uns.inspection', 6, 3],
      ['uns.ml', 6, 3],
      ['uns.validation', 6, 3],
      ['uns.sparkplug', 6, 3],
      ['uns.heartbeat', 6, 3],
      ['uns.dead-letter', 6, 3],
    ]);
  });

  it('creates the bridge’s dead-letter topic on both kinds of cluster and lets the bridge write it', () => {
    prodStreaming.hasResourceProperties('AWS::MSK::Topic', { TopicName: DEAD_LETTER_TOPIC });
    const serverless = onlyResource(devStreaming, SERVERLESS_TOPICS_RESOURCE_TYPE);
    expect(serverless.Topics.map((topic: any) => topic.Name)).toContain(DEAD_LETTER_TOPIC);
    for (const template of [devStreaming, prodStreaming]) {
      const write = statement(template, 'StreamingBridgeProducerPolicy', 'WriteUnsTopics');
      expect(JSON.stringify(write.Resource)).toContain(`/${DEAD_LETTER_TOPIC}"`);
    }
  });
});

describe('UNS topics on MSK Serverless (dev)', () => {
  const DEV_PARTITIONS = UNS_KAFKA_TOPICS.map((topic) => [
    topic,
    topic === 'uns.telemetry' ? 6 : 3,
  ]);
  const topicsResource = () => onlyResource(devStreaming, SERVERLESS_TOPICS_RESOURCE_TYPE);
  const creator = () =>
    onlyResource(devStreaming, 'AWS::Lambda::Function', {
      Properties: { Description: Match.stringLikeRegexp('^Creates the UNS Kafka topics') },
    });
  const securityGroupOf = (fn: any) => fn.VpcConfig.SecurityGroupIds[0]['Fn::GetAtt'][0];

  it('declares every UNS topic with the configured partitions in one custom resource on the serverless cluster', () => {
    const resource = topicsResource();
    expect(resource.Topics.map((topic: any) => [topic.Name, topic.Partitions])).toEqual(
      DEV_PARTITIONS,
    );
    const [cluster] = Object.keys(devStreaming.findResources('AWS::MSK::ServerlessCluster'));
    expect(resource.ClusterArn).toEqual({ 'Fn::GetAtt': [cluster, 'Arn'] });
    devStreaming.resourceCountIs('AWS::MSK::Topic', 0);
  });

  it('creates the topics with the uns-kafka-topics function in the private subnets, on the newest runtime', () => {
    const fn = creator();
    expect(fn.Runtime).toBe('nodejs24.x');
    expect(fn.Architectures).toEqual(['arm64']);
    expect(fn.VpcConfig.SubnetIds).toHaveLength(2);
    expect(JSON.stringify(fn.VpcConfig.SubnetIds)).toMatch(/privateSubnet/);
    expect(fn.ReservedConcurrentExecutions).toBe(1);
    expect(fn.Environment.Variables.POWERTOOLS_SERVICE_NAME).toBe('uns-kafka-topics');
    const [provider] = Object.values(devStreaming.findResources('AWS::Lambda::Function')).filter(
      (resource) => resource.Properties.Handler === 'framework.onEvent',
    );
    expect(provider!.Properties.VpcConfig.SubnetIds).toEqual(fn.VpcConfig.SubnetIds);
  });

  it('lets the creator reach only the brokers on 9098 and the MSK API endpoint on 443', () => {
    const group = securityGroupOf(creator());
    const egress = Object.values(devStreaming.findResources('AWS::EC2::SecurityGroupEgress'))
      .map((rule) => rule.Properties)
      .filter((rule) => rule.GroupId['Fn::GetAtt'][0] === group);
    const [brokers] = Object.keys(
      devStreaming.findResources('AWS::EC2::SecurityGroup', {
        Properties: { GroupDescription: Match.stringLikeRegexp('^MSK') },
      }),
    );
    const [endpoint] = Object.keys(devStreaming.findResources('AWS::EC2::VPCEndpoint'));
    const endpointGroup =
      devStreaming.findResources('AWS::EC2::VPCEndpoint')[endpoint!]!.Properties
        .SecurityGroupIds[0]['Fn::GetAtt'][0];
    expect(
      egress.map((rule) => [rule.DestinationSecurityGroupId['Fn::GetAtt'][0], rule.FromPort]),
    ).toEqual(
      expect.arrayContaining([
        [brokers, MSK_IAM_PORT],
        [endpointGroup, 443],
      ]),
    );
    expect(egress).toHaveLength(2);
    expect(
      devStreaming.findResources('AWS::EC2::VPCEndpoint')[endpoint!]!.Properties.ServiceName,
    ).toBe('com.amazonaws.eu-central-1.kafka');
    devStreaming.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [brokers, 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [group, 'GroupId'] },
      FromPort: MSK_IAM_PORT,
      ToPort: MSK_IAM_PORT,
    });
  });

  it('grants the creator connect on the cluster and describe and create on the uns.* topics only', () => {
    const prefix = 'StreamingServerlessTopicsCreatorPolicy';
    const connect = statement(devStreaming, prefix, 'LocateBrokersAndConnect');
    expect(connect.Action).toEqual(['kafka-cluster:Connect', 'kafka:GetBootstrapBrokers']);
    expect(connect.Resource).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^StreamingKafkaCluster/), 'Arn'],
    });
    const create = statement(devStreaming, prefix, 'DescribeAndCreateUnsTopics');
    expect(create.Action).toEqual(['kafka-cluster:CreateTopic', 'kafka-cluster:DescribeTopic']);
    const topics = create.Resource.map(
      (arn: unknown) => /:topic\/uns-mlops\/".*"\/(uns\.[a-z-]+)"/.exec(JSON.stringify(arn))?.[1],
    );
    expect(topics.sort()).toEqual([...UNS_KAFKA_TOPICS].sort());
    const wildcards = statementsOf(devStreaming, prefix).filter((entry) => entry.Resource === '*');
    expect(wildcards.map((entry) => entry.Sid)).toEqual(['ManageVpcNetworkInterfaces']);
    expect(JSON.stringify(statementsOf(devStreaming, prefix))).not.toMatch(
      /kafka-cluster:(Alter|Delete|Write|Read)/,
    );
  });

  it('starts the telemetry event source mapping only once the topics exist', () => {
    const [flattener] = Object.entries(
      devStreaming.findResources('AWS::Lambda::Function', {
        Properties: { Description: Match.stringLikeRegexp('^Flattens') },
      }),
    );
    const [resource] = Object.keys(devStreaming.findResources(SERVERLESS_TOPICS_RESOURCE_TYPE));
    expect(flattener![1].DependsOn).toContain(resource);
  });
});

describe('UNS topics on the provisioned cluster (prod)', () => {
  it('keeps AWS::MSK::Topic for every topic and no custom resource, endpoint or topic function', () => {
    prodStreaming.resourceCountIs('AWS::MSK::Topic', UNS_KAFKA_TOPICS.length);
    prodStreaming.resourceCountIs(SERVERLESS_TOPICS_RESOURCE_TYPE, 0);
    prodStreaming.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    const functions = Object.values(prodStreaming.findResources('AWS::Lambda::Function')).map(
      (fn) => fn.Properties.Description as string | undefined,
    );
    expect(functions.filter((description) => /topic/i.test(description ?? ''))).toEqual([]);
  });
});

describe('telemetry delivery', () => {
  const stream = () =>
    onlyResource(devStreaming, 'AWS::KinesisFirehose::DeliveryStream', {
      Properties: {
        ExtendedS3DestinationConfiguration: {
          DataFormatConversionConfiguration: {
            SchemaConfiguration: { TableName: 'uns_telemetry' },
          },
        },
      },
    });

  it('writes Parquet converted from the raw uns_telemetry Glue table', () => {
    const conversion =
      stream().ExtendedS3DestinationConfiguration.DataFormatConversionConfiguration;
    expect(conversion.Enabled).toBe(true);
    expect(conversion.OutputFormatConfiguration).toEqual({
      Serializer: { ParquetSerDe: { Compression: 'SNAPPY' } },
    });
    expect(conversion.InputFormatConfiguration).toEqual({
      Deserializer: { HiveJsonSerDe: { TimestampFormats: ['millis'] } },
    });
    expect(conversion.SchemaConfiguration).toMatchObject({
      TableName: 'uns_telemetry',
      Region: 'eu-central-1',
      VersionId: 'LATEST',
    });
    expect(JSON.stringify(conversion.SchemaConfiguration.DatabaseName)).toContain('CatalogRaw');
  });

  it('partitions by site and day like the Glue table and keeps errors under their own prefix', () => {
    const destination = stream().ExtendedS3DestinationConfiguration;
    expect(destination.Prefix).toBe(
      'uns_telemetry/site=!{partitionKeyFromQuery:site}/dt=!{partitionKeyFromQuery:dt}/',
    );
    expect(destination.ErrorOutputPrefix).toBe(
      'errors/uns_telemetry/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/',
    );
    expect(destination.DynamicPartitioningConfiguration.Enabled).toBe(true);
    expect(destination.ProcessingConfiguration.Processors).toEqual([
      {
        Type: 'RecordDeAggregation',
        Parameters: [{ ParameterName: 'SubRecordType', ParameterValue: 'JSON' }],
      },
      {
        Type: 'MetadataExtraction',
        Parameters: [
          { ParameterName: 'MetadataExtractionQuery', ParameterValue: '{site: .site, dt: .dt}' },
          { ParameterName: 'JsonParsingEngine', ParameterValue: 'JQ-1.6' },
        ],
      },
    ]);
    expect(JSON.stringify(destination.BucketARN)).toContain('LakehouseStorageRaw');
  });

  it('encrypts the stream and the delivered objects with the Lakehouse key and logs delivery errors', () => {
    const properties = stream();
    expect(properties.DeliveryStreamEncryptionConfigurationInput.KeyType).toBe(
      'CUSTOMER_MANAGED_CMK',
    );
    expect(
      properties.ExtendedS3DestinationConfiguration.EncryptionConfiguration.KMSEncryptionConfig,
    ).toBeDefined();
    expect(properties.ExtendedS3DestinationConfiguration.CloudWatchLoggingOptions.Enabled).toBe(
      true,
    );
  });

  it('feeds the flattener from uns.telemetry with its own consumer group, from the oldest record', () => {
    devStreaming.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      Topics: ['uns.telemetry'],
      StartingPosition: 'TRIM_HORIZON',
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'uns-mlops-lakehouse-telemetry' },
    });
  });

  it('runs the flattener in the private subnets, at most one invocation per telemetry partition', () => {
    const fn = onlyResource(devStreaming, 'AWS::Lambda::Function', {
      Properties: { Description: Match.stringLikeRegexp('^Flattens uns.telemetry') },
    });
    expect(fn.ReservedConcurrentExecutions).toBe(6);
    expect(fn.VpcConfig.SubnetIds).toHaveLength(2);
    expect(fn.Environment.Variables).toMatchObject({
      REJECTS_PREFIX: 'errors/uns_telemetry/rejected/',
      HEADER_MQTT_TOPIC: 'uns-topic',
      HEADER_RECEIVED_AT: 'uns-received-at',
      HEADER_CONTRACT_VERSION: 'uns-contract-version',
    });
  });

  it('grants the Firehose role Lake Formation DESCRIBE on the raw telemetry table only', () => {
    const role = stream().ExtendedS3DestinationConfiguration.RoleARN;
    const grant = onlyResource(devStreaming, 'AWS::LakeFormation::PrincipalPermissions', {
      Properties: { Principal: { DataLakePrincipalIdentifier: role } },
    });
    expect(grant.Permissions).toEqual(['DESCRIBE']);
    expect(grant.PermissionsWithGrantOption).toEqual([]);
    expect(grant.Resource.Table.Name).toBe('uns_telemetry');
  });
});

describe('least-privilege roles', () => {
  it('lets Firehose write only the telemetry and error prefixes of the raw bucket', () => {
    const write = statement(
      devStreaming,
      'StreamingTelemetryDeliveryDeliveryPolicy',
      'WriteTelemetryAndErrors',
    );
    expect(write.Action).toEqual(['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject']);
    expect(write.Resource).toEqual([
      {
        'Fn::Join': [
          '',
          [{ 'Fn::ImportValue': 'UnsMlops-Dev-Lakehouse-RawBucketArn' }, '/errors/uns_telemetry/*'],
        ],
      },
      {
        'Fn::Join': [
          '',
          [{ 'Fn::ImportValue': 'UnsMlops-Dev-Lakehouse-RawBucketArn' }, '/uns_telemetry/*'],
        ],
      },
    ]);
  });

  it('lets Firehose use the key only through S3 for the raw bucket', () => {
    const kms = statement(
      devStreaming,
      'StreamingTelemetryDeliveryDeliveryPolicy',
      'UseLakehouseKeyThroughS3ForRawBucket',
    );
    expect(kms.Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(kms.Condition.StringEquals['kms:ViaService']).toBe('s3.eu-central-1.amazonaws.com');
    expect(
      JSON.stringify(kms.Condition.StringEquals['kms:EncryptionContext:aws:s3:arn']),
    ).toContain('LakehouseStorageRaw');
  });

  it('lets Firehose read the schema of the one table it converts with', () => {
    const glue = statement(
      devStreaming,
      'StreamingTelemetryDeliveryDeliveryPolicy',
      'ReadTelemetryTableSchema',
    );
    expect(glue.Action).toEqual(['glue:GetTable', 'glue:GetTableVersion', 'glue:GetTableVersions']);
    expect(glue.Resource).toHaveLength(3);
    expect(JSON.stringify(glue.Resource)).toContain('CatalogRawunstelemetryTable');
  });

  it('lets the flattener read uns.telemetry and commit only its own consumer group', () => {
    const read = statement(devStreaming, 'StreamingTelemetryDeliveryFlattenerPolicy', 'ReadTopics');
    expect(read.Action).toEqual(['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData']);
    expect(JSON.stringify(read.Resource)).toMatch(/:topic\/uns-mlops\/".*"\/uns\.telemetry"/);
    const group = statement(
      devStreaming,
      'StreamingTelemetryDeliveryFlattenerPolicy',
      'CommitConsumerGroupOffsets',
    );
    expect(JSON.stringify(group.Resource)).toMatch(
      /:group\/uns-mlops\/".*"\/uns-mlops-lakehouse-telemetry"/,
    );
    const put = statement(
      devStreaming,
      'StreamingTelemetryDeliveryFlattenerPolicy',
      'PutRowsIntoDeliveryStream',
    );
    expect(put.Action).toBe('firehose:PutRecordBatch');
  });

  it('gives the bridge connect and idempotent writes on the cluster and writes on the uns.* topics only', () => {
    const connect = statement(
      devStreaming,
      'StreamingBridgeProducerPolicy',
      'ConnectAndProduceIdempotently',
    );
    expect(connect.Action).toEqual([
      'kafka-cluster:Connect',
      'kafka-cluster:WriteDataIdempotently',
    ]);
    const write = statement(devStreaming, 'StreamingBridgeProducerPolicy', 'WriteUnsTopics');
    expect(write.Action).toEqual(['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData']);
    const topics = write.Resource.map(
      (arn: unknown) => /\/(uns\.[a-z-]+)"/.exec(JSON.stringify(arn))?.[1],
    );
    expect(topics.sort()).toEqual([...UNS_KAFKA_TOPICS].sort());
    expect(statementsOf(devStreaming, 'StreamingBridgeProducerPolicy')).toHaveLength(2);
  });
});

describe('network', () => {
  it('has private isolated subnets only: no internet gateway, no NAT', () => {
    devNetwork.resourceCountIs('AWS::EC2::InternetGateway', 0);
    devNetwork.resourceCountIs('AWS::EC2::NatGateway', 0);
    devNetwork.resourceCountIs('AWS::EC2::Subnet', 2);
    const subnets = Object.values(devNetwork.findResources('AWS::EC2::Subnet'));
    expect(subnets.every((subnet) => subnet.Properties.MapPublicIpOnLaunch === false)).toBe(true);
  });

  it('logs all traffic to a KMS-encrypted log group', () => {
    devNetwork.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL' });
    const key = dev.logicalId('Network', 'Network/LogKey');
    devNetwork.hasResourceProperties('AWS::Logs::LogGroup', {
      KmsKeyId: { 'Fn::GetAtt': [key, 'Arn'] },
    });
  });

  it('reaches STS, Lambda and Firehose through interface endpoints open to HTTPS from the VPC only', () => {
    const endpoints = Object.values(devNetwork.findResources('AWS::EC2::VPCEndpoint')).map(
      (endpoint) => JSON.stringify(endpoint.Properties.ServiceName),
    );
    for (const service of ['.sts', '.lambda', '.kinesis-firehose', '.s3']) {
      expect(endpoints.some((name) => name.includes(service))).toBe(true);
    }
    const groups = Object.values(devNetwork.findResources('AWS::EC2::SecurityGroup'));
    expect(groups).toHaveLength(3);
    for (const group of groups) {
      expect(group.Properties.SecurityGroupIngress).toEqual([
        expect.objectContaining({ CidrIp: '10.40.0.0/16', FromPort: 443, ToPort: 443 }),
      ]);
    }
  });
});
