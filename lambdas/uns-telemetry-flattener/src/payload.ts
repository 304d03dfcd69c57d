import type { MSKRecord } from 'aws-lambda';
import { decodeBase64, RejectedRecord } from './record';

/** A payload (or a part of one) that is a JSON object. */
export type JsonObject = Readonly<Record<string, unknown>>;

/** RFC 3339 date-time with a time zone, as the contract's `Timestamp` (`format: date-time`). */
const RFC_3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Whether `value` is a JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The record's value, the MQTT payload, which must be one JSON object; `what` names it in the
 * reason, e.g. `a summary`.
 *
 * @throws RejectedRecord when the value is missing, not JSON, or JSON but no object.
 */
export function readPayload(record: MSKRecord, what: string): JsonObject {
  const json = decodeBase64(record.value, 'value');
  let payload: unknown;
  try {
    payload = JSON.parse(json);
  } catch {
    throw new RejectedRecord('value is not JSON');
  }
  if (!isObject(payload)) throw new RejectedRecord(`value is not ${what} object`);
  return payload;
}

/** An RFC 3339 date-time as epoch milliseconds; `where` names the field in the reason. */
export function timestamp(value: unknown, where: string): number {
  const at = typeof value === 'string' && RFC_3339.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(at)) throw new RejectedRecord(`${where} must be an RFC 3339 date-time`);
  return at;
}

/** A count: a whole number from 0 to 2^53. */
export function count(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new RejectedRecord(`${where} is not a count`);
  }
  return value;
}

/** A finite number. */
export function finite(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RejectedRecord(`${where} must be a number`);
  }
  return value;
}

/** `true` or `false`. */
export function flag(value: unknown, where: string): boolean {
  if (typeof value !== 'boolean') throw new RejectedRecord(`${where} must be true or false`);
  return value;
}

/** A string. */
export function text(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new RejectedRecord(`${where} must be a string`);
  return value;
}

/** A string of an optional field: `null` when the field is absent. */
export function optionalText(value: unknown, where: string): string | null {
  return value === undefined ? null : text(value, where);
}

/** One of the values a contract enumerates for the field. */
export function oneOf<T extends string>(value: unknown, where: string, values: readonly T[]): T {
  if (!(values as readonly unknown[]).includes(value)) {
    throw new RejectedRecord(`${where} must be one of ${values.join(', ')}`);
  }
  return value as T;
}
