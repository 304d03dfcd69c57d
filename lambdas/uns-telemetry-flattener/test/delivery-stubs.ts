import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import type { Flattener } from '../src/flattener';
import { createFlattenerHandler, type FlattenerConfig } from '../src/handler';
import { HEADERS } from './events';

/**
 * Stubs Firehose and S3 for the tests of the calling file: before each test, Firehose accepts
 * every record and S3 stores every rejected record. Metrics are counted but not printed as EMF
 * lines to the test output.
 */
export function stubDelivery(): {
  firehose: AwsClientStub<FirehoseClient>;
  s3: AwsClientStub<S3Client>;
} {
  const firehose = mockClient(FirehoseClient);
  const s3 = mockClient(S3Client);
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  beforeEach(() => {
    firehose.reset();
    s3.reset();
    firehose.on(PutRecordBatchCommand).callsFake((input: { Records: unknown[] }) => ({
      FailedPutCount: 0,
      RequestResponses: input.Records.map((_, index) => ({ RecordId: `r${index}` })),
    }));
    s3.on(PutObjectCommand).resolves({});
  });
  return { firehose, s3 };
}

/** One Firehose record the handler put: its stream and its rows, parsed back from the JSON lines. */
export interface DeliveredRecord {
  readonly stream: string;
  readonly rows: Record<string, unknown>[];
}

/** The Firehose records the handler put, in order. */
export function deliveredRecords(firehose: AwsClientStub<FirehoseClient>): DeliveredRecord[] {
  return firehose.commandCalls(PutRecordBatchCommand).flatMap((call) => {
    const { DeliveryStreamName, Records } = call.args[0].input;
    return (Records ?? []).map((record) => ({
      stream: DeliveryStreamName!,
      rows: Buffer.from(record.Data!)
        .toString('utf8')
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line)),
    }));
  });
}

/**
 * A handler of `flattener` with the stubbed clients, silent logs and retries without pauses: the
 * rejects go to `raw-bucket`, the header names are {@link HEADERS}, unless `config` names others.
 */
export function flattenerHandler(
  flattener: Flattener,
  config: Pick<FlattenerConfig, 'deliveryStreams' | 'rejectsPrefix'> & Partial<FlattenerConfig>,
  options: { metrics?: Metrics; maxAttempts?: number } = {},
) {
  return createFlattenerHandler(
    {
      config: { rejectsBucket: 'raw-bucket', headers: HEADERS, ...config },
      firehose: new FirehoseClient({ region: 'eu-central-1' }),
      s3: new S3Client({ region: 'eu-central-1' }),
      logger: new Logger({ serviceName: 'flattener-test', logLevel: 'SILENT' }),
      metrics:
        options.metrics ??
        new Metrics({ namespace: 'uns-mlops-test', serviceName: 'flattener-test' }),
      retry: { maxAttempts: options.maxAttempts ?? 2, backoffMs: () => 0 },
    },
    flattener,
  );
}
