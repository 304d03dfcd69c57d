import { Stack } from 'aws-cdk-lib';
import type { EnvironmentConfig } from '../../lib/config/environment';
import { environments } from '../../lib/config/environments';
import { EnvironmentConfigError, resolveEnvironment } from '../../lib/config/resolve';
import { UnsNetwork } from '../../lib/network';
import { UnsStreaming } from '../../lib/streaming';
import { newApp } from '../support/app';
import { ACCOUNT, REGION } from '../support/lakehouse';
import { Lakehouse } from '../../lib/lakehouse';

const dev = environments.find((environment) => environment.name === 'dev')!;

function problemsOf(streaming: Partial<EnvironmentConfig['streaming']>): string[] {
  const config: EnvironmentConfig = {
    ...dev,
    name: 'qa',
    streaming: { ...dev.streaming, ...streaming },
  };
  try {
    resolveEnvironment('qa', [config]);
  } catch (error) {
    if (error instanceof EnvironmentConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('streaming configuration', () => {
  it('accepts the repository environments: serverless dev, provisioned prod', () => {
    expect(resolveEnvironment('dev').streaming.cluster?.mode).toBe('serverless');
    expect(resolveEnvironment('prod').streaming.cluster?.mode).toBe('provisioned');
  });

  it('lists every problem of a provisioned cluster, named under streaming.', () => {
    expect(
      problemsOf({
        availabilityZones: 3,
        cluster: {
          mode: 'provisioned',
          brokerInstanceType: 'm5.large',
          brokerCount: 4,
          brokerStorageGiB: 0,
          kafkaVersion: '2.8.1',
        },
      }),
    ).toEqual([
      'streaming.cluster.brokerInstanceType "m5.large" must be an MSK broker type such as "kafka.m7g.large"',
      'streaming.cluster.brokerCount (4) must be a multiple of the 3 availability zones',
      'streaming.cluster.brokerStorageGiB (0) must be a whole number of GiB in 1-16384',
      'streaming.cluster.kafkaVersion "2.8.1" must be an MSK Kafka version 3.6 or later, e.g. "3.8.x"',
    ]);
  });

  it('requires three brokers for three replicas', () => {
    expect(
      problemsOf({
        cluster: {
          mode: 'provisioned',
          brokerInstanceType: 'kafka.t3.small',
          brokerCount: 2,
          brokerStorageGiB: 10,
        },
      }),
    ).toEqual([
      'streaming.cluster.brokerCount (2) must be a whole number >= 3 (topics keep 3 replicas)',
    ]);
  });

  it('rejects bad partition counts and overrides of topics outside the contract', () => {
    expect(
      problemsOf({
        topicPartitions: 0,
        partitionOverrides: { 'uns.telemetry': 2.5, 'uns.video': 3 } as never,
      }),
    ).toEqual([
      'streaming.topicPartitions (0) must be a whole number of partitions in 1-1000',
      'streaming.partitionOverrides["uns.telemetry"] (2.5) must be a whole number of partitions in 1-1000',
      expect.stringMatching(
        /^streaming\.partitionOverrides: "uns\.video" is not a UNS topic \(uns\.telemetry, /,
      ),
    ]);
  });

  it('rejects plant networks that are not CIDRs, open to everyone, or overlap the VPC', () => {
    expect(problemsOf({ plantCidrs: ['10.20.0.0/33', '0.0.0.0/0', '10.40.128.0/20'] })).toEqual([
      'streaming.plantCidrs: "10.20.0.0/33" must be an IPv4 CIDR such as "10.20.0.0/16"',
      'streaming.plantCidrs: "0.0.0.0/0" would open the brokers to every address',
      'streaming.plantCidrs: "0.0.0.0/0" overlaps the VPC "10.40.0.0/16"',
      'streaming.plantCidrs: "10.40.128.0/20" overlaps the VPC "10.40.0.0/16"',
    ]);
  });

  it('rejects a VPC CIDR outside /16-/24 and a single availability zone', () => {
    expect(problemsOf({ vpcCidr: '10.40.0.0/8', availabilityZones: 1 })).toEqual([
      'streaming.vpcCidr "10.40.0.0/8" must be an IPv4 CIDR from /16 to /24',
      'streaming.availabilityZones (1) must be 2 or 3',
    ]);
  });
});

describe('UnsStreaming props', () => {
  it('refuses to build on subnets in a single availability zone', () => {
    const stack = new Stack(newApp(), 'TestStack', { env: { account: ACCOUNT, region: REGION } });
    const network = new UnsNetwork(stack, 'Network', { availabilityZones: 1 });
    const lakehouse = new Lakehouse(stack, 'Lakehouse', { siteIds: ['zwickau'] });
    expect(
      () =>
        new UnsStreaming(stack, 'Streaming', {
          vpc: network.vpc,
          lakehouse,
          logKey: network.logKey,
        }),
    ).toThrow('subnets span 1 availability zone(s); MSK needs at least 2');
  });
});
