import { decodeHeaders } from '@uns-mlops/msk-records';
import type { MSKRecord } from 'aws-lambda';
import { utcDay } from './delivery';
import { type Flattener, singleTable } from './flattener';
import { oneOf, readPayload, text, timestamp } from './payload';
import { decodeBase64, type HeaderNames, parseReceivedAt, RejectedRecord } from './record';

/** The Lakehouse table of telemetry samples (lib/lakehouse/tables.ts). */
export const TELEMETRY_TABLE = 'uns_telemetry';

const QUALITIES = ['good', 'uncertain', 'bad'] as const;

/** One row of the Lakehouse table `uns_telemetry`, plus its partition values `site` and `dt`. */
export interface TelemetryRow {
  readonly enterprise: string;
  readonly site: string;
  readonly area: string;
  readonly line: string;
  readonly cell: string;
  readonly asset: string;
  readonly channel: string;
  readonly unit: string;
  /** Epoch milliseconds (the delivery stream parses timestamps as `millis`). */
  readonly sample_time: number;
  readonly value: number;
  readonly quality: (typeof QUALITIES)[number];
  readonly mqtt_topic: string;
  readonly contract_version: string | null;
  /** Epoch milliseconds. */
  readonly received_at: number;
  /** UTC date of `sample_time`, yyyy-MM-dd. */
  readonly dt: string;
}

const MAX_SAMPLES = 5000;
const MAX_DT_MS = 3_600_000;

/**
 * Flattens one `uns.telemetry` Kafka record (key = asset path, value = the telemetry block
 * `{t0, dtMs, unit, values, quality?, seq}`, the MQTT topic in a header) into one row per sample.
 *
 * @throws RejectedRecord when the key, headers or payload break the record contract.
 */
export function flattenTelemetryRecord(record: MSKRecord, headers: HeaderNames): TelemetryRow[] {
  const assetPath = decodeBase64(record.key, 'key');
  const levels = assetPath.split('/');
  const [enterprise, site, area, line, cell, asset] = levels;
  if (
    levels.length !== 6 ||
    enterprise === undefined ||
    site === undefined ||
    area === undefined ||
    line === undefined ||
    cell === undefined ||
    asset === undefined ||
    levels.some((level) => level === '')
  ) {
    throw new RejectedRecord(
      `key ${JSON.stringify(assetPath)} is not an asset path enterprise/site/area/line/cell/asset`,
    );
  }
  const headerValues = decodeHeaders(record.headers);
  const mqttTopic = headerValues.get(headers.mqttTopic);
  if (mqttTopic === undefined) throw new RejectedRecord(`header ${headers.mqttTopic} is missing`);
  const telemetryPrefix = `${assetPath}/telemetry/`;
  const channel = mqttTopic.startsWith(telemetryPrefix)
    ? mqttTopic.slice(telemetryPrefix.length)
    : '';
  if (channel === '' || channel.includes('/')) {
    throw new RejectedRecord(
      `header ${headers.mqttTopic} ${JSON.stringify(mqttTopic)} is not a telemetry topic of asset ${assetPath}`,
    );
  }
  const receivedAt = parseReceivedAt(headerValues.get(headers.receivedAt), record.timestamp);
  const block = parseBlock(record);
  const common = {
    enterprise,
    site,
    area,
    line,
    cell,
    asset,
    channel,
    unit: block.unit,
    quality: block.quality,
    mqtt_topic: mqttTopic,
    contract_version: headerValues.get(headers.contractVersion) ?? null,
    received_at: receivedAt,
  };
  return block.values.map((value, index) => {
    const sampleTime = Math.round(block.t0 + index * block.dtMs);
    return {
      ...common,
      sample_time: sampleTime,
      value,
      dt: utcDay(sampleTime),
    };
  });
}

interface TelemetryBlock {
  t0: number;
  dtMs: number;
  unit: string;
  values: number[];
  quality: TelemetryRow['quality'];
}

function parseBlock(record: MSKRecord): TelemetryBlock {
  const {
    t0,
    dtMs,
    unit,
    values,
    quality = 'good',
    seq,
  } = readPayload(record, 'a telemetry block');
  const t0Ms = timestamp(t0, 't0');
  if (typeof dtMs !== 'number' || !(dtMs > 0 && dtMs <= MAX_DT_MS)) {
    throw new RejectedRecord(`dtMs must be a number in (0, ${MAX_DT_MS}]`);
  }
  if (
    !Array.isArray(values) ||
    values.length === 0 ||
    values.length > MAX_SAMPLES ||
    !values.every((value) => typeof value === 'number' && Number.isFinite(value))
  ) {
    throw new RejectedRecord(`values must be 1-${MAX_SAMPLES} finite numbers`);
  }
  if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0) {
    throw new RejectedRecord('seq must be a whole number >= 0');
  }
  return {
    t0: t0Ms,
    dtMs,
    unit: text(unit, 'unit'),
    values: values as number[],
    quality: oneOf(quality, 'quality', QUALITIES),
  };
}

/** `uns.telemetry` into `uns_telemetry`. */
export const telemetryFlattener: Flattener = singleTable(TELEMETRY_TABLE, flattenTelemetryRecord);
