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
  /** Dead-letter records without their value only: the size of the value left out, in bytes. */
  originalBytes: 'uns-original-bytes',
} as const;

/** Dead-letter reason of a message whose record would exceed `kafka.maxRecordBytes`. */
export const RECORD_TOO_LARGE = 'record-too-large';

/** What {@link Intake} needs beside the mapping. */
export interface IntakeOptions {
  /** The contract's `info.version`, carried in every record. */
  readonly contractVersion: string;
  /** Largest record (value, key and headers, see {@link Intake.size}) forwarded as it is. */
  readonly maxRecordBytes: number;
  /** The dead-letter topic, where the records of larger messages go without their value. */
  readonly deadLetterTopic: string;
}

const NO_VALUE = Buffer.alloc(0);

/**
 * Turns received UNS messages into Kafka records: destination from the mapping, the payload
 * unchanged (bytes, never decoded), and the headers: original topic, receive time, contract
 * version, and a message id (`<run id>-<counter>`, unique per reception and kept through spooling
 * and retries, so downstream can count duplicates). `uns-redelivered: true` marks a broker
 * redelivery (MQTT DUP); `uns-dead-letter-reason: unmapped` a message no route maps.
 *
 * A message whose record would exceed `maxRecordBytes` becomes a dead letter without its value:
 * the same key and headers, plus `uns-dead-letter-reason: record-too-large`, the payload's size
 * (`uns-original-bytes`) and the Kafka topic it was meant for (`uns-intended-topic`, unless it
 * was unmapped). It is forwarded, spooled and acknowledged like any other record, and no larger
 * than its key and headers: two MQTT topics and a few hundred bytes, about 132 KB at most, far
 * below Kafka's default limit of 1 MiB.
 */
export class Intake {
  private readonly runId = randomBytes(6).toString('hex');
  private counter = 0;
  /** The last receive time and its ISO text: many messages arrive within one millisecond. */
  private receivedAt = { epochMs: NaN, iso: '' };

  constructor(
    private readonly router: Router,
    private readonly options: IntakeOptions,
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
      [HEADERS.contractVersion]: this.options.contractVersion,
      [HEADERS.messageId]: `${this.runId}-${this.counter}`,
    };
    if (redelivered) headers[HEADERS.redelivered] = 'true';
    if (destination.deadLetterReason !== undefined)
      headers[HEADERS.deadLetterReason] = destination.deadLetterReason;
    const record = {
      topic: destination.topic,
      key: destination.key,
      value: payload,
      timestamp: now,
      headers,
    };
    if (Intake.size(record) <= this.options.maxRecordBytes) return record;
    if (destination.deadLetterReason === undefined)
      headers[HEADERS.intendedTopic] = destination.topic;
    headers[HEADERS.deadLetterReason] = RECORD_TOO_LARGE;
    headers[HEADERS.originalBytes] = String(payload.length);
    return { ...record, topic: this.options.deadLetterTopic, value: NO_VALUE };
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
