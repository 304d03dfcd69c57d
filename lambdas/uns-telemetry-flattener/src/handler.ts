import { FirehoseClient } from '@aws-sdk/client-firehose';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MSKEvent, MSKRecord } from 'aws-lambda';
import { putAll, packRows, type PartitionedRow, type RetryPolicy, DEFAULT_RETRY } from './delivery';
import { decodeHeaders } from '@uns-mlops/msk-records';
import { flattenTelemetryRecord, type HeaderNames, RejectedRecord } from './flatten';

/** Where the handler delivers rows and rejected records (from the function's environment). */
export interface FlattenerConfig {
  readonly deliveryStreamName: string;
  readonly rejectsBucket: string;
  /** Key prefix of rejected records, ending with `/`. */
  readonly rejectsPrefix: string;
  readonly headers: HeaderNames;
}

/** Reads the configuration the CDK construct sets; names every missing variable at once. */
export function configFromEnvironment(env: NodeJS.ProcessEnv): FlattenerConfig {
  const names = {
    deliveryStreamName: 'DELIVERY_STREAM_NAME',
    rejectsBucket: 'REJECTS_BUCKET',
    rejectsPrefix: 'REJECTS_PREFIX',
    mqttTopic: 'HEADER_MQTT_TOPIC',
    receivedAt: 'HEADER_RECEIVED_AT',
    contractVersion: 'HEADER_CONTRACT_VERSION',
  } as const;
  const missing = Object.values(names).filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new Error(
      `uns-telemetry-flattener: environment variables missing: ${missing.join(', ')}`,
    );
  }
  const value = (name: keyof typeof names) => env[names[name]] ?? '';
  return {
    deliveryStreamName: value('deliveryStreamName'),
    rejectsBucket: value('rejectsBucket'),
    rejectsPrefix: value('rejectsPrefix'),
    headers: {
      mqttTopic: value('mqttTopic'),
      receivedAt: value('receivedAt'),
      contractVersion: value('contractVersion'),
    },
  };
}

/** A rejected Kafka record as kept in S3: enough to replay it once the cause is fixed. */
interface RejectEntry {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  headers: Record<string, string>;
  /** The Kafka value, base64 as received. */
  value: string | null;
  reason: string;
}

/** The outcome of one invocation. */
export interface FlattenResult {
  readonly records: number;
  readonly rows: number;
  readonly rejected: number;
}

/** Dependencies of {@link createHandler}, so that tests pass their own clients and retry policy. */
export interface HandlerDependencies {
  readonly config: FlattenerConfig;
  readonly firehose: FirehoseClient;
  readonly s3: S3Client;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly retry?: RetryPolicy;
}

/**
 * Turns one Kafka record into Lakehouse rows (none for a record the table does not hold).
 *
 * @throws RejectedRecord when the record breaks its contract.
 */
export type FlattenRecord = (record: MSKRecord, headers: HeaderNames) => readonly PartitionedRow[];

/**
 * The Lambda handler for batches of the MSK event source mapping on `uns.telemetry`: each record
 * becomes one row per sample, delivered through Firehose; a record that breaks the contract is
 * counted, logged and kept in S3 under the rejects prefix, and the batch goes on. A delivery that
 * still fails after retries fails the invocation, so the whole batch is retried (at-least-once).
 */
export function createHandler(
  deps: HandlerDependencies,
): (event: MSKEvent) => Promise<FlattenResult> {
  return createFlattenerHandler(deps, flattenTelemetryRecord);
}

/**
 * A handler like {@link createHandler} for any topic: `flatten` turns each record into the rows
 * of one Lakehouse table.
 */
export function createFlattenerHandler(
  deps: HandlerDependencies,
  flatten: FlattenRecord,
): (event: MSKEvent) => Promise<FlattenResult> {
  return async (event) => {
    const rows: PartitionedRow[] = [];
    const rejects: RejectEntry[] = [];
    const records = Object.values(event.records).flat();
    for (const record of records) {
      try {
        rows.push(...flatten(record, deps.config.headers));
      } catch (error) {
        if (!(error instanceof RejectedRecord)) throw error;
        rejects.push(rejectEntry(record, error.reason));
      }
    }
    await putAll(
      deps.firehose,
      deps.config.deliveryStreamName,
      packRows(rows),
      deps.retry ?? DEFAULT_RETRY,
    );
    if (rejects.length > 0) await storeRejects(deps, rejects);

    deps.metrics.addMetric('RecordsReceived', MetricUnit.Count, records.length);
    deps.metrics.addMetric('RowsDelivered', MetricUnit.Count, rows.length);
    deps.metrics.addMetric('RecordsRejected', MetricUnit.Count, rejects.length);
    deps.metrics.publishStoredMetrics();
    return { records: records.length, rows: rows.length, rejected: rejects.length };
  };
}

function rejectEntry(record: MSKRecord, reason: string): RejectEntry {
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    key: record.key || null,
    headers: Object.fromEntries(decodeHeaders(record.headers)),
    value: record.value || null,
    reason,
  };
}

/**
 * One JSON-lines object per invocation, named after the first rejected record's topic, partition
 * and offset, so a retried batch overwrites its own object instead of duplicating it.
 */
async function storeRejects(deps: HandlerDependencies, rejects: RejectEntry[]): Promise<void> {
  const first = rejects[0];
  if (first === undefined) return;
  const day = new Date(first.timestamp).toISOString().slice(0, 10);
  const key = `${deps.config.rejectsPrefix}dt=${day}/${first.topic}-${first.partition}-${first.offset}.jsonl`;
  await deps.s3.send(
    new PutObjectCommand({
      Bucket: deps.config.rejectsBucket,
      Key: key,
      Body: rejects.map((entry) => JSON.stringify(entry)).join('\n') + '\n',
      ContentType: 'application/x-ndjson',
    }),
  );
  for (const entry of rejects) {
    deps.logger.warn('Rejected a record that breaks the contract', {
      topic: entry.topic,
      partition: entry.partition,
      offset: entry.offset,
      reason: entry.reason,
      storedAt: `s3://${deps.config.rejectsBucket}/${key}`,
    });
  }
}
