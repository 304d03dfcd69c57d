/**
 * The ingest consumer's code fed from a real Kafka as the MSK event source mapping feeds it: a
 * consumer group reads `uns.validation`, each fetched batch of a partition becomes one MSK event
 * (key and value base64, headers as byte arrays, grouped by `<topic>-<partition>`), the handler
 * answers it, and the offsets are committed only after the handler returned, so a failed
 * invocation is redelivered as Lambda would.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { mskEvent, mskRecord } from '@uns-mlops/msk-records';
import { createIngestHandler, createIngestMetrics } from '@uns-mlops/validation-ingest/src/handler';
import { DEFAULTS } from '@uns-mlops/validation-ingest/src/config';
import type { SqlClient } from '@uns-mlops/validation-store';
import { Kafka, logLevel, type Consumer } from 'kafkajs';

/** A running feeder. */
export interface MskFeeder {
  /** Batches the handler answered, and the poison records it named. */
  readonly batches: number;
  readonly poisonRecords: number;
  stop(): Promise<void>;
}

/** Feeds `topic` of the broker at `bootstrap` to the ingest handler writing into `store`. */
export async function feedIngestFromKafka(options: {
  readonly bootstrap: string;
  readonly topic: string;
  readonly store: SqlClient;
}): Promise<MskFeeder> {
  const handler = createIngestHandler({
    settings: DEFAULTS,
    store: options.store,
    logger: new Logger({ serviceName: 'validation-ingest', logLevel: 'WARN' }),
    metrics: createIngestMetrics(DEFAULTS.namespace),
  });
  const kafka = new Kafka({
    clientId: 'compliance-e2e',
    brokers: [options.bootstrap],
    logLevel: logLevel.NOTHING,
  });
  // As on MSK, the topic exists before anyone produces or consumes (created with its leaders).
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic: options.topic }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  const consumer: Consumer = kafka.consumer({ groupId: 'uns-mlops-compliance-e2e' });
  await consumer.connect();
  await consumer.subscribe({ topic: options.topic, fromBeginning: true });
  const counts = { batches: 0, poisonRecords: 0 };
  await consumer.run({
    autoCommit: false,
    eachBatch: async (payload) => {
      const { batch } = payload;
      const records = batch.messages.map((message) =>
        mskRecord({
          topic: batch.topic,
          partition: batch.partition,
          offset: Number(message.offset),
          timestamp: Number(message.timestamp),
          key: message.key?.toString('utf8') ?? null,
          value: message.value?.toString('utf8') ?? '',
          headers: Object.fromEntries(
            Object.entries(message.headers ?? {}).map(([name, value]) => [
              name,
              String(value ?? ''),
            ]),
          ),
        }),
      );
      if (records.length === 0) return;
      const answer = await handler(mskEvent(records));
      counts.batches += 1;
      counts.poisonRecords += answer.batchItemFailures.length;
      for (const message of batch.messages) payload.resolveOffset(message.offset);
      await payload.commitOffsetsIfNecessary();
    },
  });
  return {
    get batches() {
      return counts.batches;
    },
    get poisonRecords() {
      return counts.poisonRecords;
    },
    stop: () => consumer.disconnect(),
  };
}
