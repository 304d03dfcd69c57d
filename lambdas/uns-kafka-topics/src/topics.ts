import { type Admin, KafkaJSError } from 'kafkajs';

/** One topic the cluster must have. */
export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
}

/** A topic that exists with another partition count than configured (left as it is). */
export interface PartitionMismatch {
  readonly topic: string;
  readonly configured: number;
  readonly actual: number;
}

/** What {@link ensureTopics} found and did. */
export interface EnsureTopicsResult {
  /** Topics this call created, in the order of the specification. */
  readonly created: string[];
  /** Topics that existed already and were left untouched. */
  readonly existing: string[];
  readonly partitionMismatches: PartitionMismatch[];
}

/** How long the topics may take to be created and get their leaders (ms). */
const CREATE_TIMEOUT_MS = 30_000;
/** Pause between metadata polls while new topics get their leaders (ms). */
const POLL_MS = 100;

type TopicAdmin = Pick<Admin, 'fetchTopicMetadata' | 'createTopics'>;

/**
 * Creates the topics of `wanted` that the cluster does not have, with their partitions and the
 * cluster's own replication factor (MSK Serverless fixes it), and waits for their leaders.
 * Idempotent: existing topics are never altered or deleted, and a second call sends no
 * CreateTopics request. An existing topic with another partition count is reported, not changed
 * (Kafka cannot shrink a topic, and growing one remaps keys to partitions).
 */
export async function ensureTopics(
  admin: TopicAdmin,
  wanted: readonly TopicSpec[],
): Promise<EnsureTopicsResult> {
  // No topic list: a Metadata request for all topics (those the principal may describe), which
  // never auto-creates one.
  const { topics } = await admin.fetchTopicMetadata();
  const partitionsOf = new Map(topics.map((topic) => [topic.name, topic.partitions.length]));
  const missing = wanted.filter((topic) => !partitionsOf.has(topic.name));
  if (missing.length > 0) {
    // kafkajs' own wait for leaders gives up when the broker does not know a new topic yet.
    await admin.createTopics({
      topics: missing.map((topic) => ({ topic: topic.name, numPartitions: topic.partitions })),
      waitForLeaders: false,
      timeout: CREATE_TIMEOUT_MS,
    });
    await waitForLeaders(
      admin,
      missing.map((topic) => topic.name),
    );
  }
  const partitionMismatches: PartitionMismatch[] = [];
  for (const { name, partitions } of wanted) {
    const actual = partitionsOf.get(name);
    if (actual !== undefined && actual !== partitions) {
      partitionMismatches.push({ topic: name, configured: partitions, actual });
    }
  }
  return {
    created: missing.map((topic) => topic.name),
    existing: wanted.filter((topic) => partitionsOf.has(topic.name)).map((topic) => topic.name),
    partitionMismatches,
  };
}

/**
 * Waits until every named topic is known with a leader for each partition, so that producers and
 * the event source mapping find it once the deployment goes on. Right after CreateTopics a broker
 * may still answer "unknown topic" or "leader not available": kafkajs marks both retriable.
 */
export async function waitForLeaders(
  admin: Pick<Admin, 'fetchTopicMetadata'>,
  names: readonly string[],
  timeoutMs = CREATE_TIMEOUT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [...names] });
      const led = new Set(
        topics
          .filter((topic) => topic.partitions.length > 0)
          .filter((topic) => topic.partitions.every((partition) => partition.leader >= 0))
          .map((topic) => topic.name),
      );
      if (names.every((name) => led.has(name))) return;
    } catch (error) {
      if (!(error instanceof KafkaJSError && error.retriable)) throw error;
    }
    if (Date.now() >= deadline) {
      throw new Error(`Topics ${names.join(', ')} have no leaders after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
