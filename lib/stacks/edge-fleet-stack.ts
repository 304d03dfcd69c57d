import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Alerting } from '../alerts';
import type { EnvironmentConfig } from '../config/environment';
import { plantComponents } from '../delivery/components';
import { EdgeFleet } from '../delivery/edge-fleet';
import { edgeNamePrefix } from '../delivery/edge-names';
import type { UnsNetwork } from '../network';
import type { UnsStreaming } from '../streaming';

/** Properties of an {@link EdgeFleetStack}. */
export interface EdgeFleetStackProps extends StackProps {
  /** The environment whose plants the fleet serves. */
  readonly config: EnvironmentConfig;
  /** The environment's network: its log key encrypts the fleet's log groups. */
  readonly network: UnsNetwork;
  /** The streaming path the plants' bridges produce to. */
  readonly streaming: UnsStreaming;
  /** The account of the delivery pipeline, which starts the rollout gate. */
  readonly pipelineAccount: string;
  /** The environment's alert topic and limits: every alarm of the stack notifies it. */
  readonly alerts: Alerting;
}

/** The published component versions, core device IAM, edge KPIs and rollout gate of one environment. */
export class EdgeFleetStack extends Stack {
  readonly fleet: EdgeFleet;

  constructor(scope: Construct, id: string, props: EdgeFleetStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.fleet = new EdgeFleet(this, 'Fleet', {
      namePrefix: edgeNamePrefix(config),
      components: plantComponents(),
      siteIds: config.plants.map((plant) => plant.siteId),
      kpiThresholds: config.edgeRollout.kpis,
      producerPolicy: props.streaming.bridgeProducerPolicy,
      logKey: props.network.logKey,
      pipelineAccount: props.pipelineAccount,
      alerts: props.alerts,
      removalPolicy: config.allowDestroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
  }
}
