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
import type { Construct } from 'constructs';
import { type Alerting, deliveryStreamAlarms, functionAlarms } from '../alerts/alarms';
import type { Lakehouse } from '../lakehouse';
import { BucketObjects } from '../quality/bucket-objects';
import type { UnsKafkaCluster } from './kafka-cluster';
import { vpcFunctionAccess, waitForPolicy, workspaceFunction } from './lambda-functions';
import { UNS_RECORD_HEADERS } from './topics';

/** Where a raw table's rows, Firehose's failures and a flattener's rejects go in the raw bucket. */
export interface LakehouseTablePrefixes {
  /** The table's Parquet objects: the Glue table's `site=`/`dt=` partition layout. */
  readonly data: string;
  /** What Firehose could not convert or partition, by error kind and day. */
  readonly errors: string;
  /** Kafka records a flattener refused, kept whole to be replayed. */
  readonly rejects: string;
}

/** The prefixes of one raw table (`uns_telemetry`, `validation_summaries`, ...). */
export function lakehouseTablePrefixes(table: string): LakehouseTablePrefixes {
  return {
    data: `${table}/site=!{partitionKeyFromQuery:site}/dt=!{partitionKeyFromQuery:dt}/`,
    errors: `errors/${table}/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/`,
    rejects: `errors/${table}/rejected/`,
  };
}

/**
 * What a construct that brings UNS Kafka topics into Lakehouse raw tables through flatteners is
 * given (UnsClassDeliveries, ValidationSummariesDelivery): the cluster, the Lakehouse, the network
 * and the keys.
 */
export interface KafkaToLakehouseProps {
  /** The MSK cluster the bridges produce the UNS topics to. */
  readonly cluster: UnsKafkaCluster;
  /** The Lakehouse whose raw tables receive the rows. */
  readonly lakehouse: Lakehouse;
  /** The VPC of the cluster and the flatteners. */
  readonly vpc: ec2.IVpc;
  /**
   * Subnets of the flatteners: they reach the Firehose endpoint and the S3 gateway endpoint.
   * @default - the VPC's private isolated subnets.
   */
  readonly subnets?: ec2.SubnetSelection;
  /** Key of the functions' and the streams' log groups. */
  readonly logKey: kms.IKey;
  /**
   * Key of the streams and the delivered objects.
   * @default - the Lakehouse's encryption key, which encrypts the raw bucket.
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * What happens to the log groups when they leave the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Where the alarms of the streams, the flatteners and their consumer groups go.
   * @default - no alarms.
   */
  readonly alerts?: Alerting;
}

/** Properties of {@link lakehouseDeliveryStream}. */
export interface LakehouseDeliveryStreamProps {
  readonly lakehouse: Lakehouse;
  /** The raw-zone Glue table the rows convert into, also the objects' first prefix. */
  readonly table: string;
  /** Word of the policy statement ids naming the table, e.g. `Telemetry`. */
  readonly statementLabel: string;
  /** Key of the stream and the delivered objects (the Lakehouse key). */
  readonly encryptionKey: kms.IKey;
  /** Key of the delivery log group. */
  readonly logKey: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
  /**
   * Where the stream's alarms go (delivery failed, conversion failed, freshness), named after
   * the table (`<prefix>-firehose-<table>-...`).
   * @default - no alarms.
   */
  readonly alerts?: Alerting;
}

/** What {@link lakehouseDeliveryStream} creates. */
export interface LakehouseDeliveryStream {
  /** The raw-zone table the stream converts its rows into. */
  readonly table: string;
  readonly stream: firehose.CfnDeliveryStream;
  readonly role: iam.Role;
  /** Lake Formation `DESCRIBE` on the table for the stream's role (the stream waits for it). */
  readonly describeTableGrant: lakeformation.CfnPrincipalPermissions;
  /** The raw bucket the table's objects and the rejects go to. */
  readonly rawBucket: s3.IBucket;
  /** The Lakehouse key, which encrypts the stream and the objects. */
  readonly encryptionKey: kms.IKey;
  /** The raw bucket's objects, as the flattener's policy names them. */
  readonly rawObjects: BucketObjects;
  readonly prefixes: LakehouseTablePrefixes;
}

/**
 * Amazon Data Firehose (Direct PUT) into one raw-zone table of the Lakehouse, in `scope`:
 * de-aggregation of newline-delimited JSON rows, `site` and `dt` extracted with JQ for dynamic
 * partitioning, Parquet (Snappy) converted from the Glue table's schema, encrypted with the
 * Lakehouse key, errors under their own prefix, delivery errors logged. Its role writes only the
 * table's and its errors' prefixes, uses the key only through S3 for the raw bucket, reads only
 * that table's schema, and holds Lake Formation DESCRIBE on that table.
 *
 * Children of `scope`: `DeliveryLogs`, `DeliveryRole`, `DeliveryPolicy`, `DescribeTableGrant`,
 * `Stream` (so one scope holds one stream), and with `alerts` the stream's alarms.
 */
export function lakehouseDeliveryStream(
  scope: Construct,
  props: LakehouseDeliveryStreamProps,
): LakehouseDeliveryStream {
  const { table } = props;
  const stack = Stack.of(scope);
  const rawBucket = props.lakehouse.storage.rawBucket;
  const rawDatabase = props.lakehouse.catalog.raw.database;
  const glueTable = props.lakehouse.catalog.raw.tables[table];
  const rawObjects = new BucketObjects(scope, rawBucket, 'RawBucketArn');
  if (glueTable === undefined) throw new Error(`The Lakehouse has no raw table ${table}`);
  const prefixes = lakehouseTablePrefixes(table);

  const deliveryLogs = new logs.LogGroup(scope, 'DeliveryLogs', {
    encryptionKey: props.logKey,
    retention: logs.RetentionDays.ONE_YEAR,
    removalPolicy: props.removalPolicy,
  });
  const deliveryLogStream = deliveryLogs.addStream('S3Delivery', { logStreamName: 'S3Delivery' });

  const role = new iam.Role(scope, 'DeliveryRole', {
    assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }),
    description: `Firehose delivery of ${table} rows into the Lakehouse raw zone`,
  });
  const deliveryPolicy = new iam.ManagedPolicy(scope, 'DeliveryPolicy', {
    description: `Firehose: write ${table} Parquet and errors to the raw zone, read the table schema`,
    roles: [role],
    statements: [
      new iam.PolicyStatement({
        sid: 'LocateRawBucket',
        actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
        resources: [rawBucket.bucketArn],
      }),
      new iam.PolicyStatement({
        sid: `Write${props.statementLabel}AndErrors`,
        actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:GetObject'],
        resources: [rawObjects.arn(`${table}/*`), rawObjects.arn(`errors/${table}/*`)],
      }),
      ...s3KeyStatements(props.encryptionKey, rawBucket, ['kms:GenerateDataKey', 'kms:Decrypt']),
      new iam.PolicyStatement({
        sid: `Read${props.statementLabel}TableSchema`,
        actions: ['glue:GetTable', 'glue:GetTableVersion', 'glue:GetTableVersions'],
        resources: [
          stack.formatArn({ service: 'glue', resource: 'catalog' }),
          rawDatabase.databaseArn,
          glueTable.tableArn,
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
  for (const pattern of [`${table}/*`, `errors/${table}/*`]) {
    Validations.of(deliveryPolicy).acknowledge({
      id: rawObjects.wildcardFinding(pattern),
      reason:
        'Firehose names each object after its partition, time and a random suffix, so the table prefix is the narrowest resource that covers them.',
    });
  }

  // Lake Formation governs the raw database (no IAMAllowedPrincipals): reading the table's
  // schema for Parquet conversion needs DESCRIBE on it.
  const describeTable = new lakeformation.CfnPrincipalPermissions(scope, 'DescribeTableGrant', {
    principal: { dataLakePrincipalIdentifier: role.roleArn },
    resource: {
      table: { catalogId: stack.account, databaseName: rawDatabase.databaseName, name: table },
    },
    permissions: ['DESCRIBE'],
    permissionsWithGrantOption: [],
  });

  const stream = new firehose.CfnDeliveryStream(scope, 'Stream', {
    deliveryStreamType: 'DirectPut',
    deliveryStreamEncryptionConfigurationInput: {
      keyType: 'CUSTOMER_MANAGED_CMK',
      keyArn: props.encryptionKey.keyArn,
    },
    extendedS3DestinationConfiguration: {
      bucketArn: rawBucket.bucketArn,
      roleArn: role.roleArn,
      prefix: prefixes.data,
      errorOutputPrefix: prefixes.errors,
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
          tableName: table,
          region: stack.region,
          roleArn: role.roleArn,
          versionId: 'LATEST',
        },
      },
    },
  });
  stream.node.addDependency(deliveryPolicy, describeTable);
  if (props.alerts !== undefined) {
    deliveryStreamAlarms(
      scope,
      stream.ref,
      props.alerts,
      `firehose-${table.replace(/_/g, '-')}`,
      `errors/${table}/`,
    );
  }
  return {
    table,
    stream,
    role,
    describeTableGrant: describeTable,
    rawBucket,
    encryptionKey: props.encryptionKey,
    rawObjects,
    prefixes,
  };
}

/** Properties of {@link lakehouseFlattener}. */
export interface LakehouseFlattenerProps {
  /**
   * The streams the rows go into, one per table the function fills (from
   * {@link lakehouseDeliveryStream}, all into the same raw bucket).
   */
  readonly deliveries: readonly LakehouseDeliveryStream[];
  /**
   * Where the function keeps the records it rejects, in the raw bucket, ending in `/`.
   * @default - the rejects prefix of the table, for a function that fills one table; required
   *   for a function of several tables.
   */
  readonly rejectsPrefix?: string;
  readonly cluster: UnsKafkaCluster;
  /** The Kafka topic the function reads, and its own consumer group. */
  readonly topic: string;
  readonly consumerGroup: string;
  /** Construct id of the event source mapping, e.g. `TelemetrySource`. */
  readonly sourceId: string;
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly logKey: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
  /** Service name of the function (logs, metrics, IAM and group descriptions). */
  readonly serviceName: string;
  /** The entry file under `lambdas/uns-telemetry-flattener/src/`. */
  readonly entryFile: string;
  readonly functionDescription: string;
  readonly roleDescription: string;
  readonly policyDescription: string;
  /** At most this many invocations run at once (the topic's partitions). */
  readonly reservedConcurrency: number;
  /** Settings of the function besides the streams, the rejects and the record headers. */
  readonly environment?: Record<string, string>;
  /** How long the mapping gathers records before it invokes the function. */
  readonly maxBatchingWindow: Duration;
  /**
   * Where the function's alarms (errors, throttles, offset lag) and its consumer group's lag
   * alarm go, named after the service name.
   * @default - no alarms.
   */
  readonly alerts?: Alerting;
}

/**
 * A function of the `uns-telemetry-flattener` workspace between one Kafka topic and the Lakehouse
 * delivery streams of the tables it fills, in `scope`: an MSK event source mapping with its own
 * consumer group from the oldest record, in the private subnets with HTTPS out only (Firehose
 * endpoint, S3 gateway), a role that reads that topic and commits that group, puts rows into
 * those streams only and keeps rejected records under its rejects prefix. The function finds the
 * stream of each table in `DELIVERY_STREAMS` (a JSON object of table → stream name).
 *
 * Children of `scope`: `FlattenerLogs`, `FlattenerRole`, `FlattenerPolicy`,
 * `FlattenerSecurityGroup`, `Flattener` (and the mapping under it), and with `alerts` the
 * function's alarms (`<serviceName>-alarms`) and its group's lag alarm (`<group>-lag`).
 */
export function lakehouseFlattener(
  scope: Construct,
  props: LakehouseFlattenerProps,
): { flattener: nodejs.NodejsFunction; role: iam.Role } {
  const [delivery, ...others] = props.deliveries;
  if (delivery === undefined) throw new Error(`${props.serviceName}: no delivery stream given`);
  const rejectsPrefix =
    props.rejectsPrefix ?? (others.length === 0 ? delivery.prefixes.rejects : undefined);
  if (rejectsPrefix === undefined) {
    throw new Error(`${props.serviceName}: a function of several tables needs a rejectsPrefix`);
  }
  const { rawObjects } = delivery;
  const { role, logGroup, policy } = vpcFunctionAccess(scope, 'Flattener', {
    logKey: props.logKey,
    removalPolicy: props.removalPolicy,
    roleDescription: props.roleDescription,
    policyDescription: props.policyDescription,
    statements: [
      ...props.cluster.consumeStatements([props.topic], props.consumerGroup),
      new iam.PolicyStatement({
        sid: 'PutRowsIntoDeliveryStream',
        actions: ['firehose:PutRecordBatch'],
        resources: props.deliveries.map(({ stream }) => stream.attrArn),
      }),
      new iam.PolicyStatement({
        sid: 'KeepRejectedRecords',
        actions: ['s3:PutObject'],
        resources: [rawObjects.arn(`${rejectsPrefix}*`)],
      }),
      ...s3KeyStatements(delivery.encryptionKey, delivery.rawBucket, ['kms:GenerateDataKey']),
    ],
  });
  const securityGroup = new ec2.SecurityGroup(scope, 'FlattenerSecurityGroup', {
    vpc: props.vpc,
    description: `${props.serviceName}: HTTPS to the Firehose and S3 endpoints only`,
    allowAllOutbound: false,
  });
  // HTTPS only. The subnets are isolated: their only routes lead to the VPC (Firehose interface
  // endpoint) and to the S3 gateway endpoint (rejected records), whose addresses are S3's public
  // ones, hence no narrower peer than any IPv4 address.
  securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'Firehose and S3 endpoints');

  const flattener = workspaceFunction(scope, 'Flattener', {
    workspace: 'uns-telemetry-flattener',
    entryFile: props.entryFile,
    description: props.functionDescription,
    memorySize: 512,
    timeout: Duration.minutes(2),
    role,
    logGroup,
    vpc: props.vpc,
    vpcSubnets: props.subnets,
    securityGroups: [securityGroup],
    reservedConcurrentExecutions: props.reservedConcurrency,
    environment: {
      DELIVERY_STREAMS: Stack.of(scope).toJsonString(
        Object.fromEntries(props.deliveries.map(({ table, stream }) => [table, stream.ref])),
      ),
      REJECTS_BUCKET: delivery.rawBucket.bucketName,
      REJECTS_PREFIX: rejectsPrefix,
      HEADER_MQTT_TOPIC: UNS_RECORD_HEADERS.mqttTopic,
      HEADER_RECEIVED_AT: UNS_RECORD_HEADERS.receivedAt,
      HEADER_CONTRACT_VERSION: UNS_RECORD_HEADERS.contractVersion,
      ...props.environment,
      POWERTOOLS_SERVICE_NAME: props.serviceName,
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
      id: rawObjects.wildcardFinding(`${rejectsPrefix}*`),
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
  const mapping = flattener.addEventSourceMapping(props.sourceId, {
    eventSourceArn: props.cluster.clusterArn,
    kafkaTopic: props.topic,
    kafkaConsumerGroupId: props.consumerGroup,
    startingPosition: lambda.StartingPosition.TRIM_HORIZON,
    batchSize: 100,
    maxBatchingWindow: props.maxBatchingWindow,
  });
  mapping.node.addDependency(policy);
  if (props.alerts !== undefined) {
    functionAlarms(scope, flattener, props.alerts, props.serviceName, {
      kafkaConsumer: true,
      hint: `Rows of ${props.topic} wait in Kafka while it fails; see the function log, and the Firehose stream's alarms.`,
    });
    props.cluster.consumerLagAlarm(scope, props.alerts, props.topic, props.consumerGroup);
  }
  return { flattener, role };
}

/**
 * KMS use of the bucket key through S3 for one bucket only: the bucket uses S3 Bucket Keys, so the
 * encryption context is the bucket ARN.
 */
export function s3KeyStatements(
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
