import { mskEvent, mskRecord } from '@uns-mlops/msk-records';
import type { MSKRecord } from 'aws-lambda';
import type { HeaderNames } from '../src/flatten';

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
