import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Alerting } from '../alerts';
import { ComplianceStore } from '../compliance';
import type { EnvironmentConfig } from '../config/environment';
import type { UnsNetwork } from '../network';

/** Properties of a {@link ComplianceStoreStack}. */
export interface ComplianceStoreStackProps extends StackProps {
  /** The environment whose compliance store settings size the database. */
  readonly config: EnvironmentConfig;
  /** The network whose private subnets hold the database, its proxy and functions. */
  readonly network: UnsNetwork;
  /** The environment's alert topic and limits: every alarm of the stack notifies it. */
  readonly alerts: Alerting;
}

/** The cloud validation store of one environment: RDS for PostgreSQL behind an RDS Proxy. */
export class ComplianceStoreStack extends Stack {
  readonly store: ComplianceStore;

  constructor(scope: Construct, id: string, props: ComplianceStoreStackProps) {
    super(scope, id, props);
    const { config, network } = props;
    this.store = new ComplianceStore(this, 'ComplianceStore', {
      ...config.complianceStore,
      vpc: network.vpc,
      subnets: network.privateSubnets,
      logKey: network.logKey,
      alerts: props.alerts,
      instanceIdentifier: `uns-mlops-${config.name}-validation`,
      removalPolicy: config.allowDestroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
  }
}
