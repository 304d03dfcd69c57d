import { type CfnResource, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ignoreCfnLintRule } from './cfn-lint';
import { logGroupKey } from './log-group-key';

/** Properties of a {@link UnsNetwork}. */
export interface UnsNetworkProps {
  /**
   * IPv4 CIDR of the VPC. It must not overlap the plant networks routed to it over VPN or Direct
   * Connect.
   * @default '10.40.0.0/16'
   */
  readonly cidr?: string;
  /**
   * Availability zones the private subnets span (MSK needs at least 2; a provisioned cluster's
   * broker count is a multiple of it).
   * @default 3
   */
  readonly availabilityZones?: number;
  /**
   * Days VPC flow logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly flowLogRetention?: logs.RetentionDays;
  /**
   * An existing customer-managed key for the VPC flow logs and the streaming logs; its key policy
   * must let the CloudWatch Logs service of this region use it.
   * @default - a new key with yearly rotation, usable by CloudWatch Logs of this account and region.
   */
  readonly logKey?: kms.IKey;
  /**
   * What happens to the log key and log groups when they leave the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Interface endpoints the private subnets need, with no NAT or internet gateway. */
const INTERFACE_ENDPOINTS = {
  /** The MSK event source mapping's pollers assume the function role and call Lambda. */
  Sts: ec2.InterfaceVpcEndpointAwsService.STS,
  Lambda: ec2.InterfaceVpcEndpointAwsService.LAMBDA,
  /** The telemetry flattener puts rows into Firehose. */
  Firehose: ec2.InterfaceVpcEndpointAwsService.KINESIS_FIREHOSE,
} as const;

/**
 * The VPC of the plant-to-cloud path: private isolated subnets only (no internet or NAT gateway;
 * plants reach it over Site-to-Site VPN or Direct Connect, AWS services through VPC endpoints),
 * flow logs of all traffic to a KMS-encrypted log group, an S3 gateway endpoint and the interface
 * endpoints the streaming path needs (STS, Lambda, Firehose).
 */
export class UnsNetwork extends Construct {
  readonly vpc: ec2.Vpc;
  /**
   * The VPC's CIDR as a literal (not a token), for security group rules in other stacks that
   * compliance checks can read.
   */
  readonly cidr: string;
  /** Customer-managed key of the network and streaming log groups. */
  readonly logKey: kms.IKey;
  readonly flowLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: UnsNetworkProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.logKey =
      props.logKey ??
      logGroupKey(this, 'LogKey', {
        description:
          'uns-mlops network and streaming log groups (flow logs, MSK brokers, Firehose, Lambda)',
        removalPolicy,
      });

    this.cidr = props.cidr ?? '10.40.0.0/16';
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(this.cidr),
      ...zones(Stack.of(this).region, props.availabilityZones ?? 3),
      natGateways: 0,
      subnetConfiguration: [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
      // Nothing uses the default security group (every resource has its own); closing it would
      // need a custom-resource Lambda on a runtime this project does not choose.
      restrictDefaultSecurityGroup: false,
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
    });

    // The zones are named from the configured region, so synthesis needs no AZ lookup and every
    // machine synthesizes the same template.
    for (const subnet of this.vpc.isolatedSubnets) {
      ignoreCfnLintRule(subnet.node.defaultChild as CfnResource, 'W3010');
    }
    Validations.of(this.vpc).acknowledge({
      id: 'NIST.800.53.R5-VPCDefaultSecurityGroupClosed',
      reason:
        'No resource of uns-mlops is placed in the default security group; every broker, function and endpoint has its own group with explicit rules.',
    });

    this.flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      encryptionKey: this.logKey,
      retention: props.flowLogRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy,
    });
    const flowLog = this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });
    Validations.of(flowLog).acknowledge({
      id: 'NIST.800.53.R5-IAMNoInlinePolicy',
      reason:
        'The CDK flow-log construct grants its delivery role write access to this one log group through the role default policy it creates.',
    });

    for (const [name, service] of Object.entries(INTERFACE_ENDPOINTS)) {
      const endpoint = this.vpc.addInterfaceEndpoint(name, {
        service,
        privateDnsEnabled: true,
        subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        open: false,
      });
      endpoint.connections.allowFrom(
        ec2.Peer.ipv4(this.cidr),
        ec2.Port.tcp(443),
        'HTTPS from inside the VPC',
      );
    }
  }

  /** The private subnets (one per availability zone). */
  get privateSubnets(): ec2.SubnetSelection {
    return { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
  }
}

/**
 * Zones `<region>a`, `<region>b`, ... when the region is known, so synthesis needs no lookup;
 * otherwise the first zones of an environment-agnostic stack.
 */
function zones(region: string, count: number): Pick<ec2.VpcProps, 'availabilityZones' | 'maxAzs'> {
  if (Token.isUnresolved(region)) return { maxAzs: count };
  return { availabilityZones: zoneNames(region, count) };
}

/** The first `count` availability zones of a region by name: `<region>a`, `<region>b`, ... */
export function zoneNames(region: string, count: number): string[] {
  return ['a', 'b', 'c', 'd', 'e', 'f'].slice(0, count).map((z) => region + z);
}
