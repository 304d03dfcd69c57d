import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Alerting } from '../alerts';
import {
  ComplianceIngest,
  type ComplianceStore,
  VALIDATION_TOPIC,
  ValidationSummariesDelivery,
} from '../compliance';
import type { EnvironmentConfig } from '../config/environment';
import type { Lakehouse } from '../lakehouse';
import type { UnsNetwork } from '../network';
import type { UnsStreaming } from '../streaming';

/** Properties of a {@link ComplianceIngestStack}. */
export interface ComplianceIngestStackProps extends StackProps {
  /** The environment: what is kept when the stack goes. */
  readonly config: EnvironmentConfig;
  /** The network of the functions (private subnets, log key). */
  readonly network: UnsNetwork;
  /** The streaming path whose `uns.validation` the plants' validators publish to. */
  readonly streaming: UnsStreaming;
  /** The store the summaries, samples and contracts go to. */
  readonly store: ComplianceStore;
  /** The Lakehouse whose raw table `validation_summaries` receives the summaries. */
  readonly lakehouse: Lakehouse;
  /** The environment's alert topic and limits: every alarm of the stack notifies it. */
  readonly alerts: Alerting;
}

/**
 * The ingestion of `uns.validation` of one environment: into the compliance store (consumer,
 * dead letters, alarms) and into the Lakehouse table `validation_summaries`.
 */
export class ComplianceIngestStack extends Stack {
  readonly ingest: ComplianceIngest;
  readonly summariesDelivery: ValidationSummariesDelivery;

  constructor(scope: Construct, id: string, props: ComplianceIngestStackProps) {
    super(scope, id, props);
    const { network, streaming } = props;
    const removalPolicy = props.config.allowDestroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const topicPartitions = streaming.partitions[VALIDATION_TOPIC];
    this.ingest = new ComplianceIngest(this, 'Ingest', {
      store: props.store,
      cluster: streaming.cluster,
      topicPartitions,
      vpc: network.vpc,
      subnets: network.privateSubnets,
      logKey: network.logKey,
      alerts: props.alerts,
      removalPolicy,
    });
    this.summariesDelivery = new ValidationSummariesDelivery(this, 'SummariesDelivery', {
      cluster: streaming.cluster,
      lakehouse: props.lakehouse,
      topicPartitions,
      vpc: network.vpc,
      subnets: network.privateSubnets,
      logKey: network.logKey,
      alerts: props.alerts,
      removalPolicy,
    });
  }
}
