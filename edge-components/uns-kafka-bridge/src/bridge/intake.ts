import { randomBytes } from 'node:crypto';
import type { Router } from '../mapping/router';
import type { BridgeRecord } from './record';

/** Header names of every record (see README: Kafka record contract). */
export const HEADERS = {
  topic: 'uns-topic',
  receivedAt: 'uns-received-at',
  contractVersion: 'uns-contract-version',
  messageId: 'uns-message-id',
  redelivered: 'uns-redelivered',
  /** Dead-letter records only: why the record is there (`unmapped`, or Kafka's refusal). */
  deadLetterReason: 'uns-dead-letter-reason',
  /** Dead-letter records Kafka refused only: the Kafka topic the record was meant for. */
  intendedTopic: 'uns-intended-topic',
} as const;

/**
 * Turns received UNS messages into Kafka records: destination from the mapping, the payload
 * unchanged, and the headers: original topic, receive time, contract version, and a message id
 * (`<run id>-<counter>`, unique per reception and kept through spooling and retries, so
 * downstream can count duplicates). `uns-redelivered: true` marks a broker redelivery (MQTT DUP);
 * `uns-dead-letter-reason: unmapped` a message no route maps.
 */
export class Intake {
  private readonly runId = randomBytes(6).toString('hex');
  private counter = 0;
  /** The last receive time and its ISO text: many messages arrive within one millisecond. */
  private receivedAt = { epochMs: NaN, iso: '' };

  constructor(
    private readonly router: Router,
    private readonly contractVersion: string,
  ) {}

  /** The record of a received message; undefined when the mapping excludes its topic. */
  record(
    topic: string,
    payload: Buffer,
    redelivered: boolean,
    now = Date.now(),
  ): BridgeRecord | undefined {
    const destination = this.router.route(topic);
    if (destination === undefined) return undefined;
    this.counter += 1;
    const headers: Record<string, string> = {
      [HEADERS.topic]: topic,
      [HEADERS.receivedAt]: this.isoTime(now),
      [HEADERS.contractVersion]: this.contractVersion,
      [HEADERS.messageId]: `${this.runId}-${this.counter}`,
    };
    if (redelivered) headers[HEADERS.redelivered] = 'true';
    if (destination.deadLetterReason !== undefined)
      headers[HEADERS.deadLetterReason] = destination.deadLetterReason;
    return {
      topic: destination.topic,
      key: destination.key,
      value: payload,
      timestamp: now,
      headers,
    };
  }

  private isoTime(epochMs: number): string {
    if (epochMs !== this.receivedAt.epochMs)
      this.receivedAt = { epochMs, iso: new Date(epochMs).toISOString() };
    return this.receivedAt.iso;
  }

  /** Bytes a record takes in Kafka, near enough to compare with `maxRecordBytes`. */
  static size(record: BridgeRecord): number {
    let bytes = record.value.length + Buffer.byteLength(record.key);
    for (const [name, value] of Object.entries(record.headers))
      bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
    return bytes;
  }
}
