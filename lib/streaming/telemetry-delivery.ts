import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import type { Alerting } from '../alerts/alarms';
import type { Lakehouse } from '../lakehouse';
import type { UnsKafkaCluster } from './kafka-cluster';
import {
  lakehouseDeliveryStream,
  lakehouseFlattener,
  lakehouseTablePrefixes,
} from './lakehouse-delivery';
import { TELEMETRY_TOPIC } from './topics';

const TABLE = 'uns_telemetry';
const PREFIXES = lakehouseTablePrefixes(TABLE);
/** Where the table's Parquet objects go: the Glue table's `site=`/`dt=` partition layout. */
export const TELEMETRY_PREFIX = PREFIXES.data;
/** Where Firehose puts what it could not convert or partition, by error kind and day. */
export const TELEMETRY_ERROR_PREFIX = PREFIXES.errors;
/** Where the flattener keeps Kafka records that break the record contract. */
export const TELEMETRY_REJECTS_PREFIX = PREFIXES.rejects;
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
  /**
   * Where the stream's, the flattener's and its consumer group's alarms go.
   * @default - no alarms.
   */
  readonly alerts?: Alerting;
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
    const delivery = lakehouseDeliveryStream(this, {
      lakehouse: props.lakehouse,
      table: TABLE,
      statementLabel: 'Telemetry',
      encryptionKey: props.encryptionKey,
      logKey: props.logKey,
      removalPolicy: props.removalPolicy,
      alerts: props.alerts,
    });
    this.deliveryStream = delivery.stream;
    this.deliveryRole = delivery.role;
    const { flattener, role } = lakehouseFlattener(this, {
      deliveries: [delivery],
      cluster: props.cluster,
      topic: TELEMETRY_TOPIC,
      consumerGroup: TELEMETRY_CONSUMER_GROUP,
      sourceId: 'TelemetrySource',
      vpc: props.vpc,
      subnets: props.subnets,
      logKey: props.logKey,
      removalPolicy: props.removalPolicy,
      serviceName: 'uns-telemetry-flattener',
      entryFile: 'main.ts',
      functionDescription: 'Flattens uns.telemetry blocks into Lakehouse rows for Firehose',
      roleDescription: 'uns-telemetry-flattener: reads uns.telemetry, puts rows into Firehose',
      policyDescription:
        'uns-telemetry-flattener: consume uns.telemetry, put rows into Firehose, keep rejects',
      reservedConcurrency: props.topicPartitions,
      maxBatchingWindow: Duration.seconds(5),
      alerts: props.alerts,
    });
    this.flattener = flattener;
    this.flattenerRole = role;
  }
}
