import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import type * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import {
  type KafkaToLakehouseProps,
  lakehouseDeliveryStream,
  lakehouseFlattener,
  lakehouseTablePrefixes,
} from './lakehouse-delivery';
import type { UnsKafkaTopic } from './topics';

/** One UNS data class on its way into the Lakehouse: its Kafka topic, its tables, its flattener. */
export interface UnsClassFlattener {
  /** Construct id of the class's streams and flattener, e.g. `Ml`. */
  readonly id: string;
  /** The Kafka topic the bridges produce the class to. */
  readonly topic: UnsKafkaTopic;
  /** The raw-zone tables the flattener fills, each through a delivery stream of its own. */
  readonly tables: readonly string[];
  /** Consumer group of the flattener's event source mapping. */
  readonly consumerGroup: string;
  /** Where in the raw bucket the flattener keeps the records it rejects. */
  readonly rejectsPrefix: string;
  /** Service name of the function (logs, metrics, IAM descriptions). */
  readonly serviceName: string;
  /** The function's entry file under `lambdas/uns-telemetry-flattener/src/`. */
  readonly entryFile: string;
  /** What the class's messages are, in the function's description. */
  readonly messages: string;
  /** How long the mapping gathers records before it invokes the function. */
  readonly maxBatchingWindow: Duration;
}

/** A class of one table, whose rejects go under that table's errors. */
function oneTableClass(
  props: Omit<UnsClassFlattener, 'tables' | 'rejectsPrefix'> & { readonly table: string },
): UnsClassFlattener {
  const { table, ...rest } = props;
  return { ...rest, tables: [table], rejectsPrefix: lakehouseTablePrefixes(table).rejects };
}

/**
 * The UNS data classes {@link UnsClassDeliveries} brings into the Lakehouse (telemetry and the
 * validator's summaries have deliveries of their own). One flattener per Kafka topic: a topic's
 * failures (a poison batch, a Firehose stream refusing rows) hold back and retry only that topic.
 */
export const UNS_CLASS_FLATTENERS: readonly UnsClassFlattener[] = [
  {
    id: 'Ml',
    topic: 'uns.ml',
    tables: ['inference_results', 'anomaly_events', 'model_drift', 'model_status'],
    consumerGroup: 'uns-mlops-lakehouse-ml',
    // The records of four tables, some of which cannot be told apart: named after the topic.
    rejectsPrefix: 'errors/uns.ml/rejected/',
    serviceName: 'uns-ml-flattener',
    entryFile: 'ml-main.ts',
    messages: 'anomaly scores, anomaly events, drift statistics and model status',
    // A score per window of every asset: as busy as the telemetry.
    maxBatchingWindow: Duration.seconds(5),
  },
  oneTableClass({
    id: 'States',
    topic: 'uns.state',
    table: 'asset_states',
    consumerGroup: 'uns-mlops-lakehouse-state',
    serviceName: 'asset-states-flattener',
    entryFile: 'asset-states-main.ts',
    messages: 'asset states',
    // A message per change, few per minute: gather longer (Firehose buffers 5 minutes anyway).
    maxBatchingWindow: Duration.seconds(30),
  }),
  oneTableClass({
    id: 'Alarms',
    topic: 'uns.alarm',
    table: 'asset_alarms',
    consumerGroup: 'uns-mlops-lakehouse-alarm',
    serviceName: 'asset-alarms-flattener',
    entryFile: 'asset-alarms-main.ts',
    messages: 'alarms',
    maxBatchingWindow: Duration.seconds(30),
  }),
  oneTableClass({
    id: 'Inspections',
    topic: 'uns.inspection',
    table: 'seam_inspections',
    consumerGroup: 'uns-mlops-lakehouse-inspection',
    serviceName: 'seam-inspections-flattener',
    entryFile: 'seam-inspections-main.ts',
    messages: 'seam inspections',
    maxBatchingWindow: Duration.seconds(30),
  }),
];

/** Properties of {@link UnsClassDeliveries}. */
export interface UnsClassDeliveriesProps extends KafkaToLakehouseProps {
  /** Partitions of each UNS topic: at most this many invocations of its flattener run at once. */
  readonly partitions: Readonly<Record<UnsKafkaTopic, number>>;
}

/**
 * Every UNS data class besides telemetry and validation summaries into the Lakehouse raw zone,
 * as Parquet partitioned by site and day, the way the telemetry goes (telemetry-delivery.ts), one
 * flattener per Kafka topic ({@link UNS_CLASS_FLATTENERS}):
 *
 * MSK topic → event source mapping (IAM auth, the topic's own consumer group, from the oldest
 * record) → the topic's flattener (`lambdas/uns-telemetry-flattener`: the table(s) and rows from
 * the MQTT topic header and the payload; a record that breaks the contract is kept under its
 * rejects prefix, not retried) → one Firehose Direct PUT stream per table (Parquet conversion
 * reads one Glue schema per stream) → `s3://<raw>/<table>/site=<site>/dt=<day>/`.
 *
 * `uns.ml` fills four tables (`inference_results`, scores and shadow scores; `anomaly_events`;
 * `model_drift`; `model_status`); `uns.state`, `uns.alarm` and `uns.inspection` one each
 * (`asset_states`, `asset_alarms`, `seam_inspections`). Each flattener may read only its topic,
 * commit only its group, put only into its own streams and write only its rejects prefix.
 *
 * Children: per class (`Ml`, `States`, `Alarms`, `Inspections`) the flattener, and per table a
 * namespace (e.g. `Ml/InferenceResults`) holding its stream.
 */
export class UnsClassDeliveries extends Construct {
  /** The delivery stream of each table, by table name. */
  readonly deliveryStreams: ReadonlyMap<string, firehose.CfnDeliveryStream>;
  /** The flattener of each topic. */
  readonly flatteners: ReadonlyMap<UnsKafkaTopic, nodejs.NodejsFunction>;

  constructor(scope: Construct, id: string, props: UnsClassDeliveriesProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const encryptionKey = props.encryptionKey ?? props.lakehouse.encryptionKey;
    const streams = new Map<string, firehose.CfnDeliveryStream>();
    const flatteners = new Map<UnsKafkaTopic, nodejs.NodejsFunction>();
    const grants: lakeformation.CfnPrincipalPermissions[] = [];
    for (const spec of UNS_CLASS_FLATTENERS) {
      const classScope = new Construct(this, spec.id);
      const deliveries = spec.tables.map((table) =>
        lakehouseDeliveryStream(new Construct(classScope, pascalCase(table)), {
          lakehouse: props.lakehouse,
          table,
          statementLabel: pascalCase(table),
          encryptionKey,
          logKey: props.logKey,
          removalPolicy,
          alerts: props.alerts,
        }),
      );
      for (const delivery of deliveries) {
        streams.set(delivery.table, delivery.stream);
        grants.push(delivery.describeTableGrant);
      }
      const { flattener } = lakehouseFlattener(classScope, {
        deliveries,
        rejectsPrefix: spec.rejectsPrefix,
        cluster: props.cluster,
        topic: spec.topic,
        consumerGroup: spec.consumerGroup,
        sourceId: `${spec.id}Source`,
        vpc: props.vpc,
        subnets: props.subnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        logKey: props.logKey,
        removalPolicy,
        serviceName: spec.serviceName,
        entryFile: spec.entryFile,
        functionDescription: `Flattens ${spec.topic} (${spec.messages}) into Lakehouse rows for Firehose`,
        roleDescription: `${spec.serviceName}: reads ${spec.topic}, puts rows into Firehose`,
        policyDescription: `${spec.serviceName}: consume ${spec.topic}, put rows into the ${spec.tables.join(', ')} streams, keep rejects`,
        reservedConcurrency: props.partitions[spec.topic],
        maxBatchingWindow: spec.maxBatchingWindow,
        alerts: props.alerts,
      });
      flatteners.set(spec.topic, flattener);
    }
    // CloudFormation creates independent resources at once, and Lake Formation may refuse grants
    // that run at once (ConcurrentModificationException): one grant after the other.
    for (const [index, grant] of grants.entries()) {
      const previous = grants[index - 1];
      if (previous !== undefined) grant.node.addDependency(previous);
    }
    this.deliveryStreams = streams;
    this.flatteners = flatteners;
  }
}

/** `inference_results` → `InferenceResults`: construct ids and policy statement ids. */
function pascalCase(table: string): string {
  return table
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}
