import { promisify } from 'node:util';
import { gzipSync, unzip } from 'node:zlib';
import {
  CompressionCodecs,
  CompressionTypes,
  Kafka,
  logLevel as KafkaLogLevel,
  type Message,
  type Producer,
  type TopicMessages,
} from 'kafkajs';
import type { Logger } from 'pino';
import type { BridgeRecord } from '../bridge/record';
import type { BridgeConfig } from '../config/config';
import type { KafkaSecurityOptions } from './auth';
import { cachingKeyPartitioner } from './key-partitioner';
import { rejectionOf, UNKNOWN_TOPIC } from './rejection';

/**
 * Produces batches of records to Kafka: idempotent producer, acks from all in-sync replicas,
 * compression as configured. A batch either is acknowledged or fails within `ackTimeoutMs`; after
 * a failure the producer is replaced by a new one (new producer id), so a batch that Kafka wrote
 * but did not confirm cannot make the idempotent sequence numbers skip later records: it only
 * comes again as a duplicate.
 */
export class KafkaSink {
  private readonly kafka: Kafka;
  private producer: Promise<Producer> | undefined;
  private readonly compression: CompressionTypes;

  constructor(
    private readonly config: BridgeConfig['kafka'],
    security: KafkaSecurityOptions,
    private readonly logger: Logger,
  ) {
    this.kafka = new Kafka({
      clientId: config.clientId,
      brokers: config.brokers,
      ...security,
      connectionTimeout: Math.min(3000, config.ackTimeoutMs),
      requestTimeout: config.ackTimeoutMs,
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
      // kafkajs reports every failed connection attempt; the bridge logs the state changes.
      logLevel: KafkaLogLevel.WARN,
      logCreator: () => (entry) => {
        logger.debug({ kafkajs: entry.log, namespace: entry.namespace }, entry.log.message);
      },
    });
    this.compression =
      config.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
    if (config.compression === 'gzip') useGzipLevel(config.gzipLevel);
  }

  /** Sends the records (in order per topic and key); rejects when Kafka did not acknowledge all. */
  async send(records: readonly BridgeRecord[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const record of records) {
      let messages = byTopic.get(record.topic);
      if (messages === undefined) byTopic.set(record.topic, (messages = []));
      messages.push({
        key: record.key,
        value: record.value,
        timestamp: String(record.timestamp),
        headers: record.headers,
      });
    }
    const topicMessages: TopicMessages[] = [...byTopic].map(([topic, messages]) => ({
      topic,
      messages,
    }));
    try {
      await withTimeout(
        (async () => {
          const producer = await this.connectedProducer();
          await producer.sendBatch({
            topicMessages,
            acks: -1,
            timeout: this.config.ackTimeoutMs,
            compression: this.compression,
          });
        })(),
        this.config.ackTimeoutMs,
      );
    } catch (error) {
      this.discardProducer();
      throw error;
    }
  }

  /**
   * Whether the cluster has the topic, asked by a metadata request that cannot create it (an
   * admin client of its own, connected for this question only: it is rarely asked).
   */
  async topicExists(topic: string): Promise<boolean> {
    const admin = this.kafka.admin();
    try {
      await withTimeout(
        (async () => {
          await admin.connect();
          await admin.fetchTopicMetadata({ topics: [topic] });
        })(),
        this.config.ackTimeoutMs,
      );
      return true;
    } catch (error) {
      if (rejectionOf(error)?.reason === UNKNOWN_TOPIC) return false;
      throw error;
    } finally {
      await admin.disconnect().catch((error: unknown) => {
        this.logger.debug({ err: error }, 'Kafka admin client did not disconnect cleanly');
      });
    }
  }

  /** Disconnects the producer (waiting for nothing: callers finish their sends first). */
  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    if (producer !== undefined) await (await producer.catch(() => undefined))?.disconnect();
  }

  private connectedProducer(): Promise<Producer> {
    this.producer ??= (async () => {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: true,
        createPartitioner: cachingKeyPartitioner(),
        retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
      });
      await producer.connect();
      return producer;
    })();
    return this.producer;
  }

  private discardProducer(): void {
    const producer = this.producer;
    this.producer = undefined;
    void producer
      ?.then((p) => p.disconnect())
      .catch((error: unknown) => {
        this.logger.debug({ err: error }, 'discarded Kafka producer did not disconnect cleanly');
      });
  }
}

const unzipAsync = promisify(unzip);

/**
 * Makes kafkajs gzip at `level` (its built-in codec always uses zlib's default, 6), on the event
 * loop: at level 1 a batch takes about 3 µs per record, and handing it to the thread pool and back
 * cost more than that on a busy machine (bench: p99 at 30,000 msg/s 28-35 ms instead of 43-95 ms).
 * kafkajs looks codecs up in one table per process; the bridge is its only user here.
 */
function useGzipLevel(level: number): void {
  CompressionCodecs[CompressionTypes.GZIP] = () => ({
    compress: (encoder: { buffer: Buffer }) => Promise.resolve(gzipSync(encoder.buffer, { level })),
    decompress: (buffer: Buffer) => unzipAsync(buffer),
  });
}

/** The promise's outcome, or a rejection after `ms`. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`Kafka did not acknowledge within ${ms} ms`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => {
    clearTimeout(timer);
  });
}
