import type { Logger } from 'pino';
import type { RecordSink } from '../bridge/forwarder';
import { HEADERS } from '../bridge/intake';
import type { BridgeRecord } from '../bridge/record';
import type { BridgeMetrics } from '../service/metrics';
import { type Rejection, rejectionOf, TOO_LARGE, UNKNOWN_TOPIC } from './rejection';
import type { KafkaSink } from './sink';

/** What the dead-letter path needs of Kafka. */
export type KafkaProducer = Pick<KafkaSink, 'send' | 'topicExists'>;

/** Where refused records go, and for how long a refused topic stays refused. */
export interface DeadLetterOptions {
  /** The dead-letter topic (`mapping.fallbackTopic`). */
  readonly topic: string;
  /** How long a refused topic's records go straight to the dead letter before it is tried again. */
  readonly recheckAfterMs: number;
}

/** Kafka refused the dead-letter topic itself: the batch failed, and its records stay spooled. */
export class DeadLetterRejectedError extends Error {
  constructor(
    readonly topic: string,
    readonly reason: string,
    cause: unknown,
  ) {
    super(`Kafka refuses the dead-letter topic ${topic} (${reason})`, { cause });
    this.name = 'DeadLetterRejectedError';
  }
}

/**
 * A record as a dead letter: same key, value and headers, on the dead-letter topic, with the
 * reason and the topic it was meant for in two more headers.
 */
export function toDeadLetter(record: BridgeRecord, reason: string, topic: string): BridgeRecord {
  return {
    ...record,
    topic,
    headers: {
      ...record.headers,
      [HEADERS.deadLetterReason]: reason,
      [HEADERS.intendedTopic]: record.topic,
    },
  };
}

/**
 * A dead letter without its value, for a record Kafka refused as too large on the dead-letter
 * topic too: the reason becomes Kafka's refusal, and `uns-original-bytes` says how many bytes the
 * value had. Undefined when the record has no value to leave out.
 */
function withoutValue(record: BridgeRecord, reason: string): BridgeRecord | undefined {
  if (record.value.length === 0) return undefined;
  return {
    ...record,
    value: Buffer.alloc(0),
    headers: {
      ...record.headers,
      [HEADERS.deadLetterReason]: reason,
      [HEADERS.originalBytes]: String(record.value.length),
    },
  };
}

/**
 * Sends batches to Kafka so that a topic Kafka refuses holds up no other topic:
 *
 * - a batch Kafka takes goes through as it is, and while no topic is refused nothing is done per
 *   record;
 * - when Kafka refuses a batch for a reason no retry changes ({@link rejectionOf}), each topic's
 *   records are sent on their own, in order. A refused topic's records become dead letters, and
 *   the topic's next records go straight to the dead letter for `recheckAfterMs`, then the topic
 *   is tried again. Refused records (too large, invalid) are halved until the refused ones are
 *   found; the others go to their topic. An unknown topic counts only once the cluster's metadata
 *   confirms it. Each refusal is logged once per topic and reason;
 * - a dead letter Kafka refuses as too large (a record within `kafka.maxRecordBytes` but over the
 *   dead-letter topic's `max.message.bytes`) is sent again without its value
 *   ({@link withoutValue}), so it cannot hold up the spool;
 * - anything else, such as Kafka being away, fails the batch as before (the forwarder retries it
 *   in order from the spool), and so does a refusal of the dead-letter topic itself: its records
 *   must not be lost, so they stay in the spool, and {@link deadLetterRejected} says so. While it
 *   lasts, a batch's dead letters are sent first, so its other records are not written again on
 *   every retry.
 *
 * Topics sent before a batch failed are sent again with it: at least once, as on every retry.
 */
export class DeadLetterSink implements RecordSink {
  /** Topics Kafka refused, with the reason and when to try them again. */
  private readonly refused = new Map<string, { reason: string; recheckAt: number }>();
  /** The refusal last logged per topic (logged once, not per record). */
  private readonly reported = new Map<string, string>();
  private deadLetterRejection: string | undefined;

  constructor(
    private readonly kafka: KafkaProducer,
    private readonly options: DeadLetterOptions,
    private readonly metrics: BridgeMetrics,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** True while Kafka refuses the dead-letter topic (records wait in the spool). */
  get deadLetterRejected(): boolean {
    return this.deadLetterRejection !== undefined;
  }

  /**
   * Sends the records; resolves with them as Kafka took them, refused ones replaced by their dead
   * letters; rejects when Kafka did not take them all.
   */
  async send(records: readonly BridgeRecord[]): Promise<readonly BridgeRecord[]> {
    const rechecked = new Set<string>();
    const outgoing = this.refused.size === 0 ? records : this.redirect(records, rechecked);
    if (this.deadLetterRejection !== undefined && outgoing.some((r) => this.isDeadLetter(r)))
      return this.sendTopicByTopic(outgoing);
    try {
      await this.kafka.send(outgoing);
    } catch (error) {
      if (rejectionOf(error) === undefined) throw error;
      return this.sendTopicByTopic(outgoing);
    }
    for (const topic of rechecked) this.accepted(topic);
    return outgoing;
  }

  /** Replaces the records of refused topics by dead letters, but tries those due for a recheck. */
  private redirect(records: readonly BridgeRecord[], rechecked: Set<string>): BridgeRecord[] {
    const now = this.now();
    return records.map((record) => {
      const refusal = this.refused.get(record.topic);
      if (refusal === undefined) return record;
      if (refusal.recheckAt <= now) {
        rechecked.add(record.topic);
        return record;
      }
      return toDeadLetter(record, refusal.reason, this.options.topic);
    });
  }

  /**
   * Sends each topic's records on their own, the dead letters first: while Kafka refuses those,
   * the batch fails before any other topic's records are written (again).
   */
  private async sendTopicByTopic(records: readonly BridgeRecord[]): Promise<BridgeRecord[]> {
    const byTopic = new Map<string, BridgeRecord[]>([[this.options.topic, []]]);
    for (const record of records) {
      let group = byTopic.get(record.topic);
      if (group === undefined) byTopic.set(record.topic, (group = []));
      group.push(record);
    }
    const replaced = new Map<BridgeRecord, BridgeRecord>();
    for (const [topic, group] of byTopic)
      if (group.length > 0) await this.deliver(topic, group, replaced);
    return records.map((record) => replaced.get(record) ?? record);
  }

  /** Sends one topic's records, dead-lettering those Kafka refuses (noted in `replaced`). */
  private async deliver(
    topic: string,
    records: readonly BridgeRecord[],
    replaced: Map<BridgeRecord, BridgeRecord>,
  ): Promise<void> {
    try {
      await this.kafka.send(records);
    } catch (error) {
      const rejection = await this.confirmed(rejectionOf(error), topic);
      if (rejection === undefined) throw error;
      await this.deadLetter(topic, records, rejection, error, replaced);
      return;
    }
    this.accepted(topic);
  }

  /** Finds the refused records (halving the batch) and sends them to the dead letter. */
  private async deadLetter(
    topic: string,
    records: readonly BridgeRecord[],
    rejection: Rejection,
    error: unknown,
    replaced: Map<BridgeRecord, BridgeRecord>,
  ): Promise<void> {
    if (rejection.scope === 'records' && records.length > 1) {
      const half = Math.ceil(records.length / 2);
      await this.deliver(topic, records.slice(0, half), replaced);
      await this.deliver(topic, records.slice(half), replaced);
      return;
    }
    if (topic === this.options.topic) {
      const [letter] = records;
      const stripped =
        letter !== undefined && TOO_LARGE.has(rejection.reason)
          ? withoutValue(letter, rejection.reason)
          : undefined;
      if (letter === undefined || stripped === undefined)
        throw this.rejectDeadLetter(rejection, error);
      await this.deliverWithoutValue(letter, stripped, rejection, replaced);
      return;
    }
    this.reject(topic, rejection);
    const letters = records.map((record) => {
      const letter = toDeadLetter(record, rejection.reason, this.options.topic);
      replaced.set(record, letter);
      return letter;
    });
    await this.deliver(this.options.topic, letters, replaced);
  }

  /**
   * Sends `stripped` in place of the dead letter Kafka refused as too large (which replaced a
   * record of the batch, or is one: an unmapped message).
   */
  private async deliverWithoutValue(
    letter: BridgeRecord,
    stripped: BridgeRecord,
    rejection: Rejection,
    replaced: Map<BridgeRecord, BridgeRecord>,
  ): Promise<void> {
    let original = letter;
    for (const [record, replacement] of replaced) if (replacement === letter) original = record;
    replaced.set(original, stripped);
    const details = { kafkaTopic: this.options.topic, reason: rejection.reason };
    if (this.reported.get(this.options.topic) === rejection.reason)
      this.logger.debug(details, 'dead letter too large for Kafka: sent without its value');
    else {
      this.reported.set(this.options.topic, rejection.reason);
      this.logger.warn(
        details,
        'Kafka refuses a dead letter as too large: sent without its value (kafka.maxRecordBytes is above what Kafka takes)',
      );
    }
    await this.deliver(this.options.topic, [stripped], replaced);
  }

  /** An unknown topic is a refusal only when the cluster's metadata does not list it. */
  private async confirmed(
    rejection: Rejection | undefined,
    topic: string,
  ): Promise<Rejection | undefined> {
    if (rejection?.reason !== UNKNOWN_TOPIC) return rejection;
    return (await this.kafka.topicExists(topic)) ? undefined : rejection;
  }

  private reject(topic: string, rejection: Rejection): void {
    if (rejection.scope === 'topic')
      this.refused.set(topic, {
        reason: rejection.reason,
        recheckAt: this.now() + this.options.recheckAfterMs,
      });
    const details = { kafkaTopic: topic, reason: rejection.reason, deadLetter: this.options.topic };
    if (this.reported.get(topic) === rejection.reason) {
      this.logger.debug(details, 'Kafka refused records again: dead-lettered');
      return;
    }
    this.reported.set(topic, rejection.reason);
    this.logger.warn(
      details,
      rejection.scope === 'topic'
        ? 'Kafka refuses the topic: its records go to the dead letter'
        : 'Kafka refused records of the topic: those go to the dead letter',
    );
  }

  private rejectDeadLetter(rejection: Rejection, error: unknown): DeadLetterRejectedError {
    if (this.deadLetterRejection !== rejection.reason)
      this.logger.error(
        { kafkaTopic: this.options.topic, reason: rejection.reason, err: error },
        'Kafka refuses the dead-letter topic: records wait in the spool until it takes them',
      );
    this.deadLetterRejection = rejection.reason;
    this.metrics.deadLetterRejected.set(1);
    return new DeadLetterRejectedError(this.options.topic, rejection.reason, error);
  }

  /** Kafka took records of the topic: a refusal of it is over. */
  private accepted(topic: string): void {
    if (topic === this.options.topic && this.deadLetterRejection !== undefined) {
      this.deadLetterRejection = undefined;
      this.metrics.deadLetterRejected.set(0);
      this.logger.info({ kafkaTopic: topic }, 'Kafka takes the dead-letter topic again');
    }
    if (this.refused.delete(topic)) {
      this.reported.delete(topic);
      this.logger.info({ kafkaTopic: topic }, 'Kafka takes the topic again');
    }
  }

  private isDeadLetter(record: BridgeRecord): boolean {
    return record.topic === this.options.topic;
  }
}
