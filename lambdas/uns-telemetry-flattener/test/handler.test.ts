import { PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { ROWS_PER_RECORD } from '../src/delivery';
import { telemetryFlattener } from '../src/flatten';
import { configFromEnvironment, type FlattenerConfig } from '../src/handler';
import { deliveredRecords, flattenerHandler, stubDelivery } from './delivery-stubs';
import { ASSET_PATH, HEADERS, kafkaRecord, mskEvent } from './events';

const CONFIG: FlattenerConfig = {
  deliveryStreams: { uns_telemetry: 'uns-telemetry-to-lakehouse' },
  rejectsBucket: 'raw-bucket',
  rejectsPrefix: 'errors/uns_telemetry/rejected/',
  headers: HEADERS,
};

const { firehose, s3 } = stubDelivery();
let addMetric: jest.SpiedFunction<Metrics['addMetric']>;

/** The counts the handler recorded, by metric name. */
function countedMetrics(): Record<string, number> {
  return Object.fromEntries(addMetric.mock.calls.map(([name, , value]) => [name, value]));
}

function handler() {
  const metrics = new Metrics({ namespace: 'uns-mlops-test', serviceName: 'flattener-test' });
  addMetric = jest.spyOn(metrics, 'addMetric');
  return flattenerHandler(telemetryFlattener, CONFIG, { metrics, maxAttempts: 3 });
}

/** The rows of each Firehose record the handler put. */
function deliveredRows(): Record<string, unknown>[][] {
  return deliveredRecords(firehose).map((record) => record.rows);
}

describe('telemetry flattener handler', () => {
  it('delivers one row per sample of every record in the batch to the delivery stream', async () => {
    const event = mskEvent([
      kafkaRecord({ offset: 1, partition: 0 }),
      kafkaRecord({ offset: 2, partition: 1 }),
    ]);
    const result = await handler()(event);

    expect(result).toEqual({ records: 2, rows: 6, rejected: 0 });
    const calls = firehose.commandCalls(PutRecordBatchCommand);
    expect(calls.map((call) => call.args[0].input.DeliveryStreamName)).toEqual([
      'uns-telemetry-to-lakehouse',
    ]);
    const rows = deliveredRows().flat();
    expect(rows).toHaveLength(6);
    expect(rows.every((row) => row.site === 'zwickau' && row.dt === '2025-11-25')).toBe(true);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('packs at most 500 rows of one site and day into each Firehose record', async () => {
    const values = Array.from({ length: 1200 }, (_, index) => index / 10);
    await handler()(
      mskEvent([
        kafkaRecord({
          payload: { t0: '2025-11-25T08:00:00Z', dtMs: 1, unit: 'A', values, seq: 7 },
        }),
      ]),
    );
    const records = deliveredRows();
    expect(records.map((rows) => rows.length)).toEqual([ROWS_PER_RECORD, ROWS_PER_RECORD, 200]);
    expect(records.flat().map((row) => row.value)).toEqual(values);
  });

  it('keeps a record that breaks the contract in S3 with its reason and delivers the rest', async () => {
    const broken = kafkaRecord({ offset: 77, rawValue: 'not json' });
    const result = await handler()(mskEvent([kafkaRecord({ offset: 76 }), broken]));

    expect(result).toEqual({ records: 2, rows: 3, rejected: 1 });
    expect(countedMetrics()).toEqual({ RecordsReceived: 2, RowsDelivered: 3, RecordsRejected: 1 });
    expect(deliveredRows().flat()).toHaveLength(3);
    const [put] = s3.commandCalls(PutObjectCommand);
    const input = put!.args[0].input;
    expect(input.Bucket).toBe(CONFIG.rejectsBucket);
    expect(input.Key).toBe('errors/uns_telemetry/rejected/dt=2025-11-25/uns.telemetry-3-77.jsonl');
    expect(JSON.parse(input.Body as string)).toEqual({
      topic: 'uns.telemetry',
      partition: 3,
      offset: 77,
      timestamp: broken.timestamp,
      key: broken.key,
      headers: {
        [HEADERS.mqttTopic]: `${ASSET_PATH}/telemetry/arc_current`,
        [HEADERS.receivedAt]: '2025-11-25T08:15:30.120Z',
        [HEADERS.contractVersion]: '1.0.0',
      },
      value: Buffer.from('not json').toString('base64'),
      reason: 'value is not JSON',
    });
  });

  it('retries only the records Firehose refused', async () => {
    let call = 0;
    firehose.on(PutRecordBatchCommand).callsFake((input: { Records: unknown[] }) => {
      call++;
      return {
        FailedPutCount: call === 1 ? 1 : 0,
        RequestResponses: input.Records.map((_, index) =>
          call === 1 && index === 0
            ? { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'slow down' }
            : { RecordId: `r${index}` },
        ),
      };
    });
    const event = mskEvent([
      kafkaRecord({
        payload: {
          t0: '2025-11-25T08:00:00Z',
          dtMs: 1,
          unit: 'A',
          values: Array(600).fill(1),
          seq: 1,
        },
      }),
    ]);
    await handler()(event);
    const sizes = firehose
      .commandCalls(PutRecordBatchCommand)
      .map((c) => c.args[0].input.Records?.length);
    expect(sizes).toEqual([2, 1]);
  });

  it('fails the invocation when Firehose still refuses records after the last attempt', async () => {
    firehose.on(PutRecordBatchCommand).resolves({
      FailedPutCount: 1,
      RequestResponses: [{ ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'down' }],
    });
    await expect(handler()(mskEvent([kafkaRecord()]))).rejects.toThrow(
      /Firehose refused 1 of 1 records after 3 attempts \(first error: ServiceUnavailableException\)/,
    );
    expect(firehose.commandCalls(PutRecordBatchCommand)).toHaveLength(3);
  });
});

describe('configFromEnvironment', () => {
  const ENVIRONMENT = {
    DELIVERY_STREAMS: JSON.stringify(CONFIG.deliveryStreams),
    REJECTS_BUCKET: CONFIG.rejectsBucket,
    REJECTS_PREFIX: CONFIG.rejectsPrefix,
    HEADER_MQTT_TOPIC: HEADERS.mqttTopic,
    HEADER_RECEIVED_AT: HEADERS.receivedAt,
    HEADER_CONTRACT_VERSION: HEADERS.contractVersion,
  };

  it('names every missing variable at once', () => {
    expect(() => configFromEnvironment({ DELIVERY_STREAMS: '{}' })).toThrow(
      'environment variables missing: REJECTS_BUCKET, REJECTS_PREFIX, HEADER_MQTT_TOPIC, HEADER_RECEIVED_AT, HEADER_CONTRACT_VERSION',
    );
  });

  it('reads the stream of each table, the rejects location and the header names', () => {
    expect(configFromEnvironment(ENVIRONMENT)).toEqual(CONFIG);
  });

  it.each(['uns-telemetry-to-lakehouse', '["a"]', '{"uns_telemetry":""}', '{"uns_telemetry":1}'])(
    'refuses DELIVERY_STREAMS %s, which is no JSON object of table → stream name',
    (streams) => {
      expect(() => configFromEnvironment({ ...ENVIRONMENT, DELIVERY_STREAMS: streams })).toThrow(
        `DELIVERY_STREAMS is not a JSON object of table → delivery stream name: ${streams}`,
      );
    },
  );

  it('refuses to serve a flattener with a table the configuration names no stream for', () => {
    const config = { ...CONFIG, deliveryStreams: { inference_results: 'scores' } };
    expect(() => flattenerHandler(telemetryFlattener, config)).toThrow(
      'DELIVERY_STREAMS names no stream for table(s) uns_telemetry',
    );
  });
});
