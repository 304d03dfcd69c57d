import type { MSKRecord } from 'aws-lambda';

/**
 * Why a record yields no measurement; the value of the `Reason` dimension of `RecordsRejected`.
 *
 * - `unknown-topic`: a Kafka topic the function does not measure, or a UNS topic (header) that is
 *   not one of the validator's or the inference runtime's addresses.
 * - `not-json`: the value is missing or not a JSON object.
 * - `bad-payload`: a JSON object without the contract's fields the function reads.
 * - `no-site`: a bridge heartbeat without `site` (the bridge's `heartbeat.site` is not set).
 */
export type RejectReason = 'unknown-topic' | 'not-json' | 'bad-payload' | 'no-site';

/** A Kafka record that cannot be measured: the reason, and a detail for the log. */
export class RejectedRecord extends Error {
  constructor(
    readonly reason: RejectReason,
    readonly detail: string,
  ) {
    super(`${reason}: ${detail}`);
    this.name = 'RejectedRecord';
  }
}

/**
 * The record's value parsed as a JSON object (the MQTT payload, unchanged by the bridge).
 *
 * @throws RejectedRecord (`not-json`) when the value is missing, not JSON or not an object.
 */
export function jsonObjectValue(record: MSKRecord): Record<string, unknown> {
  if (!record.value) throw new RejectedRecord('not-json', 'the record has no value');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(record.value, 'base64').toString('utf8'));
  } catch {
    throw new RejectedRecord('not-json', 'the value is not JSON');
  }
  if (!isObject(value)) throw new RejectedRecord('not-json', 'the value is not a JSON object');
  return value;
}

/** Whether `value` is a plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
