import { mskEvent, mskRecord } from '@uns-mlops/msk-records';
import type { MSKRecord } from 'aws-lambda';
import { type HeaderNames, RejectedRecord } from '../src/record';

export const HEADERS: HeaderNames = {
  mqttTopic: 'uns-topic',
  receivedAt: 'uns-received-at',
  contractVersion: 'uns-contract-version',
};

export const ASSET_PATH = 'acme/zwickau/body-shop/body-weld-1/cell-010/welder-1';

/**
 * One record as the Lambda MSK event source mapping delivers it: key and value base64, each
 * header value an array of bytes.
 */
export function kafkaRecord(
  options: {
    key?: string | null;
    payload?: unknown;
    rawValue?: string;
    headers?: Record<string, string>;
    offset?: number;
    partition?: number;
    timestamp?: number;
  } = {},
): MSKRecord {
  const key = options.key === undefined ? ASSET_PATH : options.key;
  const value =
    options.rawValue ??
    JSON.stringify(
      options.payload ?? {
        t0: '2025-11-25T08:15:30.000Z',
        dtMs: 1,
        unit: 'A',
        values: [212.5, 213.1, 211.9],
        quality: 'good',
        seq: 42,
      },
    );
  const headers = options.headers ?? {
    [HEADERS.mqttTopic]: `${ASSET_PATH}/telemetry/arc_current`,
    [HEADERS.receivedAt]: '2025-11-25T08:15:30.120Z',
    [HEADERS.contractVersion]: '1.0.0',
  };
  return mskRecord({
    topic: 'uns.telemetry',
    key,
    value,
    headers,
    partition: options.partition ?? 3,
    offset: options.offset ?? 1001,
    timestamp: options.timestamp ?? Date.parse('2025-11-25T08:15:30.125Z'),
  });
}

export { mskEvent };

/** The asset columns of a row about the test asset. */
export const ASSET_COLUMNS = {
  enterprise: 'acme',
  area: 'body-shop',
  line: 'body-weld-1',
  cell: 'cell-010',
  asset: 'welder-1',
} as const;

/** The levels of the test asset and its model, to fill in the contract's channel addresses. */
export const ADDRESS = {
  ...ASSET_COLUMNS,
  site: 'zwickau',
  model: 'weld-seam-anomaly',
} as const;

/** The bridge's receive time of {@link bridgedRecord}s. */
export const RECEIVED_AT = '2025-11-25T08:15:41.250Z';
/** `info.version` of the contract in force at the bridge. */
export const CONTRACT_VERSION = '1.4.0';

/**
 * A UNS message as the bridge forwards it (edge-components/uns-kafka-bridge, "Kafka record
 * contract") and Lambda delivers it: key = the asset path, or `enterprise/site` for a site-level
 * topic; value = the MQTT payload unchanged; headers `uns-topic`, `uns-received-at`,
 * `uns-contract-version` and `uns-message-id`; the Kafka timestamp is the receive time.
 */
export function bridgedRecord(
  kafkaTopic: string,
  mqttTopic: string,
  payload: unknown,
  options: {
    rawValue?: string;
    headers?: Record<string, string | undefined>;
    offset?: number;
    partition?: number;
  } = {},
): MSKRecord {
  const levels = mqttTopic.split('/');
  const offset = options.offset ?? 2001;
  const headers = Object.fromEntries(
    Object.entries({
      [HEADERS.mqttTopic]: mqttTopic,
      [HEADERS.receivedAt]: RECEIVED_AT,
      [HEADERS.contractVersion]: CONTRACT_VERSION,
      'uns-message-id': `7c41e0a2b9d5-${offset}`,
      ...options.headers,
    }).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  return mskRecord({
    topic: kafkaTopic,
    key: levels.slice(0, levels.length > 6 ? 6 : 2).join('/'),
    value: options.rawValue ?? JSON.stringify(payload),
    headers,
    partition: options.partition ?? 2,
    offset,
    timestamp: Date.parse(RECEIVED_AT),
  });
}

/** Options of a {@link bridgedRecord}. */
export type BridgedRecordOptions = Parameters<typeof bridgedRecord>[3];

/**
 * The rows `flatten` makes of a payload the bridge forwarded from `mqttTopic` to `kafkaTopic`
 * ({@link bridgedRecord}), read with the test's {@link HEADERS}.
 */
export function flattenerOf<Rows>(
  flatten: (record: MSKRecord, headers: HeaderNames) => Rows,
  kafkaTopic: string,
  mqttTopic: string,
): (payload: unknown, options?: BridgedRecordOptions) => Rows {
  return (payload, options = {}) =>
    flatten(bridgedRecord(kafkaTopic, mqttTopic, payload, options), HEADERS);
}

/** The delivery columns and the site of a row from a {@link bridgedRecord} of `mqttTopic`. */
export function deliveryColumns(mqttTopic: string) {
  return {
    mqtt_topic: mqttTopic,
    contract_version: CONTRACT_VERSION,
    received_at: Date.parse(RECEIVED_AT),
    site: ADDRESS.site,
  };
}

/** The reason `flatten` rejects the record with. */
export function rejection(flatten: () => unknown): string {
  try {
    flatten();
  } catch (error) {
    if (error instanceof RejectedRecord) return error.reason;
    throw error;
  }
  throw new Error('the record was not rejected');
}
