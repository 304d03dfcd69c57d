import type { MSKEvent, MSKRecord } from 'aws-lambda';

/** Header values as UTF-8 text; Lambda passes each header value as an array of bytes. */
export function decodeHeaders(headers: MSKRecord['headers'] | undefined): Map<string, string> {
  const decoded = new Map<string, string>();
  for (const header of headers ?? []) {
    for (const [name, bytes] of Object.entries(header)) {
      decoded.set(name, Buffer.from(bytes).toString('utf8'));
    }
  }
  return decoded;
}

/** What a record is made of, in plain text. */
export interface RecordFields {
  readonly topic: string;
  /** The record key; `null` for a record without one. */
  readonly key: string | null;
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly partition: number;
  readonly offset: number;
  /** Record timestamp, epoch milliseconds. */
  readonly timestamp: number;
}

/**
 * One record as the Lambda MSK event source mapping delivers it: key and value base64, each
 * header value an array of bytes (for tests and tools that call the functions).
 */
export function mskRecord(fields: RecordFields): MSKRecord {
  return {
    topic: fields.topic,
    partition: fields.partition,
    offset: fields.offset,
    timestamp: fields.timestamp,
    timestampType: 'CREATE_TIME',
    key:
      fields.key === null
        ? (undefined as unknown as string)
        : Buffer.from(fields.key).toString('base64'),
    value: Buffer.from(fields.value).toString('base64'),
    headers: Object.entries(fields.headers).map(([name, text]) => ({
      [name]: [...Buffer.from(text)],
    })),
  };
}

/** An MSK event holding the records, grouped by topic and partition as Lambda does. */
export function mskEvent(records: readonly MSKRecord[]): MSKEvent {
  const grouped: MSKEvent['records'] = {};
  for (const record of records) {
    (grouped[`${record.topic}-${record.partition}`] ??= []).push(record);
  }
  return {
    eventSource: 'aws:kafka',
    eventSourceArn:
      'arn:aws:kafka:eu-central-1:123456789012:cluster/uns-mlops/0b1c2d3e-aaaa-bbbb-cccc-0123456789ab-s1',
    bootstrapServers: 'boot-abc.c1.kafka-serverless.eu-central-1.amazonaws.com:9098',
    records: grouped,
  };
}
