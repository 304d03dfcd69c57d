import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import {
  type KafkaToLakehouseProps,
  lakehouseDeliveryStream,
  lakehouseFlattener,
  lakehouseTablePrefixes,
} from '../streaming/lakehouse-delivery';
import { VALIDATION_TOPIC } from './compliance-ingest';

/** The raw-zone Glue table the summaries fill (lib/lakehouse/tables.ts). */
export const VALIDATION_SUMMARIES_TABLE = 'validation_summaries';

/** Where the summaries' objects, Firehose's failures and the rejected records go. */
export const VALIDATION_SUMMARIES_PREFIXES = lakehouseTablePrefixes(VALIDATION_SUMMARIES_TABLE);

/** Consumer group of the summaries flattener's event source mapping. */
export const VALIDATION_SUMMARIES_CONSUMER_GROUP = 'uns-mlops-lakehouse-validation';

/** Properties of a {@link ValidationSummariesDelivery}. */
export interface ValidationSummariesDeliveryProps extends KafkaToLakehouseProps {
  /** Partitions of `uns.validation`: at most this many invocations run at once. */
  readonly topicPartitions: number;
}

/**
 * The compliance summaries of every plant into the Lakehouse raw table `validation_summaries`,
 * as Parquet partitioned by site and day, in the same way as the telemetry
 * (lib/streaming/telemetry-delivery.ts):
 *
 * MSK `uns.validation` → event source mapping (IAM auth, own consumer group
 * `uns-mlops-lakehouse-validation`, from the oldest record) → the summaries flattener
 * (`lambdas/uns-telemetry-flattener`, entry `validation-summaries-main.ts`: per channel the valid
 * row, a row per error kind and the unclassified rest, the rows the store gets) → Firehose Direct
 * PUT (de-aggregation, `site`/`dt` with JQ, Parquet from the Glue table) →
 * `s3://<raw>/validation_summaries/site=<site>/dt=<day>/`.
 *
 * Why a consumer of its own rather than a second output of the ingestion function: the two
 * deliveries fail independently (a store outage does not hold the Lakehouse back, nor a
 * Firehose fault the store), and Firehose appends: the ingestion's retries from a poison record
 * redeliver the records after it, which the store's upserts absorb but the Lakehouse would count
 * twice. This consumer rejects bad records to S3 instead of retrying them, so only a Firehose
 * failure repeats a batch, as for the telemetry. Firehose's own MSK source is not used for the
 * same reason as there: it passes no headers, and the site is only in the MQTT topic header.
 */
export class ValidationSummariesDelivery extends Construct {
  readonly deliveryStream: firehose.CfnDeliveryStream;
  readonly deliveryRole: iam.Role;
  readonly flattener: nodejs.NodejsFunction;
  readonly flattenerRole: iam.Role;

  constructor(scope: Construct, id: string, props: ValidationSummariesDeliveryProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const delivery = lakehouseDeliveryStream(this, {
      lakehouse: props.lakehouse,
      table: VALIDATION_SUMMARIES_TABLE,
      statementLabel: 'ValidationSummaries',
      encryptionKey: props.encryptionKey ?? props.lakehouse.encryptionKey,
      logKey: props.logKey,
      removalPolicy,
      alerts: props.alerts,
    });
    this.deliveryStream = delivery.stream;
    this.deliveryRole = delivery.role;
    const { flattener, role } = lakehouseFlattener(this, {
      deliveries: [delivery],
      cluster: props.cluster,
      topic: VALIDATION_TOPIC,
      consumerGroup: VALIDATION_SUMMARIES_CONSUMER_GROUP,
      sourceId: 'ValidationSource',
      vpc: props.vpc,
      subnets: props.subnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      logKey: props.logKey,
      removalPolicy,
      serviceName: 'validation-summaries-flattener',
      entryFile: 'validation-summaries-main.ts',
      functionDescription:
        'Flattens the compliance summaries of uns.validation into Lakehouse rows for Firehose',
      roleDescription:
        'validation-summaries-flattener: reads uns.validation, puts rows into Firehose',
      policyDescription:
        'validation-summaries-flattener: consume uns.validation, put rows into Firehose, keep rejects',
      reservedConcurrency: props.topicPartitions,
      // Summaries are small and few (one per site and interval); Firehose buffers 5 minutes.
      maxBatchingWindow: Duration.seconds(30),
      alerts: props.alerts,
    });
    this.flattener = flattener;
    this.flattenerRole = role;
  }
}
