import { ArnFormat, Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { Lakehouse } from '../lakehouse';
import { bucketObjectsWildcardFinding } from '../quality/nag-findings';
import type { UnsKafkaCluster } from './kafka-cluster';
import { vpcFunctionAccess, waitForPolicy, workspaceFunction } from './lambda-functions';
import { TELEMETRY_TOPIC, UNS_RECORD_HEADERS } from './topics';

const TABLE = 'uns_telemetry';
/** Where the table's Parquet objects go: the Glue table's `site=`/`dt=` partition layout. */
export const TELEMETRY_PREFIX = `${TABLE}/site=!{partitionKeyFromQuery:site}/dt=!{partitionKeyFromQuery:dt}/`;
/** Where Firehose puts what it could not convert or partition, by error kind and day. */
export const TELEMETRY_ERROR_PREFIX = `errors/${TABLE}/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/`;
/** Where the flattener keeps Kafka records that break the record contract. */
export const TELEMETRY_REJECTS_PREFIX = `errors/${TABLE}/rejected/`;
/** Consumer group of the flattener's event source mapping. */
export const TELEMETRY_CONSUMER_GROUP = 'uns-mlops-lakehouse-telemetry';

/** Resolved settings of {@link TelemetryDelivery}. */
export interface TelemetryDeliveryProps {
  readonly cluster: UnsKafkaCluster;
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly lakehouse: Lakehouse;
  readonly encryptionKey: kms.IKey;
  readonly logKey: kms.IKey;
  /** Partitions of `uns.telemetry`: at most this many flattener invocations run at once. */
  readonly topicPartitions: number;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Delivery of `uns.telemetry` into the Lakehouse raw zone as Parquet, partitioned by site and day:
 *
 * MSK → Lambda event source mapping (IAM auth, own consumer group) → the telemetry flattener
 * (one row per sample; site, asset and channel from the record key and MQTT-topic header) →
 * Amazon Data Firehose (Direct PUT: de-aggregation, `site`/`dt` extracted with JQ, Parquet from the
 * Glue table `<prefix>_raw.uns_telemetry`) → `s3://<raw>/uns_telemetry/site=<site>/dt=<day>/`.
 *
 * Firehose's own MSK source is not used: the records it hands over carry only the Kafka value,
 * not the key or headers, and the telemetry block alone names neither the asset nor the signal.
 */
export class TelemetryDelivery extends Construct {
  readonly deliveryStream: firehose.CfnDeliveryStream;
  readonly flattener: nodejs.NodejsFunction;
  readonly deliveryRole: iam.Role;
  readonly flattenerRole: iam.Role;

  constructor(scope: Construct, id: string, props: TelemetryDeliveryProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const rawBucket = props.lakehouse.storage.rawBucket;
    const rawDatabase = props.lakehouse.catalog.raw.database;
    const table = props.lakehouse.catalog.raw.tables[TABLE];
    const rawObjects = new BucketObjects(this, rawBucket);
    if (table === undefined) throw new Error(`The Lakehouse has no raw table ${TABLE}`);

    const deliveryLogs = new logs.LogGroup(this, 'DeliveryLogs', {
      encryptionKey: props.logKey,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: props.removalPolicy,
    });
    const deliveryLogStream = deliveryLogs.addStream('S3Delivery', { logStreamName: 'S3Delivery' });

    this.deliveryRole = new iam.Role(this, 'DeliveryRole', {
      assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'Firehose delivery of uns_telemetry rows into the Lakehouse raw zone',
    });
    const deliveryPolicy = new iam.ManagedPolicy(this, 'DeliveryPolicy', {
      description:
        'Firehose: write uns_telemetry Parquet and errors to the raw zone, read the table schema',
      roles: [this.deliveryRole],
      statements: [
        new iam.PolicyStatement({
          sid: 'LocateRawBucket',
          actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
          resources: [rawBucket.bucketArn],
        }),
        new iam.PolicyStatement({
          sid: 'WriteTelemetryAndErrors',
          actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:GetObject'],
          resources: [rawObjects.arn(`${TABLE}/*`), rawObjects.arn(`errors/${TABLE}/*`)],
        }),
        ...s3KeyStatements(props.encryptionKey, rawBucket, ['kms:GenerateDataKey', 'kms:Decrypt']),
        new iam.PolicyStatement({
          sid: 'ReadTelemetryTableSchema',
          actions: ['glue:GetTable', 'glue:GetTableVersion', 'glue:GetTableVersions'],
          resources: [
            stack.formatArn({ service: 'glue', resource: 'catalog' }),
            rawDatabase.databaseArn,
            table.tableArn,
          ],
        }),
        new iam.PolicyStatement({
          sid: 'WriteDeliveryLogs',
          actions: ['logs:PutLogEvents'],
          resources: [
            stack.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: `${deliveryLogs.logGroupName}:log-stream:${deliveryLogStream.logStreamName}`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          ],
        }),
      ],
    });
    for (const pattern of [`${TABLE}/*`, `errors/${TABLE}/*`]) {
      Validations.of(deliveryPolicy).acknowledge({
        id: rawObjects.wildcardFinding(pattern),
        reason:
          'Firehose names each object after its partition, time and a random suffix, so the table prefix is the narrowest resource that covers them.',
      });
    }

    // Lake Formation governs the raw database (no IAMAllowedPrincipals): reading the table's
    // schema for Parquet conversion needs DESCRIBE on it.
    const describeTable = new lakeformation.CfnPrincipalPermissions(this, 'DescribeTableGrant', {
      principal: { dataLakePrincipalIdentifier: this.deliveryRole.roleArn },
      resource: {
        table: { catalogId: stack.account, databaseName: rawDatabase.databaseName, name: TABLE },
      },
      permissions: ['DESCRIBE'],
      permissionsWithGrantOption: [],
    });

    this.deliveryStream = new firehose.CfnDeliveryStream(this, 'Stream', {
      deliveryStreamType: 'DirectPut',
      deliveryStreamEncryptionConfigurationInput: {
        keyType: 'CUSTOMER_MANAGED_CMK',
        keyArn: props.encryptionKey.keyArn,
      },
      extendedS3DestinationConfiguration: {
        bucketArn: rawBucket.bucketArn,
        roleArn: this.deliveryRole.roleArn,
        prefix: TELEMETRY_PREFIX,
        errorOutputPrefix: TELEMETRY_ERROR_PREFIX,
        bufferingHints: { sizeInMBs: 128, intervalInSeconds: 300 },
        compressionFormat: 'UNCOMPRESSED',
        encryptionConfiguration: {
          kmsEncryptionConfig: { awskmsKeyArn: props.encryptionKey.keyArn },
        },
        cloudWatchLoggingOptions: {
          enabled: true,
          logGroupName: deliveryLogs.logGroupName,
          logStreamName: deliveryLogStream.logStreamName,
        },
        dynamicPartitioningConfiguration: {
          enabled: true,
          retryOptions: { durationInSeconds: 300 },
        },
        processingConfiguration: {
          enabled: true,
          processors: [
            {
              type: 'RecordDeAggregation',
              parameters: [{ parameterName: 'SubRecordType', parameterValue: 'JSON' }],
            },
            {
              type: 'MetadataExtraction',
              parameters: [
                {
                  parameterName: 'MetadataExtractionQuery',
                  parameterValue: '{site: .site, dt: .dt}',
                },
                { parameterName: 'JsonParsingEngine', parameterValue: 'JQ-1.6' },
              ],
            },
          ],
        },
        dataFormatConversionConfiguration: {
          enabled: true,
          inputFormatConfiguration: {
            deserializer: { hiveJsonSerDe: { timestampFormats: ['millis'] } },
          },
          outputFormatConfiguration: {
            serializer: { parquetSerDe: { compression: 'SNAPPY' } },
          },
          schemaConfiguration: {
            catalogId: stack.account,
            databaseName: rawDatabase.databaseName,
            tableName: TABLE,
            region: stack.region,
            roleArn: this.deliveryRole.roleArn,
            versionId: 'LATEST',
          },
        },
      },
    });
    this.deliveryStream.node.addDependency(deliveryPolicy, describeTable);

    const { flattener, role } = this.createFlattener(props, rawBucket, rawObjects);
    this.flattener = flattener;
    this.flattenerRole = role;
  }

  private createFlattener(
    props: TelemetryDeliveryProps,
    rawBucket: s3.IBucket,
    rawObjects: BucketObjects,
  ): { flattener: nodejs.NodejsFunction; role: iam.Role } {
    const { role, logGroup, policy } = vpcFunctionAccess(this, 'Flattener', {
      logKey: props.logKey,
      removalPolicy: props.removalPolicy,
      roleDescription: 'uns-telemetry-flattener: reads uns.telemetry, puts rows into Firehose',
      policyDescription:
        'uns-telemetry-flattener: consume uns.telemetry, put rows into Firehose, keep rejects',
      statements: [
        ...props.cluster.consumeStatements([TELEMETRY_TOPIC], TELEMETRY_CONSUMER_GROUP),
        new iam.PolicyStatement({
          sid: 'PutRowsIntoDeliveryStream',
          actions: ['firehose:PutRecordBatch'],
          resources: [this.deliveryStream.attrArn],
        }),
        new iam.PolicyStatement({
          sid: 'KeepRejectedRecords',
          actions: ['s3:PutObject'],
          resources: [rawObjects.arn(`${TELEMETRY_REJECTS_PREFIX}*`)],
        }),
        ...s3KeyStatements(props.encryptionKey, rawBucket, ['kms:GenerateDataKey']),
      ],
    });
    const securityGroup = new ec2.SecurityGroup(this, 'FlattenerSecurityGroup', {
      vpc: props.vpc,
      description: 'uns-telemetry-flattener: HTTPS to the Firehose and S3 endpoints only',
      allowAllOutbound: false,
    });
    // HTTPS only. The subnets are isolated: their only routes lead to the VPC (Firehose interface
    // endpoint) and to the S3 gateway endpoint (rejected records), whose addresses are S3's public
    // ones, hence no narrower peer than any IPv4 address.
    securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'Firehose and S3 endpoints');

    const flattener = workspaceFunction(this, 'Flattener', {
      workspace: 'uns-telemetry-flattener',
      description: 'Flattens uns.telemetry blocks into Lakehouse rows for Firehose',
      memorySize: 512,
      timeout: Duration.minutes(2),
      role,
      logGroup,
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [securityGroup],
      reservedConcurrentExecutions: props.topicPartitions,
      environment: {
        DELIVERY_STREAM_NAME: this.deliveryStream.ref,
        REJECTS_BUCKET: rawBucket.bucketName,
        REJECTS_PREFIX: TELEMETRY_REJECTS_PREFIX,
        HEADER_MQTT_TOPIC: UNS_RECORD_HEADERS.mqttTopic,
        HEADER_RECEIVED_AT: UNS_RECORD_HEADERS.receivedAt,
        HEADER_CONTRACT_VERSION: UNS_RECORD_HEADERS.contractVersion,
        POWERTOOLS_SERVICE_NAME: 'uns-telemetry-flattener',
        POWERTOOLS_METRICS_NAMESPACE: 'uns-mlops',
      },
    });

    Validations.of(policy).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Lambda and the MSK event source mapping create and describe their VPC network interfaces before they exist; EC2 offers no narrower resource for these actions.',
      },
      {
        id: rawObjects.wildcardFinding(`${TELEMETRY_REJECTS_PREFIX}*`),
        reason:
          'Each rejected batch gets its own object named after topic, partition and offset, so the rejects prefix is the narrowest resource that covers them.',
      },
    );
    waitForPolicy(flattener, policy);
    Validations.of(flattener).acknowledge({
      id: 'NIST.800.53.R5-LambdaDLQ',
      reason:
        'The function is invoked synchronously by the MSK event source mapping, which retries a failed batch; a dead-letter queue applies only to asynchronous invocations.',
    });

    // The mapping itself, without ManagedKafkaEventSource's extra grants: the policy above holds
    // exactly what the mapping needs (IAM authentication to this cluster, topic and group).
    const mapping = flattener.addEventSourceMapping('TelemetrySource', {
      eventSourceArn: props.cluster.clusterArn,
      kafkaTopic: TELEMETRY_TOPIC,
      kafkaConsumerGroupId: TELEMETRY_CONSUMER_GROUP,
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: 100,
      maxBatchingWindow: Duration.seconds(5),
    });
    mapping.node.addDependency(policy);
    return { flattener, role };
  }
}

/**
 * The raw bucket's object ARNs under a key pattern, with the cdk-nag finding id of that wildcard.
 * A bucket of another stack is referenced through a named export, so that the finding id (which
 * embeds the resolved ARN) is known when the acknowledgement is written.
 */
class BucketObjects {
  private readonly bucketArn: string;
  private readonly crossStack: boolean;

  constructor(
    scope: Construct,
    private readonly bucket: s3.IBucket,
  ) {
    const owner = Stack.of(bucket);
    this.crossStack = owner !== Stack.of(scope);
    this.bucketArn = this.crossStack
      ? owner.exportValue(bucket.bucketArn, { name: `${owner.stackName}-RawBucketArn` })
      : bucket.bucketArn;
  }

  arn(pattern: string): string {
    return `${this.bucketArn}/${pattern}`;
  }

  wildcardFinding(pattern: string): string {
    return this.crossStack
      ? `AwsSolutions-IAM5[Resource::${Stack.of(this.bucket).stackName}-RawBucketArn/${pattern}]`
      : bucketObjectsWildcardFinding(this.bucket, pattern);
  }
}

/**
 * KMS use of the bucket key through S3 for one bucket only: the bucket uses S3 Bucket Keys, so the
 * encryption context is the bucket ARN.
 */
function s3KeyStatements(
  key: kms.IKey,
  bucket: s3.IBucket,
  actions: string[],
): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'UseLakehouseKeyThroughS3ForRawBucket',
      actions,
      resources: [key.keyArn],
      conditions: {
        StringEquals: {
          'kms:ViaService': `s3.${Stack.of(bucket).region}.amazonaws.com`,
          'kms:EncryptionContext:aws:s3:arn': bucket.bucketArn,
        },
      },
    }),
  ];
}
