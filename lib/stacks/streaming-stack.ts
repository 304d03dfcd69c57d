import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environment';
import type { Lakehouse } from '../lakehouse';
import type { UnsNetwork } from '../network';
import { UnsStreaming } from '../streaming';

/** Properties of a {@link StreamingStack}. */
export interface StreamingStackProps extends StackProps {
  /** The environment whose streaming settings shape the cluster, topics and plant access. */
  readonly config: EnvironmentConfig;
  /** The network the brokers and the flattener live in. */
  readonly network: UnsNetwork;
  /** The Lakehouse whose raw zone receives the telemetry. */
  readonly lakehouse: Lakehouse;
}

/** MSK, the UNS topics and the telemetry delivery into the Lakehouse, for one environment. */
export class StreamingStack extends Stack {
  readonly streaming: UnsStreaming;

  constructor(scope: Construct, id: string, props: StreamingStackProps) {
    super(scope, id, props);
    const { cluster, topicPartitions, partitionOverrides, plantCidrs } = props.config.streaming;
    this.streaming = new UnsStreaming(this, 'Streaming', {
      cluster,
      topicPartitions,
      partitionOverrides,
      plantCidrs,
      vpc: props.network.vpc,
      vpcCidr: props.network.cidr,
      lakehouse: props.lakehouse,
      logKey: props.network.logKey,
      removalPolicy: props.config.allowDestroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
  }
}
