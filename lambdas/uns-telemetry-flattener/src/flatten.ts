import { decodeHeaders } from '@uns-mlops/msk-records';
import type { MSKRecord } from 'aws-lambda';

/** Names of the record headers the bridge sets (configured by the CDK construct). */
export interface HeaderNames {
  readonly mqttTopic: string;
  readonly receivedAt: string;
  readonly contractVersion: string;
}

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
  readonly quality: 'good' | 'uncertain' | 'bad';
  readonly mqtt_topic: string;
  readonly contract_version: string | null;
  /** Epoch milliseconds. */
  readonly received_at: number;
  /** UTC date of `sample_time`, yyyy-MM-dd. */
  readonly dt: string;
}

/** A Kafka record that cannot become rows; the reason says which contract rule it broke. */
export class RejectedRecord extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'RejectedRecord';
  }
}

const QUALITIES = new Set(['good', 'uncertain', 'bad']);
const MAX_SAMPLES = 5000;
const MAX_DT_MS = 3_600_000;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

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
  const block = parseBlock(decodeBase64(record.value, 'value'));
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
      dt: new Date(sampleTime).toISOString().slice(0, 10),
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

function parseBlock(json: string): TelemetryBlock {
  let payload: unknown;
  try {
    payload = JSON.parse(json);
  } catch {
    throw new RejectedRecord('value is not JSON');
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new RejectedRecord('value is not a telemetry block object');
  }
  const { t0, dtMs, unit, values, quality = 'good', seq } = payload as Record<string, unknown>;
  const t0Ms = typeof t0 === 'string' && ISO_DATE_TIME.test(t0) ? Date.parse(t0) : Number.NaN;
  if (Number.isNaN(t0Ms)) throw new RejectedRecord('t0 must be an RFC 3339 date-time');
  if (typeof dtMs !== 'number' || !(dtMs > 0 && dtMs <= MAX_DT_MS)) {
    throw new RejectedRecord(`dtMs must be a number in (0, ${MAX_DT_MS}]`);
  }
  if (typeof unit !== 'string') throw new RejectedRecord('unit must be a string');
  if (
    !Array.isArray(values) ||
    values.length === 0 ||
    values.length > MAX_SAMPLES ||
    !values.every((value) => typeof value === 'number' && Number.isFinite(value))
  ) {
    throw new RejectedRecord(`values must be 1-${MAX_SAMPLES} finite numbers`);
  }
  if (typeof quality !== 'string' || !QUALITIES.has(quality)) {
    throw new RejectedRecord('quality must be good, uncertain or bad');
  }
  if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0) {
    throw new RejectedRecord('seq must be a whole number >= 0');
  }
  return {
    t0: t0Ms,
    dtMs,
    unit,
    values: values as number[],
    quality: quality as TelemetryRow['quality'],
  };
}

/**
 * The bridge's receive time from its header (ISO-8601 or epoch milliseconds), else the Kafka
 * record's timestamp.
 *
 * @throws RejectedRecord when the header is there but no time.
 */
export function parseReceivedAt(header: string | undefined, kafkaTimestamp: number): number {
  if (header === undefined) return kafkaTimestamp;
  const millis = /^\d+$/.test(header) ? Number(header) : Date.parse(header);
  if (Number.isNaN(millis)) {
    throw new RejectedRecord(`received-at header ${JSON.stringify(header)} is not a time`);
  }
  return millis;
}

/** A base64 key or value of the record as UTF-8; a missing one is rejected, naming `what`. */
export function decodeBase64(value: string | undefined | null, what: string): string {
  if (value === undefined || value === null || value === '') {
    throw new RejectedRecord(`${what} is missing`);
  }
  return Buffer.from(value, 'base64').toString('utf8');
}
