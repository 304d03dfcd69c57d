import { CfnOutput, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as msk from 'aws-cdk-lib/aws-msk';
import { Construct } from 'constructs';
import { UnsKafkaCluster } from './kafka-cluster';
import { ServerlessTopics } from './serverless-topics';
import { STREAMING_DEFAULTS, type UnsStreamingProps } from './streaming-props';
import { TelemetryDelivery } from './telemetry-delivery';
import { TELEMETRY_TOPIC, UNS_KAFKA_TOPICS, type UnsKafkaTopic } from './topics';
import { UnsClassDeliveries } from './uns-class-deliveries';
import { streamingSettingsProblems } from './validate-props';

/**
 * The plant-to-cloud streaming path: an MSK cluster (serverless or provisioned) in private
 * subnets with IAM authentication and TLS, the UNS topics, the delivery of telemetry and of the
 * other UNS data classes (inference results, states, alarms, seam inspections) into the Lakehouse
 * raw zone as Parquet, and the managed policy a plant's bridge attaches to produce.
 */
export class UnsStreaming extends Construct {
  readonly cluster: UnsKafkaCluster;
  readonly telemetryDelivery: TelemetryDelivery;
  /** The deliveries of `uns.ml`, `uns.state`, `uns.alarm` and `uns.inspection` into their tables. */
  readonly classDeliveries: UnsClassDeliveries;
  /**
   * Produce rights on the UNS topics only (connect, idempotent writes, describe and write
   * `uns.*`): attach it to the Greengrass token-exchange role of the plants' core devices.
   */
  readonly bridgeProducerPolicy: iam.ManagedPolicy;
  /** `AWS::MSK::Topic` per UNS topic (provisioned clusters; empty on MSK Serverless). */
  readonly topics: ReadonlyMap<UnsKafkaTopic, msk.CfnTopic>;
  /**
   * The custom resource that creates the UNS topics on MSK Serverless, where `AWS::MSK::Topic` is
   * not available (undefined for provisioned clusters).
   */
  readonly serverlessTopics?: ServerlessTopics;
  /** Partitions of each UNS topic. */
  readonly partitions: Readonly<Record<UnsKafkaTopic, number>>;

  constructor(scope: Construct, id: string, props: UnsStreamingProps) {
    super(scope, id);
    const subnets = props.subnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
    const zones = props.vpc.selectSubnets(subnets).availabilityZones.length;
    const problems = streamingSettingsProblems(props, zones);
    if (zones < 2)
      problems.push(`subnets span ${zones} availability zone(s); MSK needs at least 2`);
    if (problems.length > 0) {
      throw new Error(
        `Invalid streaming props at ${this.node.path}:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      );
    }
    const settings = props.cluster ?? STREAMING_DEFAULTS.cluster;
    const vpcCidr = props.vpcCidr ?? props.vpc.vpcCidrBlock;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const encryptionKey = props.encryptionKey ?? props.lakehouse.encryptionKey;
    const defaultPartitions = props.topicPartitions ?? STREAMING_DEFAULTS.topicPartitions;
    this.partitions = Object.fromEntries(
      UNS_KAFKA_TOPICS.map((topic) => [
        topic,
        props.partitionOverrides?.[topic] ?? defaultPartitions,
      ]),
    ) as Record<UnsKafkaTopic, number>;

    this.cluster = new UnsKafkaCluster(this, 'Kafka', {
      clusterName: props.clusterName ?? STREAMING_DEFAULTS.clusterName,
      settings,
      kafkaVersion:
        settings.mode === 'provisioned'
          ? (settings.kafkaVersion ?? STREAMING_DEFAULTS.kafkaVersion)
          : STREAMING_DEFAULTS.kafkaVersion,
      vpc: props.vpc,
      vpcCidr,
      subnets,
      plantCidrs: props.plantCidrs ?? [],
      encryptionKey,
      logKey: props.logKey,
      removalPolicy,
      alerts: props.alerts,
    });

    const topics = new Map<UnsKafkaTopic, msk.CfnTopic>();
    if (settings.mode === 'provisioned') {
      const namespace = new Construct(this, 'Topics');
      for (const topic of UNS_KAFKA_TOPICS) {
        topics.set(
          topic,
          new msk.CfnTopic(namespace, topic, {
            clusterArn: this.cluster.clusterArn,
            topicName: topic,
            partitionCount: this.partitions[topic],
            replicationFactor: this.cluster.replicationFactor,
          }),
        );
      }
    }
    this.topics = topics;
    if (settings.mode === 'serverless') {
      this.serverlessTopics = new ServerlessTopics(this, 'ServerlessTopics', {
        cluster: this.cluster,
        vpc: props.vpc,
        subnets,
        partitions: this.partitions,
        logKey: props.logKey,
        removalPolicy,
      });
    }

    this.telemetryDelivery = new TelemetryDelivery(this, 'TelemetryDelivery', {
      cluster: this.cluster,
      vpc: props.vpc,
      subnets,
      lakehouse: props.lakehouse,
      encryptionKey,
      logKey: props.logKey,
      topicPartitions: this.partitions[TELEMETRY_TOPIC],
      removalPolicy,
      alerts: props.alerts,
    });
    this.classDeliveries = new UnsClassDeliveries(this, 'ClassDeliveries', {
      cluster: this.cluster,
      partitions: this.partitions,
      lakehouse: props.lakehouse,
      vpc: props.vpc,
      subnets,
      logKey: props.logKey,
      encryptionKey,
      removalPolicy,
      alerts: props.alerts,
    });
    // Each event source mapping starts once its topic exists.
    const flatteners = new Map([
      [TELEMETRY_TOPIC, this.telemetryDelivery.flattener],
      ...this.classDeliveries.flatteners,
    ]);
    for (const [topic, flattener] of flatteners) {
      const topicResource = topics.get(topic) ?? this.serverlessTopics?.resource;
      if (topicResource !== undefined) flattener.node.addDependency(topicResource);
    }

    this.bridgeProducerPolicy = new iam.ManagedPolicy(this, 'BridgeProducerPolicy', {
      description:
        'uns-kafka-bridge: connect to the UNS MSK cluster and produce idempotently to the uns.* topics only',
      statements: this.cluster.produceStatements(UNS_KAFKA_TOPICS),
    });

    new CfnOutput(this, 'ClusterArn', {
      value: this.cluster.clusterArn,
      description: 'MSK cluster ARN: aws kafka get-bootstrap-brokers --cluster-arn <this>',
    });
    new CfnOutput(this, 'BridgeProducerPolicyArn', {
      value: this.bridgeProducerPolicy.managedPolicyArn,
      description: 'Attach to the Greengrass token-exchange role of every plant core device',
    });
  }
}
