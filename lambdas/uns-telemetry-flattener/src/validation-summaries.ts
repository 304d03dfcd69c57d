import { decodeHeaders } from '@uns-mlops/msk-records';
import type { MSKRecord } from 'aws-lambda';
import { utcDay } from './delivery';
import { type Flattener, singleTable } from './flattener';
import { count, isObject, readPayload, timestamp } from './payload';
import { type HeaderNames, parseReceivedAt, RejectedRecord } from './record';
import { SITE_ID } from './uns-message';

/** The Lakehouse table of compliance summaries (lib/lakehouse/tables.ts). */
export const VALIDATION_SUMMARIES_TABLE = 'validation_summaries';

/**
 * One row of the Lakehouse table `validation_summaries` (lib/lakehouse/tables.ts), plus its
 * partition values `site` and `dt`: the verdicts of one channel and error kind over one interval
 * of a validator's compliance summary.
 */
export interface ValidationSummaryRow {
  /** Summaries do not name area and line: `''`, "unknown", as in the compliance store. */
  readonly area: string;
  readonly line: string;
  readonly channel: string;
  /** `intervalStart`, epoch milliseconds (the delivery stream parses timestamps as `millis`). */
  readonly bucket_start: number;
  /** The interval's length rounded up to whole seconds, at least 1. */
  readonly bucket_seconds: number;
  /** `''` for the valid messages' row, else the error kind, or `unclassified`. */
  readonly error_kind: string;
  readonly valid_count: number;
  readonly invalid_count: number;
  readonly mqtt_topic: string;
  /** `contractVersion` of the summary. */
  readonly contract_version: string;
  /** When the bridge received the summary, epoch milliseconds. */
  readonly received_at: number;
  readonly site: string;
  /** UTC day of `bucket_start`, yyyy-MM-dd. */
  readonly dt: string;
}

/** `error_kind` of the row of valid messages. */
export const VALID_KIND = '';
/** `error_kind` of the invalid messages a summary counts in `invalid` but under no kind. */
export const UNCLASSIFIED_KIND = 'unclassified';

/** A summary's MQTT topic, `{enterprise}/{site}/_validation`. */
const SUMMARY_TOPIC = /^([^/]+)\/([^/]+)\/_validation$/;
/** The longest interval a summary may cover. */
const MAX_INTERVAL_MS = 24 * 60 * 60 * 1000;

/**
 * The rows of one `uns.validation` record, when it is a compliance summary (MQTT topic
 * `{enterprise}/{site}/_validation`, the contract's `ValidationSummary`); none for the topic's
 * other records (violation samples, contracts in force, quarantine copies), which this table
 * does not hold.
 *
 * Per channel: the valid messages' row (`error_kind` '', written even when `valid` is 0), one row
 * per error kind counted above 0, and an `unclassified` row for invalid messages no kind accounts
 * for: the rows the compliance store's `validation_counts` gets from the same summary
 * (lambdas/validation-ingest), so the Lakehouse and the store add up to the same figures.
 *
 * @throws RejectedRecord when the record has no MQTT-topic header, or its summary breaks the
 *   contract or cannot be (an interval ending before it starts or longer than a day, a channel
 *   twice, kinds adding up to more than `invalid`).
 */
export function flattenValidationRecord(
  record: MSKRecord,
  headers: HeaderNames,
): ValidationSummaryRow[] {
  const headerValues = decodeHeaders(record.headers);
  const mqttTopic = headerValues.get(headers.mqttTopic);
  if (mqttTopic === undefined) throw new RejectedRecord(`header ${headers.mqttTopic} is missing`);
  const address = SUMMARY_TOPIC.exec(mqttTopic);
  if (address === null) return [];
  const site = address[2] ?? '';
  if (!SITE_ID.test(site)) {
    throw new RejectedRecord(`site ${JSON.stringify(site)} of ${mqttTopic} is not a site id`);
  }
  const receivedAt = parseReceivedAt(headerValues.get(headers.receivedAt), record.timestamp);
  const summary = parseSummary(record);

  const bucket = {
    area: '',
    line: '',
    bucket_start: summary.intervalStart,
    bucket_seconds: Math.max(1, Math.ceil((summary.intervalEnd - summary.intervalStart) / 1000)),
    mqtt_topic: mqttTopic,
    contract_version: summary.contractVersion,
    received_at: receivedAt,
    site,
    dt: utcDay(summary.intervalStart),
  };
  return summary.channels.flatMap(({ channel, valid, invalid, byErrorKind }) => {
    const row = (errorKind: string, validCount: number, invalidCount: number) => ({
      ...bucket,
      channel,
      error_kind: errorKind,
      valid_count: validCount,
      invalid_count: invalidCount,
    });
    const kinds = Object.entries(byErrorKind).filter(([, count]) => count > 0);
    const classified = kinds.reduce((sum, [, count]) => sum + count, 0);
    return [
      row(VALID_KIND, valid, 0),
      ...kinds.map(([kind, count]) => row(kind, 0, count)),
      ...(invalid > classified ? [row(UNCLASSIFIED_KIND, 0, invalid - classified)] : []),
    ];
  });
}

interface Summary {
  readonly intervalStart: number;
  readonly intervalEnd: number;
  readonly contractVersion: string;
  readonly channels: readonly ChannelCounts[];
}

interface ChannelCounts {
  readonly channel: string;
  readonly valid: number;
  readonly invalid: number;
  readonly byErrorKind: Readonly<Record<string, number>>;
}

function parseSummary(record: MSKRecord): Summary {
  const { intervalStart, intervalEnd, contractVersion, channels } = readPayload(
    record,
    'a summary',
  );
  const start = timestamp(intervalStart, 'intervalStart');
  const end = timestamp(intervalEnd, 'intervalEnd');
  if (typeof contractVersion !== 'string') {
    throw new RejectedRecord('contractVersion must be a string');
  }
  if (!Array.isArray(channels)) throw new RejectedRecord('channels must be a list');
  if (end < start) throw new RejectedRecord('intervalEnd is before intervalStart');
  if (end - start > MAX_INTERVAL_MS) throw new RejectedRecord('the interval lasts over a day');
  const read = (channels as unknown[]).map(channelCounts);
  const names = new Set(read.map(({ channel }) => channel));
  if (names.size !== read.length) throw new RejectedRecord('a channel is listed twice');
  return { intervalStart: start, intervalEnd: end, contractVersion, channels: read };
}

function channelCounts(entry: unknown, index: number): ChannelCounts {
  const where = `channels[${index}]`;
  if (!isObject(entry)) throw new RejectedRecord(`${where} is not an object`);
  const { channel, valid, invalid, byErrorKind } = entry;
  if (typeof channel !== 'string' || channel === '') {
    throw new RejectedRecord(`${where}.channel must be a channel id`);
  }
  if (!isObject(byErrorKind)) throw new RejectedRecord(`${where}.byErrorKind is not an object`);
  const kinds = Object.fromEntries(
    Object.entries(byErrorKind).map(([kind, value]) => [
      kind,
      count(value, `${where}.byErrorKind.${kind}`),
    ]),
  );
  const counts = {
    channel,
    valid: count(valid, `${where}.valid`),
    invalid: count(invalid, `${where}.invalid`),
    byErrorKind: kinds,
  };
  const classified = Object.values(kinds).reduce((sum, value) => sum + value, 0);
  if (classified > counts.invalid) {
    throw new RejectedRecord(`the error kinds of ${where} add up to more than invalid`);
  }
  return counts;
}

/** `uns.validation` into `validation_summaries`. */
export const validationSummariesFlattener: Flattener = singleTable(
  VALIDATION_SUMMARIES_TABLE,
  flattenValidationRecord,
);
