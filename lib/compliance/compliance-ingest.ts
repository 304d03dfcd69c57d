import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { functionAlarms, notifyingAlarm } from '../alerts/alarms';
import { createAccessLogsBucket, createEncryptedBucket } from '../lakehouse/storage';
import { bucketObjectsWildcardFinding } from '../quality/nag-findings';
import { vpcFunctionAccess, waitForPolicy, workspaceFunction } from '../streaming/lambda-functions';
import { UNS_RECORD_HEADERS, type UnsKafkaTopic } from '../streaming/topics';
import {
  COMPLIANCE_INGEST_DEFAULTS,
  type ComplianceIngestProps,
  complianceIngestSettingsProblems,
} from './compliance-ingest-props';
import { COMPLIANCE_STORE_USERS } from './database-users';

/** The topic the plants' validators publish their summaries, samples and contracts to. */
export const VALIDATION_TOPIC: UnsKafkaTopic = 'uns.validation';

/** Kafka consumer group of the ingestion's event source mapping. */
export const INGEST_CONSUMER_GROUP = 'uns-mlops-compliance-ingest';

/** CloudWatch namespace of the ingestion's metrics (dimension `service` = `validation-ingest`). */
export const COMPLIANCE_METRICS_NAMESPACE = 'UnsMlops/Compliance';

/** Service name of the ingestion function: its logs and the `service` dimension of its metrics. */
export const INGEST_SERVICE_NAME = 'validation-ingest';

/** Why the buckets of the ingestion do not replicate: said once, acknowledged on each bucket. */
const NO_REPLICATION_REASON =
  'Dead letters are kept for people to look into and replay in this region; cross-region replication is a per-environment disaster-recovery decision with its own cost.';

/**
 * The ingestion of every plant's validation results into the compliance store: the
 * `validation-ingest` function (lambdas/validation-ingest) behind an MSK event source mapping on
 * `uns.validation` with its own consumer group, writing through the store's RDS Proxy as the
 * database user `validation_ingest` with an IAM token (`rds-db:connect` on that user only).
 *
 * Error handling (the mapping in provisioned mode, which Lambda requires for these controls on
 * Kafka sources):
 * - **partial batch response** (`ReportBatchItemFailures`): the function names its poison records;
 *   Lambda retries from them, the rest of the batch is committed;
 * - **bounded retries** (`retryAttempts`, default 10): a poison record stays poison, a store
 *   outage usually passes; no batch splitting, since a store error fails a batch on purpose and
 *   poison is named precisely;
 * - **on-failure destination: an S3 bucket** (KMS, TLS only, access-logged, versioned, expiring).
 *   Lambda writes the whole invocation (the records and why they failed) there, so a batch given
 *   up during a long store outage can be replayed after Kafka's retention, and operators read
 *   dead letters without Kafka tools. A Kafka dead-letter topic would keep only 7 days; SQS or
 *   SNS only the metadata. The mapping's pollers run in the cluster's security group, which gets
 *   HTTPS out to reach S3 through the gateway endpoint.
 *
 * Alarms (with `alerts`): poison records (the function's `PoisonRecords` of any `Reason`, a
 * Metrics Insights query) above 0 in 5 minutes; the function's errors (failed batches, e.g. the
 * store unreachable), throttles and offset lag; the lag of its consumer group.
 */
export class ComplianceIngest extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  /** The function's own group (no rules), beside the store's client group. */
  readonly securityGroup: ec2.SecurityGroup;
  readonly eventSourceMapping: lambda.EventSourceMapping;
  /** Where the mapping puts what it gave up on. */
  readonly deadLetterBucket: s3.Bucket;
  readonly deadLetterKey: kms.IKey;
  /** `PoisonRecords` above 0 in 5 minutes (with `alerts`). */
  readonly poisonRecordsAlarm?: cloudwatch.Alarm;
  /** Function errors (a failed batch) above 0 in a period (with `alerts`). */
  readonly errorsAlarm?: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ComplianceIngestProps) {
    super(scope, id);
    const problems = complianceIngestSettingsProblems(props);
    if (problems.length > 0) {
      throw new Error(
        [
          `${this.node.path}: invalid compliance ingestion props:`,
          ...problems.map((p) => `  - ${p}`),
        ].join('\n'),
      );
    }
    const settings = { ...COMPLIANCE_INGEST_DEFAULTS, ...definedOnly(props) };
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const subnets = props.subnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
    const { store, cluster } = props;

    this.deadLetterKey =
      props.deadLetterKey ??
      new kms.Key(this, 'DeadLetterKey', {
        description: 'uns-mlops compliance ingestion: dead letters of uns.validation',
        enableKeyRotation: true,
        removalPolicy,
      });
    this.deadLetterBucket = createEncryptedBucket(this, 'DeadLetters', {
      encryptionKey: this.deadLetterKey,
      accessLogs:
        props.accessLogsBucket ??
        createAccessLogsBucket(this, 'AccessLogs', {
          expireAfterDays: 365,
          removalPolicy,
          noReplicationReason: NO_REPLICATION_REASON,
        }),
      accessLogsPrefix: 'dead-letters/',
      lifecycleRules: [
        {
          id: 'abort-incomplete-multipart-uploads',
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
        {
          id: 'expire-dead-letters',
          expiration: Duration.days(settings.deadLetterExpireAfterDays),
          noncurrentVersionExpiration: Duration.days(30),
        },
      ],
      removalPolicy,
      noReplicationReason: NO_REPLICATION_REASON,
    });

    const access = vpcFunctionAccess(this, 'Ingest', {
      logKey: props.logKey,
      removalPolicy,
      roleDescription: `${INGEST_SERVICE_NAME}: reads uns.validation, writes the compliance store`,
      policyDescription: `${INGEST_SERVICE_NAME}: consume uns.validation, connect to the compliance store as ${COMPLIANCE_STORE_USERS.ingest}, keep dead letters`,
      statements: [
        ...cluster.consumeStatements([VALIDATION_TOPIC], INGEST_CONSUMER_GROUP),
        store.connectStatement(COMPLIANCE_STORE_USERS.ingest),
        ...this.deadLetterStatements(),
      ],
    });
    this.role = access.role;
    Validations.of(access.policy).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Lambda and the MSK event source mapping create and describe their VPC network interfaces before they exist; EC2 offers no narrower resource for these actions.',
      },
      {
        id: bucketObjectsWildcardFinding(this.deadLetterBucket, '*'),
        reason:
          'Lambda names each dead-letter object after the failed invocation; the bucket holds nothing else, so its objects are the narrowest resource.',
      },
    );

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `${INGEST_SERVICE_NAME}: no network access of its own; the store client group reaches the RDS Proxy`,
      allowAllOutbound: false,
    });
    this.function = workspaceFunction(this, 'Ingest', {
      workspace: 'validation-ingest',
      description: "Writes every plant's compliance summaries from uns.validation into the store",
      memorySize: 512,
      timeout: Duration.minutes(1),
      role: access.role,
      logGroup: access.logGroup,
      vpc: props.vpc,
      vpcSubnets: subnets,
      securityGroups: [this.securityGroup, store.clientSecurityGroup],
      reservedConcurrentExecutions: props.topicPartitions,
      environment: {
        DB_HOST: store.proxyEndpoint,
        DB_PORT: String(store.proxyPort),
        DB_NAME: store.databaseName,
        DB_USER: COMPLIANCE_STORE_USERS.ingest,
        METRICS_NAMESPACE: COMPLIANCE_METRICS_NAMESPACE,
        HEADER_MQTT_TOPIC: UNS_RECORD_HEADERS.mqttTopic,
        QUARANTINE_PREFIX: settings.quarantinePrefix,
        // The RDS certificate authorities, which Lambda's Node.js runtimes ship there: TLS to the
        // proxy is verified against them.
        NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
        POWERTOOLS_SERVICE_NAME: INGEST_SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: COMPLIANCE_METRICS_NAMESPACE,
      },
    });
    waitForPolicy(this.function, access.policy);
    Validations.of(this.function).acknowledge({
      id: 'NIST.800.53.R5-LambdaDLQ',
      reason:
        'The function is invoked synchronously by the MSK event source mapping, whose on-failure destination (the dead-letter bucket) keeps what fails; a dead-letter queue applies only to asynchronous invocations.',
    });

    // The mapping's pollers use the cluster's security group; the dead letters leave through the
    // S3 gateway endpoint, whose addresses are S3's public ones (no narrower peer than any IPv4
    // address; the subnets have no other route out). The rule belongs to this construct, so it
    // goes with it.
    new ec2.CfnSecurityGroupEgress(this, 'PollersToDeadLetters', {
      groupId: cluster.securityGroup.securityGroupId,
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      cidrIp: '0.0.0.0/0',
      description: 'Lambda event source mapping pollers: dead letters to S3 (gateway endpoint)',
    });

    const deadLetterArn = this.deadLetterBucket.bucketArn;
    this.eventSourceMapping = this.function.addEventSourceMapping('Source', {
      eventSourceArn: cluster.clusterArn,
      kafkaTopic: VALIDATION_TOPIC,
      kafkaConsumerGroupId: INGEST_CONSUMER_GROUP,
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: settings.batchSize,
      maxBatchingWindow: Duration.seconds(5),
      provisionedPollerConfig: {
        minimumPollers: settings.minimumPollers,
        maximumPollers: settings.maximumPollers,
        ...(props.pollerGroupName !== undefined && { pollerGroupName: props.pollerGroupName }),
      },
      reportBatchItemFailures: true,
      retryAttempts: settings.retryAttempts,
      bisectBatchOnError: false,
      // The bucket itself: the rights to write it are in the function's policy above, narrower
      // than S3OnFailureDestination's read-write grant.
      onFailure: { bind: () => ({ destination: deadLetterArn }) },
    });
    this.eventSourceMapping.node.addDependency(access.policy);

    const { alerts } = props;
    if (alerts === undefined) return;
    this.poisonRecordsAlarm = notifyingAlarm(this, 'PoisonRecordsAlarm', alerts, {
      name: `${INGEST_SERVICE_NAME}-poison-records`,
      description: `${INGEST_SERVICE_NAME}: records of uns.validation that cannot be ingested (any Reason); they go to the dead-letter bucket once their retries are spent. See the function log for the Reason.`,
      metric: new cloudwatch.MathExpression({
        expression: `SELECT SUM(PoisonRecords) FROM SCHEMA("${COMPLIANCE_METRICS_NAMESPACE}", Reason, service) WHERE service = '${INGEST_SERVICE_NAME}'`,
        label: 'Poison records',
        period: Duration.minutes(5),
        usingMetrics: {},
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    [this.errorsAlarm] = functionAlarms(this, this.function, alerts, INGEST_SERVICE_NAME, {
      kafkaConsumer: true,
      hint: 'Failed batches (e.g. the compliance store unreachable) are retried, then sent to the dead-letter bucket; see the function log.',
    });
    cluster.consumerLagAlarm(this, alerts, VALIDATION_TOPIC, INGEST_CONSUMER_GROUP);
  }

  /**
   * What Lambda needs to write the dead letters as the function's role: list the bucket, put
   * objects, and a data key of the bucket's key through S3 for this bucket only.
   */
  private deadLetterStatements(): iam.PolicyStatement[] {
    const bucket = this.deadLetterBucket;
    return [
      new iam.PolicyStatement({
        sid: 'ListDeadLetters',
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
      }),
      new iam.PolicyStatement({
        sid: 'WriteDeadLetters',
        actions: ['s3:PutObject'],
        resources: [bucket.arnForObjects('*')],
      }),
      new iam.PolicyStatement({
        sid: 'EncryptDeadLetters',
        actions: ['kms:GenerateDataKey'],
        resources: [this.deadLetterKey.keyArn],
        conditions: {
          StringEquals: {
            'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com`,
            'kms:EncryptionContext:aws:s3:arn': bucket.bucketArn,
          },
        },
      }),
    ];
  }
}

/** The entries of `object` whose value is not `undefined`, so they do not mask defaults. */
function definedOnly<T extends object>(object: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(object).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}
