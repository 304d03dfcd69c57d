import { FirehoseClient } from '@aws-sdk/client-firehose';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MSKEvent, MSKRecord } from 'aws-lambda';
import { putAll, packRows, type PartitionedRow, type RetryPolicy, DEFAULT_RETRY } from './delivery';
import { decodeHeaders } from '@uns-mlops/msk-records';
import type { Flattener } from './flattener';
import { type HeaderNames, RejectedRecord } from './record';

/** Where the handler delivers rows and rejected records (from the function's environment). */
export interface FlattenerConfig {
  /** The Firehose stream of each Lakehouse table the function fills, by table name. */
  readonly deliveryStreams: Readonly<Record<string, string>>;
  readonly rejectsBucket: string;
  /** Key prefix of rejected records, ending with `/`. */
  readonly rejectsPrefix: string;
  readonly headers: HeaderNames;
}

/** Reads the configuration the CDK construct sets; names every missing variable at once. */
export function configFromEnvironment(env: NodeJS.ProcessEnv): FlattenerConfig {
  const names = {
    deliveryStreams: 'DELIVERY_STREAMS',
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
    deliveryStreams: parseDeliveryStreams(value('deliveryStreams')),
    rejectsBucket: value('rejectsBucket'),
    rejectsPrefix: value('rejectsPrefix'),
    headers: {
      mqttTopic: value('mqttTopic'),
      receivedAt: value('receivedAt'),
      contractVersion: value('contractVersion'),
    },
  };
}

/** `DELIVERY_STREAMS`: a JSON object of table name → delivery stream name. */
function parseDeliveryStreams(json: string): Record<string, string> {
  let streams: unknown;
  try {
    streams = JSON.parse(json);
  } catch {
    streams = undefined;
  }
  if (
    typeof streams !== 'object' ||
    streams === null ||
    Array.isArray(streams) ||
    !Object.values(streams).every((name) => typeof name === 'string' && name !== '')
  ) {
    throw new Error(
      `uns-telemetry-flattener: DELIVERY_STREAMS is not a JSON object of table → delivery stream name: ${json}`,
    );
  }
  return streams as Record<string, string>;
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

/** Dependencies of a handler, so that tests pass their own clients and retry policy. */
export interface HandlerDependencies {
  readonly config: FlattenerConfig;
  readonly firehose: FirehoseClient;
  readonly s3: S3Client;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly retry?: RetryPolicy;
}

/**
 * The Lambda handler for batches of an MSK event source mapping: `flattener` turns each record
 * into rows of one of its tables, which go through that table's Firehose stream; a record that
 * breaks the contract is counted, logged and kept in S3 under the rejects prefix, and the batch
 * goes on. A delivery that still fails after retries fails the invocation, so the whole batch is
 * retried (at-least-once, for every table of the batch).
 *
 * @throws Error at once when the configuration names no stream for a table of `flattener`.
 */
export function createFlattenerHandler(
  deps: HandlerDependencies,
  flattener: Flattener,
): (event: MSKEvent) => Promise<FlattenResult> {
  const streams = new Map(Object.entries(deps.config.deliveryStreams));
  const unserved = flattener.tables.filter((table) => !streams.has(table));
  if (unserved.length > 0) {
    throw new Error(
      `uns-telemetry-flattener: DELIVERY_STREAMS names no stream for table(s) ${unserved.join(', ')}`,
    );
  }
  return async (event) => {
    const rowsByTable = new Map<string, PartitionedRow[]>();
    const rejects: RejectEntry[] = [];
    const records = Object.values(event.records).flat();
    for (const record of records) {
      try {
        const { table, rows } = flattener.flatten(record, deps.config.headers);
        const tableRows = rowsByTable.get(table) ?? [];
        tableRows.push(...rows);
        rowsByTable.set(table, tableRows);
      } catch (error) {
        if (!(error instanceof RejectedRecord)) throw error;
        rejects.push(rejectEntry(record, error.reason));
      }
    }
    await Promise.all(
      [...rowsByTable].map(([table, rows]) => {
        const stream = streams.get(table);
        if (stream === undefined) throw new Error(`no delivery stream for table ${table}`);
        return putAll(deps.firehose, stream, packRows(rows), deps.retry ?? DEFAULT_RETRY);
      }),
    );
    if (rejects.length > 0) await storeRejects(deps, rejects);

    const rows = [...rowsByTable.values()].reduce((sum, tableRows) => sum + tableRows.length, 0);
    deps.metrics.addMetric('RecordsReceived', MetricUnit.Count, records.length);
    deps.metrics.addMetric('RowsDelivered', MetricUnit.Count, rows);
    deps.metrics.addMetric('RecordsRejected', MetricUnit.Count, rejects.length);
    deps.metrics.publishStoredMetrics();
    return { records: records.length, rows, rejected: rejects.length };
  };
}

/**
 * The handler of a function of this workspace as Lambda runs it: the configuration from the
 * environment, the SDK's default clients, and logs and metrics (namespace `uns-mlops`) of
 * `serviceName`.
 */
export function lambdaHandler(
  serviceName: string,
  flattener: Flattener,
): (event: MSKEvent) => Promise<FlattenResult> {
  return createFlattenerHandler(
    {
      config: configFromEnvironment(process.env),
      firehose: new FirehoseClient({}),
      s3: new S3Client({}),
      logger: new Logger({ serviceName }),
      metrics: new Metrics({ namespace: 'uns-mlops', serviceName }),
    },
    flattener,
  );
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
