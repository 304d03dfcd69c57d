import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { Alerting } from '../alerts';
import type { EnvironmentConfig } from '../config/environment';
import type { Lakehouse } from '../lakehouse';
import type { UnsNetwork } from '../network';
import { acknowledgeProviderFunctions } from '../quality/provider-functions';
import { UnsStreaming } from '../streaming';
import {
  BootstrapBrokersParameter,
  bootstrapBrokersParameterName,
} from '../streaming/bootstrap-brokers';
import { EdgeKpiMetrics } from '../streaming/edge-kpi-metrics';
import { edgeNamePrefix } from '../delivery/edge-names';

/** Properties of a {@link StreamingStack}. */
export interface StreamingStackProps extends StackProps {
  /** The environment whose streaming settings shape the cluster, topics and plant access. */
  readonly config: EnvironmentConfig;
  /** The network the brokers and the flattener live in. */
  readonly network: UnsNetwork;
  /** The Lakehouse whose raw zone receives the telemetry. */
  readonly lakehouse: Lakehouse;
  /** The environment's alert topic and limits: every alarm of the stack notifies it. */
  readonly alerts: Alerting;
}

/**
 * MSK, the UNS topics, the telemetry delivery into the Lakehouse, the edge KPI metrics and the
 * published bootstrap brokers, for one environment.
 */
export class StreamingStack extends Stack {
  readonly streaming: UnsStreaming;
  /** The edge KPIs from MSK into CloudWatch (the delivery's rollout gate alarms on them). */
  readonly edgeKpiMetrics: EdgeKpiMetrics;

  constructor(scope: Construct, id: string, props: StreamingStackProps) {
    super(scope, id, props);
    const { cluster, topicPartitions, partitionOverrides, plantCidrs } = props.config.streaming;
    const removalPolicy = props.config.allowDestroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    this.streaming = new UnsStreaming(this, 'Streaming', {
      cluster,
      topicPartitions,
      partitionOverrides,
      plantCidrs,
      vpc: props.network.vpc,
      vpcCidr: props.network.cidr,
      lakehouse: props.lakehouse,
      logKey: props.network.logKey,
      alerts: props.alerts,
      removalPolicy,
    });
    this.edgeKpiMetrics = new EdgeKpiMetrics(this, 'EdgeKpiMetrics', {
      cluster: this.streaming.cluster,
      vpc: props.network.vpc,
      subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      logKey: props.network.logKey,
      alerts: props.alerts,
      removalPolicy,
    });
    new BootstrapBrokersParameter(this, 'BootstrapBrokers', {
      cluster: this.streaming.cluster,
      parameterName: bootstrapBrokersParameterName(edgeNamePrefix(props.config)),
      logGroup: new logs.LogGroup(this, 'ProviderLogs', {
        encryptionKey: props.network.logKey,
        retention: logs.RetentionDays.ONE_YEAR,
        removalPolicy,
      }),
    });
    acknowledgeProviderFunctions(this);
  }
}
