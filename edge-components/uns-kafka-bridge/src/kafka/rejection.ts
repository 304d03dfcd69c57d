/**
 * What Kafka refused: a whole topic (the bridge may not write it, it does not exist, its name is
 * invalid), or only the records sent (too large, or invalid for the topic's settings).
 */
export type RejectionScope = 'topic' | 'records';

/** A refusal of records that no retry changes. */
export interface Rejection {
  /** Kafka's error name in lower case, e.g. `topic_authorization_failed`: the dead-letter reason. */
  readonly reason: string;
  readonly scope: RejectionScope;
}

/**
 * The refusals that send records to the dead letter, by Kafka's error name. Everything else (a
 * broker away, a timeout, a leader moving, a cluster-wide refusal such as
 * `CLUSTER_AUTHORIZATION_FAILED`, which the dead letter would meet too) is retried in order.
 */
const REJECTIONS: Readonly<Partial<Record<string, RejectionScope>>> = {
  TOPIC_AUTHORIZATION_FAILED: 'topic',
  INVALID_TOPIC_EXCEPTION: 'topic',
  UNKNOWN_TOPIC_OR_PARTITION: 'topic',
  MESSAGE_TOO_LARGE: 'records',
  RECORD_LIST_TOO_LARGE: 'records',
  INVALID_RECORD: 'records',
  INVALID_TIMESTAMP: 'records',
};

/** Reasons of records Kafka refuses for their size: their dead letter may go without its value. */
export const TOO_LARGE: ReadonlySet<string> = new Set([
  'message_too_large',
  'record_list_too_large',
]);

/**
 * Reason of a topic the cluster does not have. kafkajs calls it retriable, and right after a
 * topic is created it is: it counts as a refusal only once the cluster's metadata confirms it.
 */
export const UNKNOWN_TOPIC = 'unknown_topic_or_partition';

/** kafkajs wraps the broker's error (retries exhausted, not retriable) at most a few levels deep. */
const MAX_CAUSE_DEPTH = 5;

/**
 * The refusal a kafkajs error stands for, or undefined when retrying may help. The broker's error
 * name is the `type` of the error or of one of its causes.
 */
export function rejectionOf(error: unknown): Rejection | undefined {
  let cause = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH; depth += 1) {
    if (typeof cause !== 'object' || cause === null) return undefined;
    const { type } = cause as { type?: unknown };
    if (typeof type === 'string') {
      const scope = REJECTIONS[type];
      return scope === undefined ? undefined : { reason: type.toLowerCase(), scope };
    }
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}
