import { flattenTelemetryRecord } from '../src/flatten';
import { RejectedRecord } from '../src/record';
import { ASSET_COLUMNS, ASSET_PATH, HEADERS, kafkaRecord } from './events';

describe('flattenTelemetryRecord', () => {
  it('turns a telemetry block into one row per sample with the asset path, channel and headers', () => {
    const rows = flattenTelemetryRecord(kafkaRecord(), HEADERS);
    const t0 = Date.parse('2025-11-25T08:15:30.000Z');
    expect(rows).toEqual(
      [212.5, 213.1, 211.9].map((value, index) => ({
        ...ASSET_COLUMNS,
        site: 'zwickau',
        channel: 'arc_current',
        unit: 'A',
        sample_time: t0 + index,
        value,
        quality: 'good',
        mqtt_topic: `${ASSET_PATH}/telemetry/arc_current`,
        contract_version: '1.0.0',
        received_at: Date.parse('2025-11-25T08:15:30.120Z'),
        dt: '2025-11-25',
      })),
    );
  });

  it('spaces samples by dtMs and dates each one, so a block across midnight spans two days', () => {
    const rows = flattenTelemetryRecord(
      kafkaRecord({
        payload: {
          t0: '2025-11-25T23:59:59.000Z',
          dtMs: 500,
          unit: 'V',
          values: [1, 2, 3],
          seq: 0,
        },
      }),
      HEADERS,
    );
    expect(rows.map((row) => [new Date(row.sample_time).toISOString(), row.dt])).toEqual([
      ['2025-11-25T23:59:59.000Z', '2025-11-25'],
      ['2025-11-25T23:59:59.500Z', '2025-11-25'],
      ['2025-11-26T00:00:00.000Z', '2025-11-26'],
    ]);
  });

  it('takes quality "good" when the block has none, and the block quality for every sample', () => {
    const withoutQuality = flattenTelemetryRecord(
      kafkaRecord({
        payload: { t0: '2025-11-25T08:00:00Z', dtMs: 10, unit: 'A', values: [1], seq: 1 },
      }),
      HEADERS,
    );
    const bad = flattenTelemetryRecord(
      kafkaRecord({
        payload: {
          t0: '2025-11-25T08:00:00Z',
          dtMs: 10,
          unit: 'A',
          values: [1, 2],
          quality: 'bad',
          seq: 1,
        },
      }),
      HEADERS,
    );
    expect(withoutQuality.map((row) => row.quality)).toEqual(['good']);
    expect(bad.map((row) => row.quality)).toEqual(['bad', 'bad']);
  });

  it('accepts the receive time as epoch milliseconds and falls back to the Kafka timestamp', () => {
    const epoch = flattenTelemetryRecord(
      kafkaRecord({
        headers: {
          [HEADERS.mqttTopic]: `${ASSET_PATH}/telemetry/gas_flow`,
          [HEADERS.receivedAt]: '1764058530120',
        },
      }),
      HEADERS,
    );
    const missing = flattenTelemetryRecord(
      kafkaRecord({
        headers: { [HEADERS.mqttTopic]: `${ASSET_PATH}/telemetry/gas_flow` },
        timestamp: 1764058531000,
      }),
      HEADERS,
    );
    expect(epoch[0]).toMatchObject({ received_at: 1764058530120, contract_version: null });
    expect(missing[0]).toMatchObject({ received_at: 1764058531000, contract_version: null });
  });

  it.each([
    [
      'a key that is not a six-level asset path',
      { key: 'acme/zwickau/welder-1' },
      /not an asset path/,
    ],
    ['a missing key', { key: null }, /key is missing/],
    ['a value that is not JSON', { rawValue: '{"t0":' }, /not JSON/],
    ['a JSON array', { rawValue: '[1,2]' }, /not a telemetry block/],
    [
      'a t0 without time zone',
      { payload: { t0: '2025-11-25T08:00:00', dtMs: 1, unit: 'A', values: [1], seq: 0 } },
      /t0 must be/,
    ],
    [
      'a zero sample interval',
      { payload: { t0: '2025-11-25T08:00:00Z', dtMs: 0, unit: 'A', values: [1], seq: 0 } },
      /dtMs must be/,
    ],
    [
      'an empty sample list',
      { payload: { t0: '2025-11-25T08:00:00Z', dtMs: 1, unit: 'A', values: [], seq: 0 } },
      /values must be/,
    ],
    [
      'a non-numeric sample',
      { payload: { t0: '2025-11-25T08:00:00Z', dtMs: 1, unit: 'A', values: [1, '2'], seq: 0 } },
      /values must be/,
    ],
    [
      'an unknown quality',
      {
        payload: {
          t0: '2025-11-25T08:00:00Z',
          dtMs: 1,
          unit: 'A',
          values: [1],
          quality: 'ok',
          seq: 0,
        },
      },
      /quality must be/,
    ],
    [
      'a missing sequence number',
      { payload: { t0: '2025-11-25T08:00:00Z', dtMs: 1, unit: 'A', values: [1] } },
      /seq must be/,
    ],
    ['a missing MQTT topic header', { headers: {} }, /header uns-topic is missing/],
    [
      'an MQTT topic of another asset',
      {
        headers: {
          [HEADERS.mqttTopic]:
            'acme/zwickau/body-shop/body-weld-1/cell-010/welder-2/telemetry/arc_current',
        },
      },
      /not a telemetry topic of asset/,
    ],
    [
      'an MQTT topic of another data class',
      { headers: { [HEADERS.mqttTopic]: `${ASSET_PATH}/state` } },
      /not a telemetry topic of asset/,
    ],
    [
      'an unreadable receive time',
      {
        headers: {
          [HEADERS.mqttTopic]: `${ASSET_PATH}/telemetry/arc_current`,
          [HEADERS.receivedAt]: 'yesterday',
        },
      },
      /is not a time/,
    ],
  ])('rejects %s with the rule it broke', (_, options, reason) => {
    const flatten = () => flattenTelemetryRecord(kafkaRecord(options), HEADERS);
    expect(flatten).toThrow(RejectedRecord);
    expect(flatten).toThrow(reason);
  });
});
