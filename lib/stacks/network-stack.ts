import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environment';
import { UnsNetwork, zoneNames } from '../network';

/** Properties of a {@link NetworkStack}. */
export interface NetworkStackProps extends StackProps {
  /** The environment whose VPC CIDR and zones shape the network. */
  readonly config: EnvironmentConfig;
}

/** The private network of one environment, shared by the streaming path and later stacks. */
export class NetworkStack extends Stack {
  readonly network: UnsNetwork;
  private readonly zoneCount: number;

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    const { streaming } = props.config;
    this.zoneCount = streaming.availabilityZones;
    this.network = new UnsNetwork(this, 'Network', {
      cidr: streaming.vpcCidr,
      availabilityZones: streaming.availabilityZones,
      removalPolicy: props.config.allowDestroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
  }

  /**
   * The configured number of zones, named from the region, instead of a lookup in the account:
   * `cdk synth` then needs no AWS credentials and every machine synthesizes the same template.
   */
  override get availabilityZones(): string[] {
    return zoneNames(this.region, this.zoneCount);
  }
}
