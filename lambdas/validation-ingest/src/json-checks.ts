import { PoisonRecordError } from './poison';

/**
 * The checks of the contract's JSON Schema keywords that the readers of `uns.validation` apply by
 * hand (no schema compiler in the bundle). Each takes `fail`, which makes the poison of a payload
 * breaking its schema (`not-a-summary`, `not-a-violation-sample`, `not-contracts-in-force`).
 */
export type SchemaFailure = (detail: string) => PoisonRecordError;

/** RFC 3339 `date-time` (JSON Schema `format: date-time`). */
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

/** Whether `value` is a plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `required` (every key of `keys`) and `additionalProperties: false` (no other key). */
export function onlyKeys(
  value: Record<string, unknown>,
  keys: ReadonlySet<string>,
  where: string,
  fail: SchemaFailure,
): void {
  for (const key of keys) {
    if (!(key in value)) throw fail(`${where} has no ${key}`);
  }
  for (const key of Object.keys(value)) {
    if (!keys.has(key)) throw fail(`${where} has an unknown property ${key}`);
  }
}

/** `type: object` with exactly `keys`. */
export function objectWith(
  value: unknown,
  keys: ReadonlySet<string>,
  where: string,
  fail: SchemaFailure,
): Record<string, unknown> {
  if (!isObject(value)) throw fail(`${where} is not an object`);
  onlyKeys(value, keys, where, fail);
  return value;
}

/** `type: array`. */
export function list(value: unknown, where: string, fail: SchemaFailure): readonly unknown[] {
  if (!Array.isArray(value)) throw fail(`${where} is not a list`);
  return value;
}

/** `type: string`, with `maxLength` (in characters, as JSON Schema counts them) when given. */
export function text(
  value: unknown,
  where: string,
  fail: SchemaFailure,
  maxLength?: number,
): string {
  if (typeof value !== 'string') throw fail(`${where} is not a string`);
  if (maxLength !== undefined && characters(value) > maxLength) {
    throw fail(`${where} is longer than ${String(maxLength)} characters`);
  }
  return value;
}

/** `enum` of strings. */
export function oneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
  where: string,
  fail: SchemaFailure,
): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw fail(`${where} is not one of ${allowed.join(', ')}`);
  }
  return value as T;
}

/** `type: integer` with `minimum`. */
export function integer(
  value: unknown,
  minimum: number,
  where: string,
  fail: SchemaFailure,
): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum) {
    throw fail(`${where} is not an integer of at least ${String(minimum)}`);
  }
  return value;
}

/** A `Count` (integer ≥ 0); beyond 2^53 it cannot be a number of messages in a day. */
export function count(value: unknown, where: string, fail: SchemaFailure): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw fail(`${where} is not a count`);
  }
  if (!Number.isSafeInteger(value)) throw absurd(`${where} is larger than 2^53`);
  return value;
}

/** A `Timestamp` (RFC 3339 date-time), as epoch milliseconds. */
export function timestamp(value: unknown, where: string, fail: SchemaFailure): number {
  const match = typeof value === 'string' ? DATE_TIME.exec(value) : null;
  const at = match ? Date.parse(value as string) : NaN;
  if (match === null || Number.isNaN(at) || !fieldsInRange(match)) {
    throw fail(`${where} is not an RFC 3339 date-time`);
  }
  return at;
}

function fieldsInRange(match: RegExpExecArray): boolean {
  const field = (index: number) => Number(match[index] ?? 0);
  const [year, month, day] = [field(1), field(2), field(3)];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    field(4) <= 23 &&
    field(5) <= 59 &&
    field(6) <= 59 &&
    field(7) <= 23 &&
    field(8) <= 59
  );
}

/** Characters as JSON Schema's `maxLength` counts them: Unicode code points. */
function characters(value: string): number {
  return Array.from(value).length;
}

/** A payload its schema accepts but no validator publishes. */
export function absurd(detail: string): PoisonRecordError {
  return new PoisonRecordError('absurd-values', detail);
}

/**
 * PostgreSQL's `text` and `jsonb` refuse NUL (U+0000): written, such a string would fail its whole
 * batch on every retry. The validator never publishes one, so a payload holding one is absurd.
 */
export function withoutNul(value: string, where: string): string {
  if (value.includes('\u0000')) throw absurd(`${where} holds a NUL character`);
  return value;
}
