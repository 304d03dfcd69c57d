import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { LakehouseStack } from '../../lib/stacks/lakehouse-stack';
import { NetworkStack } from '../../lib/stacks/network-stack';
import { StreamingStack } from '../../lib/stacks/streaming-stack';
import { SERVERLESS_TOPICS_RESOURCE_TYPE, UNS_CLASS_FLATTENERS } from '../../lib/streaming';
import { cfnLint } from '../support/cfn-lint';
import { environmentApp } from '../support/environment-app';

/**
 * An environment's streaming stack with the stacks it builds on, as `addPlatformStacks` builds
 * them, with the compliance checks registered; synthesized into `outdir` by `synth()`.
 */
function buildStreaming(name: string) {
  const built = environmentApp(name);
  const lakehouse = built.addStack(LakehouseStack, 'Lakehouse', {});
  const network = built.addStack(NetworkStack, 'Network', {});
  const streaming = built.addStack(StreamingStack, 'Streaming', {
    network: network.network,
    lakehouse: lakehouse.lakehouse,
  });
  return { ...built, streaming };
}

const dev = buildStreaming('dev');
const prod = buildStreaming('prod');
const devTemplate = Template.fromStack(dev.streaming);
const prodTemplate = Template.fromStack(prod.streaming);

/** The table, Kafka topic, consumer group, rejects prefix and service of each delivery. */
const DELIVERIES = [
  [
    'inference_results',
    'uns.ml',
    'uns-mlops-lakehouse-ml',
    'errors/uns.ml/rejected/',
    'uns-ml-flattener',
  ],
  [
    'anomaly_events',
    'uns.ml',
    'uns-mlops-lakehouse-ml',
    'errors/uns.ml/rejected/',
    'uns-ml-flattener',
  ],
  [
    'model_drift',
    'uns.ml',
    'uns-mlops-lakehouse-ml',
    'errors/uns.ml/rejected/',
    'uns-ml-flattener',
  ],
  [
    'model_status',
    'uns.ml',
    'uns-mlops-lakehouse-ml',
    'errors/uns.ml/rejected/',
    'uns-ml-flattener',
  ],
  [
    'asset_states',
    'uns.state',
    'uns-mlops-lakehouse-state',
    'errors/asset_states/rejected/',
    'asset-states-flattener',
  ],
  [
    'asset_alarms',
    'uns.alarm',
    'uns-mlops-lakehouse-alarm',
    'errors/asset_alarms/rejected/',
    'asset-alarms-flattener',
  ],
  [
    'seam_inspections',
    'uns.inspection',
    'uns-mlops-lakehouse-inspection',
    'errors/seam_inspections/rejected/',
    'seam-inspections-flattener',
  ],
] as const;
const TABLES = DELIVERIES.map(([table]) => table);
const SERVICES = [...new Set(DELIVERIES.map(([, , , , service]) => service))];

/** The delivery stream converting into `table`, with its logical id. */
function streamOf(template: Template, table: string): { id: string; properties: any } {
  const found = Object.entries(
    template.findResources('AWS::KinesisFirehose::DeliveryStream'),
  ).filter(
    ([, stream]) =>
      stream.Properties.ExtendedS3DestinationConfiguration.DataFormatConversionConfiguration
        .SchemaConfiguration.TableName === table,
  );
  if (found.length !== 1)
    throw new Error(`expected one stream into ${table}, found ${found.length}`);
  const [id, stream] = found[0]!;
  return { id, properties: stream.Properties };
}

/** The flattener of a service, with its logical id. */
function flattenerOf(template: Template, service: string): { id: string; properties: any } {
  const found = Object.entries(template.findResources('AWS::Lambda::Function')).filter(
    ([, fn]) => fn.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === service,
  );
  if (found.length !== 1)
    throw new Error(`expected one function ${service}, found ${found.length}`);
  const [id, fn] = found[0]!;
  return { id, properties: fn.Properties };
}

/** The statements of the managed policy attached to a function's role. */
function flattenerStatements(template: Template, service: string): any[] {
  const role = flattenerOf(template, service).properties.Role['Fn::GetAtt'][0];
  const [policy] = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).filter(
    (candidate) => candidate.Properties.Roles?.some((ref: any) => ref.Ref === role),
  );
  return policy!.Properties.PolicyDocument.Statement;
}

const bySid = (statements: any[], sid: string) => {
  const found = statements.find((entry) => entry.Sid === sid);
  if (found === undefined) throw new Error(`no statement ${sid}`);
  return found;
};

describe('every UNS data class into its Lakehouse table', () => {
  it('declares one flattener per Kafka topic, and a table each for uns.state, uns.alarm and uns.inspection', () => {
    expect(UNS_CLASS_FLATTENERS.map((spec) => [spec.topic, spec.tables])).toEqual([
      ['uns.ml', ['inference_results', 'anomaly_events', 'model_drift', 'model_status']],
      ['uns.state', ['asset_states']],
      ['uns.alarm', ['asset_alarms']],
      ['uns.inspection', ['seam_inspections']],
    ]);
  });

  it.each(TABLES)(
    'delivers %s as Parquet converted from its own raw table, partitioned by site and day',
    (table) => {
      const destination = streamOf(devTemplate, table).properties
        .ExtendedS3DestinationConfiguration;
      expect(destination.Prefix).toBe(
        `${table}/site=!{partitionKeyFromQuery:site}/dt=!{partitionKeyFromQuery:dt}/`,
      );
      expect(destination.ErrorOutputPrefix).toBe(
        `errors/${table}/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/`,
      );
      expect(destination.DataFormatConversionConfiguration).toMatchObject({
        Enabled: true,
        InputFormatConfiguration: {
          Deserializer: { HiveJsonSerDe: { TimestampFormats: ['millis'] } },
        },
        OutputFormatConfiguration: { Serializer: { ParquetSerDe: { Compression: 'SNAPPY' } } },
        SchemaConfiguration: { TableName: table, VersionId: 'LATEST' },
      });
      expect(
        JSON.stringify(
          destination.DataFormatConversionConfiguration.SchemaConfiguration.DatabaseName,
        ),
      ).toContain('CatalogRaw');
      expect(destination.DynamicPartitioningConfiguration.Enabled).toBe(true);
      expect(destination.ProcessingConfiguration.Processors[1].Parameters[0]).toEqual({
        ParameterName: 'MetadataExtractionQuery',
        ParameterValue: '{site: .site, dt: .dt}',
      });
      expect(JSON.stringify(destination.EncryptionConfiguration)).toMatch(/Lakehouse.*Key/);
      expect(destination.CloudWatchLoggingOptions.Enabled).toBe(true);
    },
  );

  it('encrypts every stream with the customer-managed Lakehouse key', () => {
    for (const table of TABLES) {
      const encryption = streamOf(prodTemplate, table).properties
        .DeliveryStreamEncryptionConfigurationInput;
      expect(encryption.KeyType).toBe('CUSTOMER_MANAGED_CMK');
      expect(JSON.stringify(encryption.KeyARN)).toContain('LakehouseKey');
    }
  });

  it.each(TABLES)(
    'lets the Firehose role of %s write only that table’s prefixes and describe only that table',
    (table) => {
      const label = table.replace(/(^|_)(\w)/g, (_, __, letter: string) => letter.toUpperCase());
      const role = streamOf(devTemplate, table).properties.ExtendedS3DestinationConfiguration
        .RoleARN['Fn::GetAtt'][0];
      const [policy] = Object.values(devTemplate.findResources('AWS::IAM::ManagedPolicy')).filter(
        (candidate) => candidate.Properties.Roles?.some((ref: any) => ref.Ref === role),
      );
      const write = bySid(policy!.Properties.PolicyDocument.Statement, `Write${label}AndErrors`);
      expect(write.Resource).toHaveLength(2);
      expect(write.Resource).toEqual(
        expect.arrayContaining(
          [`${table}/*`, `errors/${table}/*`].map((pattern) => ({
            'Fn::Join': [
              '',
              [{ 'Fn::ImportValue': 'UnsMlops-Dev-Lakehouse-RawBucketArn' }, `/${pattern}`],
            ],
          })),
        ),
      );
      const grants = Object.values(
        devTemplate.findResources('AWS::LakeFormation::PrincipalPermissions'),
      )
        .map((grant) => grant.Properties)
        .filter((grant) => grant.Principal.DataLakePrincipalIdentifier['Fn::GetAtt'][0] === role);
      expect(grants.map((grant) => [grant.Permissions, grant.Resource.Table.Name])).toEqual([
        [['DESCRIBE'], table],
      ]);
    },
  );

  it('creates the Lake Formation grants of the streams one after another', () => {
    const grants = devTemplate.findResources('AWS::LakeFormation::PrincipalPermissions');
    const grantOf = (table: string) => {
      const role = streamOf(devTemplate, table).properties.ExtendedS3DestinationConfiguration
        .RoleARN;
      const [id] = Object.entries(grants).find(
        ([, grant]) =>
          JSON.stringify(grant.Properties.Principal.DataLakePrincipalIdentifier) ===
          JSON.stringify(role),
      )!;
      return id;
    };
    for (const [index, table] of TABLES.entries()) {
      if (index === 0) continue;
      expect(grants[grantOf(table)]!.DependsOn).toContain(grantOf(TABLES[index - 1]!));
    }
  });

  it.each(SERVICES)(
    'feeds %s from its own topic with its own consumer group, from the oldest record',
    (service) => {
      const [, topic, group] = DELIVERIES.find(([, , , , candidate]) => candidate === service)!;
      const { id } = flattenerOf(devTemplate, service);
      const mappings = Object.values(devTemplate.findResources('AWS::Lambda::EventSourceMapping'))
        .map((mapping) => mapping.Properties)
        .filter((mapping) => mapping.FunctionName.Ref === id);
      expect(mappings).toEqual([
        expect.objectContaining({
          Topics: [topic],
          StartingPosition: 'TRIM_HORIZON',
          AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: group },
        }),
      ]);
    },
  );

  it.each(SERVICES)(
    'tells %s the stream of each of its tables, its rejects prefix and the header names',
    (service) => {
      const variables = flattenerOf(devTemplate, service).properties.Environment.Variables;
      const own = DELIVERIES.filter(([, , , , candidate]) => candidate === service);
      const streams = JSON.parse(
        variables.DELIVERY_STREAMS['Fn::Join'][1]
          .map((part: any) => (typeof part === 'string' ? part : `<${part.Ref}>`))
          .join(''),
      );
      expect(streams).toEqual(
        Object.fromEntries(own.map(([table]) => [table, `<${streamOf(devTemplate, table).id}>`])),
      );
      expect(variables).toMatchObject({
        REJECTS_PREFIX: own[0]![3],
        HEADER_MQTT_TOPIC: 'uns-topic',
        HEADER_RECEIVED_AT: 'uns-received-at',
        HEADER_CONTRACT_VERSION: 'uns-contract-version',
      });
    },
  );

  it.each(SERVICES)(
    'lets %s read only its topic, commit only its group, put only into its own streams and keep only its rejects',
    (service) => {
      const own = DELIVERIES.filter(([, , , , candidate]) => candidate === service);
      const [[, topic, group, rejects]] = own as unknown as [(typeof own)[number]];
      const statements = flattenerStatements(devTemplate, service);
      expect(JSON.stringify(bySid(statements, 'ReadTopics').Resource)).toMatch(
        new RegExp(`:topic/uns-mlops/".*"/${topic.replace('.', '\\.')}"]]}$`),
      );
      expect(JSON.stringify(bySid(statements, 'CommitConsumerGroupOffsets').Resource)).toMatch(
        new RegExp(`:group/uns-mlops/".*"/${group}"]]}]?$`),
      );
      const put = bySid(statements, 'PutRowsIntoDeliveryStream');
      expect(put.Action).toBe('firehose:PutRecordBatch');
      const ownStreams = own.map(([table]) => ({
        'Fn::GetAtt': [streamOf(devTemplate, table).id, 'Arn'],
      }));
      expect([put.Resource].flat()).toHaveLength(ownStreams.length);
      expect([put.Resource].flat()).toEqual(expect.arrayContaining(ownStreams));
      expect(bySid(statements, 'KeepRejectedRecords')).toMatchObject({
        Action: 's3:PutObject',
        Resource: {
          'Fn::Join': [
            '',
            [{ 'Fn::ImportValue': 'UnsMlops-Dev-Lakehouse-RawBucketArn' }, `/${rejects}*`],
          ],
        },
      });
      const wildcards = statements.filter((entry) => entry.Resource === '*');
      expect(wildcards.map((entry) => entry.Sid)).toEqual(['ManageVpcNetworkInterfaces']);
    },
  );

  it.each(SERVICES)(
    'runs %s in the private subnets, HTTPS out only, at most one invocation per partition',
    (service) => {
      const { properties } = flattenerOf(devTemplate, service);
      expect(properties.ReservedConcurrentExecutions).toBe(3);
      expect(JSON.stringify(properties.VpcConfig.SubnetIds)).toMatch(/privateSubnet/);
      const group = properties.VpcConfig.SecurityGroupIds[0]['Fn::GetAtt'][0];
      expect(
        devTemplate.findResources('AWS::EC2::SecurityGroup')[group]!.Properties.SecurityGroupEgress,
      ).toEqual([expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 })]);
      expect(properties.Runtime).toBe('nodejs24.x');
    },
  );

  it('starts each mapping only once its topic exists: the custom resource in dev, its MSK topic in prod', () => {
    const [resource] = Object.keys(devTemplate.findResources(SERVERLESS_TOPICS_RESOURCE_TYPE));
    const prodTopics = prodTemplate.findResources('AWS::MSK::Topic');
    for (const service of SERVICES) {
      const [, topic] = DELIVERIES.find(([, , , , candidate]) => candidate === service)!;
      expect(
        devTemplate.findResources('AWS::Lambda::Function')[flattenerOf(devTemplate, service).id]!
          .DependsOn,
      ).toContain(resource);
      const [topicId] = Object.entries(prodTopics).find(
        ([, candidate]) => candidate.Properties.TopicName === topic,
      )!;
      expect(
        prodTemplate.findResources('AWS::Lambda::Function')[flattenerOf(prodTemplate, service).id]!
          .DependsOn,
      ).toContain(topicId);
    }
  });

  it('keeps the streaming stacks within CloudFormation’s 500 resources per stack', () => {
    for (const template of [devTemplate, prodTemplate]) {
      expect(Object.keys(template.toJSON().Resources).length).toBeLessThan(500);
    }
  });
});

describe.each([
  ['dev', dev, devTemplate],
  ['prod', prod, prodTemplate],
])('the %s streaming stack with the class deliveries', (_, built, template) => {
  // Synthesis runs the compliance checks once, on the first synth.
  const synth = built.synth;

  it('synthesizes with no unacknowledged cdk-nag finding (AwsSolutions, NIST 800-53 rev 5)', () => {
    expect(() => synth()).not.toThrow();
  });

  it('passes cfn-lint with no error or warning', () => {
    expect(cfnLint(built.templateFiles(built.streaming))).toEqual({
      status: 0,
      findings: '',
      error: '',
    });
  });

  it.each(SERVICES)('bundles %s from its own entry of the flattener workspace', (service) => {
    const { properties } = flattenerOf(template, service);
    const asset = join(synth(), `asset.${properties.Code.S3Key.replace(/\.zip$/, '')}`);
    expect(readFileSync(join(asset, 'index.js'), 'utf8')).toContain(`"${service}"`);
  });
});
