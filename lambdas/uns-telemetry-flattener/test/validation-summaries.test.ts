import { PutObjectCommand } from '@aws-sdk/client-s3';
import { mskEvent, mskRecord } from '@uns-mlops/msk-records';
import type { MSKRecord } from 'aws-lambda';
import { flattenValidationRecord, validationSummariesFlattener } from '../src/validation-summaries';
import { deliveredRecords, flattenerHandler, stubDelivery } from './delivery-stubs';
import { HEADERS, rejection } from './events';

const TOPIC = 'acme/zwickau/_validation';
const RECEIVED_AT = '2025-11-25T08:16:00.250Z';

/** A compliance summary as the validator publishes it (contract: `ValidationSummary`). */
const SUMMARY = {
  intervalStart: '2025-11-25T08:15:00.000Z',
  intervalEnd: '2025-11-25T08:16:00.000Z',
  contractVersion: '1.4.0',
  channels: [
    { channel: 'weldTelemetry', valid: 118, invalid: 4, byErrorKind: { type: 3, required: 0 } },
    { channel: 'robotState', valid: 0, invalid: 0, byErrorKind: {} },
  ],
};

/** A `uns.validation` record as the bridge forwards it: the MQTT payload, the topic in a header. */
function validationRecord(
  options: { payload?: unknown; rawValue?: string; topic?: string | null; offset?: number } = {},
): MSKRecord {
  const headers: Record<string, string> = { [HEADERS.receivedAt]: RECEIVED_AT };
  if (options.topic !== null) headers[HEADERS.mqttTopic] = options.topic ?? TOPIC;
  return mskRecord({
    topic: 'uns.validation',
    key: 'acme/zwickau',
    value: options.rawValue ?? JSON.stringify(options.payload ?? SUMMARY),
    headers,
    partition: 1,
    offset: options.offset ?? 40,
    timestamp: Date.parse('2025-11-25T08:16:00.300Z'),
  });
}

const rowsOf = (options: Parameters<typeof validationRecord>[0]) =>
  flattenValidationRecord(validationRecord(options), HEADERS);

const rejectionOf = (options: Parameters<typeof validationRecord>[0]): string =>
  rejection(() => rowsOf(options));

describe('flattenValidationRecord', () => {
  it('turns a summary into the rows of validation_summaries: valid, each kind counted, unclassified', () => {
    const common = {
      area: '',
      line: '',
      bucket_start: Date.parse(SUMMARY.intervalStart),
      bucket_seconds: 60,
      mqtt_topic: TOPIC,
      contract_version: '1.4.0',
      received_at: Date.parse(RECEIVED_AT),
      site: 'zwickau',
      dt: '2025-11-25',
    };
    expect(rowsOf({})).toEqual([
      { ...common, channel: 'weldTelemetry', error_kind: '', valid_count: 118, invalid_count: 0 },
      { ...common, channel: 'weldTelemetry', error_kind: 'type', valid_count: 0, invalid_count: 3 },
      {
        ...common,
        channel: 'weldTelemetry',
        error_kind: 'unclassified',
        valid_count: 0,
        invalid_count: 1,
      },
      { ...common, channel: 'robotState', error_kind: '', valid_count: 0, invalid_count: 0 },
    ]);
  });

  it('dates the rows by the start of the interval and rounds its length up to whole seconds', () => {
    const [row] = rowsOf({
      payload: {
        ...SUMMARY,
        intervalStart: '2025-11-25T23:59:59.500Z',
        intervalEnd: '2025-11-26T00:00:04.600Z',
      },
    });
    expect(row).toMatchObject({ dt: '2025-11-25', bucket_seconds: 6 });
  });

  it('holds only summaries: violation samples, contracts in force and quarantine copies give no rows', () => {
    for (const topic of [
      'acme/zwickau/_validation/violations',
      'acme/zwickau/_validation/contracts',
      '_quarantine/acme/zwickau/body-shop/line-1/cell-1/welder-1/telemetry/arc_current',
    ]) {
      expect(rowsOf({ topic, payload: { anything: true } })).toEqual([]);
    }
  });

  it('rejects what cannot be a summary of a site, naming why', () => {
    expect(rejectionOf({ topic: null })).toBe('header uns-topic is missing');
    expect(rejectionOf({ topic: 'acme/Zwickau_1/_validation' })).toBe(
      'site "Zwickau_1" of acme/Zwickau_1/_validation is not a site id',
    );
    expect(rejectionOf({ rawValue: '{"intervalStart"' })).toBe('value is not JSON');
    expect(rejectionOf({ payload: [] })).toBe('value is not a summary object');
    expect(rejectionOf({ payload: { ...SUMMARY, intervalStart: 'yesterday' } })).toBe(
      'intervalStart must be an RFC 3339 date-time',
    );
    expect(rejectionOf({ payload: { ...SUMMARY, contractVersion: 14 } })).toBe(
      'contractVersion must be a string',
    );
    expect(rejectionOf({ payload: { ...SUMMARY, intervalEnd: '2025-11-25T08:14:00Z' } })).toBe(
      'intervalEnd is before intervalStart',
    );
    expect(rejectionOf({ payload: { ...SUMMARY, intervalEnd: '2025-11-27T08:15:00Z' } })).toBe(
      'the interval lasts over a day',
    );
    const channel = SUMMARY.channels[0]!;
    const withChannels = (...channels: unknown[]) => ({ payload: { ...SUMMARY, channels } });
    expect(rejectionOf(withChannels(channel, channel))).toBe('a channel is listed twice');
    expect(rejectionOf(withChannels({ ...channel, valid: -1 }))).toBe(
      'channels[0].valid is not a count',
    );
    expect(rejectionOf(withChannels({ ...channel, invalid: 2.5 }))).toBe(
      'channels[0].invalid is not a count',
    );
    expect(rejectionOf(withChannels({ ...channel, byErrorKind: { type: 9 } }))).toBe(
      'the error kinds of channels[0] add up to more than invalid',
    );
  });
});

describe('the validation summaries flattener', () => {
  const { firehose, s3 } = stubDelivery();
  const handler = () =>
    flattenerHandler(validationSummariesFlattener, {
      deliveryStreams: { validation_summaries: 'validation-summaries-to-lakehouse' },
      rejectsPrefix: 'errors/validation_summaries/rejected/',
    });

  it('delivers the summaries’ rows, skips the topic’s other records and keeps the broken ones', async () => {
    const result = await handler()(
      mskEvent([
        validationRecord({ offset: 1 }),
        validationRecord({ offset: 2, topic: 'acme/zwickau/_validation/violations' }),
        validationRecord({ offset: 3, rawValue: 'not json' }),
      ]),
    );

    expect(result).toEqual({ records: 3, rows: 4, rejected: 1 });
    const delivered = deliveredRecords(firehose).flatMap((record) => record.rows);
    expect(delivered.map((row) => [row.site, row.dt, row.channel, row.error_kind])).toEqual([
      ['zwickau', '2025-11-25', 'weldTelemetry', ''],
      ['zwickau', '2025-11-25', 'weldTelemetry', 'type'],
      ['zwickau', '2025-11-25', 'weldTelemetry', 'unclassified'],
      ['zwickau', '2025-11-25', 'robotState', ''],
    ]);
    const [put] = s3.commandCalls(PutObjectCommand);
    expect(put!.args[0].input.Key).toBe(
      'errors/validation_summaries/rejected/dt=2025-11-25/uns.validation-1-3.jsonl',
    );
  });
});
