import { Token } from 'aws-cdk-lib';
import { STREAMING_DEFAULTS, type StreamingSettings } from './streaming-props';
import { UNS_KAFKA_TOPICS } from './topics';

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const INSTANCE_TYPE = /^kafka\.[a-z0-9]+\.[a-z0-9]+$/;
const KAFKA_VERSION = /^(\d+)\.(\d+)\.(\d+|x)(\.kraft)?$/;
const CLUSTER_NAME = /^[a-zA-Z][a-zA-Z0-9-]{0,63}$/;
/** Replication factor of every topic on a provisioned cluster (two in-sync replicas required). */
export const PROVISIONED_REPLICATION_FACTOR = 3;

/** An IPv4 CIDR as a [first address, size] pair, or undefined when it is not a valid CIDR. */
export function parseCidr(cidr: string): { first: number; size: number } | undefined {
  const match = IPV4_CIDR.exec(cidr);
  if (match === null) return undefined;
  const [octets, prefix] = [match.slice(1, 5).map(Number), Number(match[5])];
  if (octets.some((octet) => octet > 255) || prefix > 32) return undefined;
  const address = octets.reduce((value, octet) => value * 256 + octet, 0);
  const size = 2 ** (32 - prefix);
  if (address % size !== 0) return undefined;
  return { first: address, size };
}

/** Whether two valid CIDRs share an address. */
export function cidrsOverlap(a: string, b: string): boolean {
  const [x, y] = [parseCidr(a), parseCidr(b)];
  if (x === undefined || y === undefined) return false;
  return x.first < y.first + y.size && y.first < x.first + x.size;
}

/**
 * Every problem with the given streaming settings, each naming the setting; empty when valid.
 * Unresolved tokens are not checked. Shared by the construct and the environment configuration.
 *
 * @param availabilityZones the zones the brokers span, when known (a provisioned cluster's broker
 *   count must be a multiple of it).
 */
export function streamingSettingsProblems(
  settings: StreamingSettings & { clusterName?: string },
  availabilityZones?: number,
): string[] {
  const problems: string[] = [];
  const cluster = settings.cluster ?? STREAMING_DEFAULTS.cluster;
  if (cluster.mode === 'provisioned') {
    const { brokerInstanceType, brokerCount, brokerStorageGiB, kafkaVersion } = cluster;
    if (!Token.isUnresolved(brokerInstanceType) && !INSTANCE_TYPE.test(brokerInstanceType)) {
      problems.push(
        `cluster.brokerInstanceType ${JSON.stringify(brokerInstanceType)} must be an MSK broker type such as "kafka.m7g.large"`,
      );
    }
    if (!Number.isInteger(brokerCount) || brokerCount < PROVISIONED_REPLICATION_FACTOR) {
      problems.push(
        `cluster.brokerCount (${brokerCount}) must be a whole number >= ${PROVISIONED_REPLICATION_FACTOR} (topics keep ${PROVISIONED_REPLICATION_FACTOR} replicas)`,
      );
    } else if (availabilityZones !== undefined && brokerCount % availabilityZones !== 0) {
      problems.push(
        `cluster.brokerCount (${brokerCount}) must be a multiple of the ${availabilityZones} availability zones`,
      );
    }
    if (!Number.isInteger(brokerStorageGiB) || brokerStorageGiB < 1 || brokerStorageGiB > 16384) {
      problems.push(
        `cluster.brokerStorageGiB (${brokerStorageGiB}) must be a whole number of GiB in 1-16384`,
      );
    }
    const version = KAFKA_VERSION.exec(kafkaVersion ?? STREAMING_DEFAULTS.kafkaVersion);
    if (version === null || Number(version[1]) * 100 + Number(version[2]) < 306) {
      problems.push(
        `cluster.kafkaVersion ${JSON.stringify(kafkaVersion)} must be an MSK Kafka version 3.6 or later, e.g. "3.8.x"`,
      );
    }
  }
  const partitions = { default: settings.topicPartitions, ...settings.partitionOverrides };
  for (const [topic, count] of Object.entries(partitions)) {
    if (count !== undefined && !(Number.isInteger(count) && count >= 1 && count <= 1000)) {
      const name = topic === 'default' ? 'topicPartitions' : `partitionOverrides["${topic}"]`;
      problems.push(`${name} (${count}) must be a whole number of partitions in 1-1000`);
    }
  }
  for (const topic of Object.keys(settings.partitionOverrides ?? {})) {
    if (!(UNS_KAFKA_TOPICS as readonly string[]).includes(topic)) {
      problems.push(
        `partitionOverrides: ${JSON.stringify(topic)} is not a UNS topic (${UNS_KAFKA_TOPICS.join(', ')})`,
      );
    }
  }
  for (const cidr of settings.plantCidrs ?? []) {
    if (!Token.isUnresolved(cidr) && parseCidr(cidr) === undefined) {
      problems.push(
        `plantCidrs: ${JSON.stringify(cidr)} must be an IPv4 CIDR such as "10.20.0.0/16"`,
      );
    } else if (cidr.endsWith('/0')) {
      problems.push(`plantCidrs: ${JSON.stringify(cidr)} would open the brokers to every address`);
    }
  }
  if (settings.clusterName !== undefined && !CLUSTER_NAME.test(settings.clusterName)) {
    problems.push(
      `clusterName ${JSON.stringify(settings.clusterName)} must be 1-64 letters, digits or hyphens, starting with a letter`,
    );
  }
  return problems;
}
