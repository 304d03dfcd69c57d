/**
 * What reached a Kafka topic: every record's identity (the UNS topic it came from and the
 * telemetry block's sequence number), collected by a consumer reading from the beginning.
 */
import { Kafka, logLevel, type Consumer } from 'kafkajs';

/** The record header carrying the original MQTT topic (the bridge's record contract). */
const MQTT_TOPIC_HEADER = 'uns-topic';

/** The records of one topic, as a consumer group of the suite's own reads them. */
export class KafkaRecords {
  private readonly seen = new Set<string>();

  private constructor(private readonly consumer: Consumer) {}

  /** A telemetry message's identity: its UNS topic and the block's `seq`. */
  static identity(mqttTopic: string, payload: Uint8Array): string {
    const { seq } = JSON.parse(Buffer.from(payload).toString('utf8')) as { seq: number };
    return `${mqttTopic}#${seq}`;
  }

  /** Creates `topic` when missing and reads it from the beginning until {@link stop}. */
  static async start(bootstrap: string, topic: string): Promise<KafkaRecords> {
    const kafka = new Kafka({
      brokers: [bootstrap],
      clientId: 'device-suite',
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();
    const consumer = kafka.consumer({ groupId: `device-suite-${process.pid}-${Date.now()}` });
    const records = new KafkaRecords(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        const mqttTopic = message.headers?.[MQTT_TOPIC_HEADER]?.toString();
        if (mqttTopic !== undefined && message.value !== null)
          records.seen.add(KafkaRecords.identity(mqttTopic, message.value));
        return Promise.resolve();
      },
    });
    return records;
  }

  /** Whether every identity in `expected` has arrived. */
  containsAll(expected: ReadonlySet<string>): boolean {
    return this.missingOf(expected).length === 0;
  }

  /** The identities in `expected` that have not arrived. */
  missingOf(expected: ReadonlySet<string>): string[] {
    return [...expected].filter((identity) => !this.seen.has(identity));
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}
