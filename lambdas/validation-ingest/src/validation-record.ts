import { decodeHeaders } from '@uns-mlops/msk-records';
import type { MSKRecord } from 'aws-lambda';
import type { SiteContracts } from './contracts-store';
import { type CountRow, summaryRows } from './count-rows';
import { readContractsInForce } from './contracts-in-force';
import { isObject } from './json-checks';
import { PoisonRecordError } from './poison';
import { readValidationSummary } from './summary';
import { parseValidationTopic } from './uns-topic';
import { readViolationSample, type ViolationSampleRow } from './violation-sample';

/** The Kafka topic the bridge forwards the validator's publications and quarantine copies to. */
export const VALIDATION_TOPIC = 'uns.validation';

/** What one record of `uns.validation` yields. */
export type ValidationRecord =
  | { readonly kind: 'summary'; readonly site: string; readonly rows: readonly CountRow[] }
  | { readonly kind: 'violation'; readonly site: string; readonly sample: ViolationSampleRow }
  | { readonly kind: 'contracts'; readonly site: string; readonly contracts: SiteContracts }
  | { readonly kind: 'quarantine' };

/** How the bridge's records are read. */
export interface RecordSettings {
  /** Header with the original MQTT topic (`uns-topic`). */
  readonly mqttTopicHeader: string;
  /** First level of the validator's quarantine copies (`_quarantine`). */
  readonly quarantinePrefix: string;
}

/**
 * Reads one record as the bridge forwards it (value = the MQTT payload, byte for byte; the
 * original topic in a header): a summary becomes its `validation_counts` rows, a violation sample
 * its `violation_samples` row, a contracts message the site's contracts in force, all of the site
 * of the MQTT topic; a quarantine copy is recognised (and not read further).
 *
 * @throws PoisonRecordError when the record is none of these, or one that cannot be ingested.
 */
export function readValidationRecord(
  record: MSKRecord,
  settings: RecordSettings,
): ValidationRecord {
  if (record.topic !== VALIDATION_TOPIC) {
    throw new PoisonRecordError('unknown-topic', `Kafka topic ${record.topic} is not read`);
  }
  const topic = decodeHeaders(record.headers).get(settings.mqttTopicHeader);
  if (topic === undefined) {
    throw new PoisonRecordError('unknown-topic', `header ${settings.mqttTopicHeader} is missing`);
  }
  const address = parseValidationTopic(topic, settings.quarantinePrefix);
  if (address === undefined) {
    throw new PoisonRecordError(
      'unknown-topic',
      `MQTT topic ${JSON.stringify(topic)} is neither the validator's nor a quarantine copy`,
    );
  }
  if (address.kind === 'quarantine') return address;
  const { kind, site } = address;
  const value = jsonObjectValue(record);
  switch (kind) {
    case 'summary':
      return { kind, site, rows: summaryRows(site, readValidationSummary(value)) };
    case 'violation':
      return { kind, site, sample: readViolationSample(value, site) };
    case 'contracts':
      return { kind, site, contracts: { site, ...readContractsInForce(value) } };
  }
}

function jsonObjectValue(record: MSKRecord): Record<string, unknown> {
  if (!record.value) throw new PoisonRecordError('not-json', 'the record has no value');
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(decodeBase64(record)));
  } catch {
    throw new PoisonRecordError('not-json', 'the value is not UTF-8 JSON');
  }
  if (!isObject(value)) throw new PoisonRecordError('not-json', 'the value is no JSON object');
  return value;
}

function decodeBase64(record: MSKRecord): Buffer {
  return Buffer.from(record.value, 'base64');
}
