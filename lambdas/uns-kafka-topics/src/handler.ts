import type { Logger } from '@aws-lambda-powertools/logger';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import type { Kafka } from 'kafkajs';
import { ensureTopics, type TopicSpec } from './topics';

/** The custom resource's properties, as the CDK construct sets them. */
export interface TopicsResourceProperties {
  readonly clusterArn: string;
  readonly topics: TopicSpec[];
}

/** What the handler needs from outside, so that tests run it against a local broker. */
export interface HandlerDependencies {
  /** `host:port` of the cluster's bootstrap brokers for SASL/IAM. */
  readonly bootstrapBrokers: (clusterArn: string) => Promise<string[]>;
  /** A Kafka client for those brokers (SASL/IAM over TLS in Lambda, plaintext in tests). */
  readonly kafka: (brokers: string[]) => Pick<Kafka, 'admin'>;
  readonly logger: Logger;
}

/** The answer to the CDK provider framework (`onEvent`, synchronous provider). */
export interface OnEventResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
}

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

/**
 * Reads `ClusterArn` and `Topics: [{ Name, Partitions }]` from the resource properties.
 * CloudFormation hands every scalar over as a string, so partitions are parsed here; every
 * problem is named at once.
 */
export function parseProperties(properties: Record<string, unknown>): TopicsResourceProperties {
  const problems: string[] = [];
  const clusterArn = properties.ClusterArn;
  if (typeof clusterArn !== 'string' || !clusterArn.startsWith('arn:')) {
    problems.push(`ClusterArn must be an MSK cluster ARN, got ${JSON.stringify(clusterArn)}`);
  }
  const rawTopics = properties.Topics;
  const topics: TopicSpec[] = [];
  if (!Array.isArray(rawTopics) || rawTopics.length === 0) {
    problems.push('Topics must be a non-empty list of { Name, Partitions }');
  } else {
    for (const [index, entry] of (rawTopics as unknown[]).entries()) {
      const { Name: name, Partitions: rawPartitions } = (entry ?? {}) as Record<string, unknown>;
      const partitions = Number(rawPartitions);
      if (typeof name !== 'string' || !TOPIC_NAME.test(name)) {
        problems.push(`Topics[${index}].Name ${JSON.stringify(name)} is not a Kafka topic name`);
      } else if (!Number.isInteger(partitions) || partitions < 1) {
        problems.push(
          `Topics[${index}].Partitions ${JSON.stringify(rawPartitions)} must be a whole number >= 1`,
        );
      } else if (topics.some((topic) => topic.name === name)) {
        problems.push(`Topics[${index}]: ${name} is listed twice`);
      } else {
        topics.push({ name, partitions });
      }
    }
  }
  if (problems.length > 0) throw new Error(`Invalid UNS topics resource: ${problems.join('; ')}`);
  return { clusterArn: clusterArn as string, topics };
}

/**
 * The `onEvent` handler of the custom resource `Custom::UnsKafkaTopics`:
 * - Create and Update: creates the listed topics the cluster lacks (idempotent; see
 *   `ensureTopics`) and answers with the created and existing topics;
 * - Delete: does nothing. Topics and the records in them stay on the cluster (data retention);
 *   they go only with the cluster itself.
 */
export function createHandler(
  deps: HandlerDependencies,
): (event: CloudFormationCustomResourceEvent) => Promise<OnEventResponse> {
  return async (event) => {
    if (event.RequestType === 'Delete') {
      deps.logger.info('Delete: the UNS topics and their records are kept on the cluster', {
        physicalResourceId: event.PhysicalResourceId,
      });
      return { PhysicalResourceId: event.PhysicalResourceId };
    }
    const { clusterArn, topics } = parseProperties(event.ResourceProperties);
    const brokers = await deps.bootstrapBrokers(clusterArn);
    const admin = deps.kafka(brokers).admin();
    await admin.connect();
    try {
      const result = await ensureTopics(admin, topics);
      deps.logger.info(`${event.RequestType}: UNS topics in place`, { clusterArn, ...result });
      for (const mismatch of result.partitionMismatches) {
        deps.logger.warn('Topic exists with another partition count; left unchanged', {
          ...mismatch,
        });
      }
      return {
        PhysicalResourceId: `${clusterArn}/uns-topics`,
        Data: { Created: result.created.join(','), Existing: result.existing.join(',') },
      };
    } finally {
      await admin.disconnect();
    }
  };
}
