import type { RemovalPolicy } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Alerting } from '../alerts/alarms';
import type { Lakehouse } from '../lakehouse';
import type { UnsKafkaTopic } from './topics';

/**
 * MSK Serverless: capacity follows the traffic, IAM authentication and TLS are built in, data at
 * rest is encrypted with a key AWS manages (MSK Serverless offers no customer-managed key).
 */
export interface ServerlessClusterSettings {
  readonly mode: 'serverless';
}

/** MSK Provisioned: fixed brokers, encrypted at rest with the project's customer-managed key. */
export interface ProvisionedClusterSettings {
  readonly mode: 'provisioned';
  /** Broker instance type, e.g. `kafka.m7g.large`. */
  readonly brokerInstanceType: string;
  /** Number of brokers: a multiple of the availability zones, at least 3 (replication factor 3). */
  readonly brokerCount: number;
  /** EBS storage per broker in GiB (1-16384). */
  readonly brokerStorageGiB: number;
  /**
   * Apache Kafka version; 3.6 or later (the MSK topic API needs it).
   * @default '3.8.x'
   */
  readonly kafkaVersion?: string;
}

/** Which kind of MSK cluster, and its size. */
export type KafkaClusterSettings = ServerlessClusterSettings | ProvisionedClusterSettings;

/** Settings of the streaming path that can be checked before anything is created. */
export interface StreamingSettings {
  /**
   * The MSK cluster.
   * @default { mode: 'serverless' } - MSK Serverless.
   */
  readonly cluster?: KafkaClusterSettings;
  /**
   * Partitions of every UNS topic. Per-asset order holds within a partition (key = asset path);
   * more partitions allow more parallel consumers.
   * @default 6
   */
  readonly topicPartitions?: number;
  /**
   * Partitions of single topics, overriding `topicPartitions` (e.g. more for `uns.telemetry`).
   * @default - every topic has `topicPartitions`.
   */
  readonly partitionOverrides?: Readonly<Partial<Record<UnsKafkaTopic, number>>>;
  /**
   * IPv4 CIDRs of the plant networks (routed to the VPC over VPN or Direct Connect) whose bridges
   * may reach the brokers on port 9098 (SASL/IAM over TLS).
   * @default - only clients inside the VPC reach the brokers.
   */
  readonly plantCidrs?: readonly string[];
}

/** Properties of a {@link UnsStreaming}. */
export interface UnsStreamingProps extends StreamingSettings {
  /** The VPC whose private subnets hold the brokers and the telemetry flattener. */
  readonly vpc: ec2.IVpc;
  /**
   * The VPC's IPv4 CIDR as a literal, used in the security group rules (clients inside the VPC).
   * Pass it when the VPC comes from another stack, where its CIDR is only a token.
   * @default - the VPC's `vpcCidrBlock`.
   */
  readonly vpcCidr?: string;
  /**
   * The subnets of the brokers and the flattener: private, one per availability zone.
   * @default - the VPC's private isolated subnets.
   */
  readonly subnets?: ec2.SubnetSelection;
  /** The Lakehouse whose raw zone receives the telemetry. */
  readonly lakehouse: Lakehouse;
  /**
   * Customer-managed key of the broker volumes (provisioned clusters) and the delivery stream.
   * @default - the Lakehouse's encryption key.
   */
  readonly encryptionKey?: kms.IKey;
  /** Customer-managed key of the streaming log groups; CloudWatch Logs must be allowed to use it. */
  readonly logKey: kms.IKey;
  /**
   * Name of the MSK cluster (1-64 letters, digits and hyphens, starting with a letter).
   * @default 'uns-mlops'
   */
  readonly clusterName?: string;
  /**
   * What happens to the streaming log groups when they leave the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Where the alarms of the cluster (broker disk and throttling, provisioned), the Firehose
   * streams, the flatteners and their consumer groups' lag go.
   * @default - no alarms.
   */
  readonly alerts?: Alerting;
}

/** The defaults documented on {@link StreamingSettings}, in one place. */
export const STREAMING_DEFAULTS = {
  cluster: { mode: 'serverless' } as KafkaClusterSettings,
  topicPartitions: 6,
  clusterName: 'uns-mlops',
  kafkaVersion: '3.8.x',
} as const;
