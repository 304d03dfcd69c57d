import { type FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';

/** A Lakehouse row with the partition values the delivery stream extracts (`site`, `dt`). */
export interface PartitionedRow {
  readonly site: string;
  /** UTC day, yyyy-MM-dd. */
  readonly dt: string;
}

/** The `dt` partition value of a time: its UTC day, yyyy-MM-dd. */
export function utcDay(epochMillis: number): string {
  return new Date(epochMillis).toISOString().slice(0, 10);
}

/** Firehose de-aggregates at most 500 JSON objects from one record. */
export const ROWS_PER_RECORD = 500;
/** PutRecordBatch limits: 500 records and 4 MiB per call. */
const RECORDS_PER_CALL = 500;
const BYTES_PER_CALL = 4 * 1024 * 1024;

/**
 * Packs rows into Firehose records of newline-delimited JSON, at most {@link ROWS_PER_RECORD}
 * rows each and one site and day each (the stream partitions by the first row's `site`/`dt`).
 */
export function packRows(rows: readonly PartitionedRow[]): Uint8Array[] {
  const groups = new Map<string, PartitionedRow[]>();
  for (const row of rows) {
    const key = `${row.site}/${row.dt}`;
    const group = groups.get(key) ?? [];
    group.push(row);
    groups.set(key, group);
  }
  const records: Uint8Array[] = [];
  for (const group of groups.values()) {
    for (let start = 0; start < group.length; start += ROWS_PER_RECORD) {
      const chunk = group.slice(start, start + ROWS_PER_RECORD);
      records.push(Buffer.from(chunk.map((row) => JSON.stringify(row)).join('\n') + '\n'));
    }
  }
  return records;
}

/** How hard {@link putAll} tries before giving up. */
export interface RetryPolicy {
  readonly maxAttempts: number;
  /** Delay before retry n (1-based) in milliseconds. */
  readonly backoffMs: (attempt: number) => number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 5,
  backoffMs: (attempt) => Math.min(100 * 2 ** attempt, 3000),
};

/**
 * Puts every record into the delivery stream, in calls within PutRecordBatch's limits, retrying
 * the records Firehose refused (throttling, service errors) with backoff.
 *
 * @throws Error when records are still refused after the last attempt: the caller fails the
 *   invocation, so the event source mapping retries the Kafka batch (at-least-once delivery).
 */
export async function putAll(
  client: FirehoseClient,
  deliveryStreamName: string,
  records: readonly Uint8Array[],
  retry: RetryPolicy = DEFAULT_RETRY,
): Promise<void> {
  for (const call of batches(records)) {
    let pending = call;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const response = await client.send(
        new PutRecordBatchCommand({
          DeliveryStreamName: deliveryStreamName,
          Records: pending.map((Data) => ({ Data })),
        }),
      );
      const refused = pending.filter(
        (_, index) => response.RequestResponses?.[index]?.ErrorCode !== undefined,
      );
      if (refused.length === 0) break;
      if (attempt >= retry.maxAttempts) {
        const firstError = response.RequestResponses?.find((entry) => entry.ErrorCode)?.ErrorCode;
        throw new Error(
          `Firehose refused ${refused.length} of ${pending.length} records after ${attempt} attempts (first error: ${firstError ?? 'unknown'})`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, retry.backoffMs(attempt)));
      pending = refused;
    }
  }
}

function batches(records: readonly Uint8Array[]): Uint8Array[][] {
  const calls: Uint8Array[][] = [];
  let current: Uint8Array[] = [];
  let bytes = 0;
  for (const record of records) {
    if (current.length === RECORDS_PER_CALL || bytes + record.byteLength > BYTES_PER_CALL) {
      calls.push(current);
      current = [];
      bytes = 0;
    }
    current.push(record);
    bytes += record.byteLength;
  }
  if (current.length > 0) calls.push(current);
  return calls;
}
