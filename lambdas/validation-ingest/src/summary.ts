import { ERROR_KINDS } from '@uns-mlops/validation-store';
import { PoisonRecordError } from './poison';

/**
 * The compliance summary as the contract (`asyncapi/uns-welding.asyncapi.yaml`, schema
 * `ValidationSummary`) defines it and the validator's `ComplianceSummaries.drain` publishes it.
 */
export interface ValidationSummary {
  /** Epoch milliseconds of `intervalStart` / `intervalEnd`. */
  readonly intervalStart: number;
  readonly intervalEnd: number;
  readonly contractVersion: string;
  readonly channels: readonly ChannelCounts[];
}

export interface ChannelCounts {
  readonly channel: string;
  readonly valid: number;
  readonly invalid: number;
  /** Invalid messages per error kind (absent kinds count 0). */
  readonly byErrorKind: Readonly<Record<string, number>>;
}

/** The longest interval a summary may cover; the validator publishes one every few seconds. */
export const MAX_INTERVAL_MS = 24 * 60 * 60 * 1000;

const SUMMARY_KEYS = new Set(['intervalStart', 'intervalEnd', 'contractVersion', 'channels']);
const CHANNEL_KEYS = new Set(['channel', 'valid', 'invalid', 'byErrorKind']);
const KNOWN_KINDS: ReadonlySet<string> = new Set(ERROR_KINDS);
/** RFC 3339 `date-time` (JSON Schema `format: date-time`). */
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

/**
 * Checks a parsed JSON value against the contract's `ValidationSummary` schema (every keyword it
 * has: required and only the known properties, strings, counts as integers ≥ 0, known error
 * kinds, RFC 3339 times), then against what a validator can publish.
 *
 * @throws PoisonRecordError `not-a-summary` when the schema fails, `absurd-values` when the values
 *   cannot be (see {@link PoisonReason}).
 */
export function readValidationSummary(value: unknown): ValidationSummary {
  if (!isObject(value)) throw notASummary('a summary is a JSON object');
  onlyKeys(value, SUMMARY_KEYS, 'the summary');
  const { intervalStart, intervalEnd, contractVersion, channels } = value;
  const start = timestamp(intervalStart, 'intervalStart');
  const end = timestamp(intervalEnd, 'intervalEnd');
  if (typeof contractVersion !== 'string') throw notASummary('contractVersion is not a string');
  if (!Array.isArray(channels)) throw notASummary('channels is not a list');
  const read = (channels as unknown[]).map(readChannel);

  if (end < start) throw absurd('intervalEnd is before intervalStart');
  if (end - start > MAX_INTERVAL_MS) throw absurd('the interval lasts longer than a day');
  const names = new Set<string>();
  for (const { channel, invalid, byErrorKind } of read) {
    if (names.has(channel)) throw absurd(`channel ${JSON.stringify(channel)} is listed twice`);
    names.add(channel);
    const classified = Object.values(byErrorKind).reduce((sum, count) => sum + count, 0);
    if (classified > invalid) {
      throw absurd(`the error kinds of ${JSON.stringify(channel)} add up to more than invalid`);
    }
  }
  return { intervalStart: start, intervalEnd: end, contractVersion, channels: read };
}

function readChannel(entry: unknown, index: number): ChannelCounts {
  const where = `channels[${index}]`;
  if (!isObject(entry)) throw notASummary(`${where} is not an object`);
  onlyKeys(entry, CHANNEL_KEYS, where);
  const { channel, valid, invalid, byErrorKind } = entry;
  if (typeof channel !== 'string') throw notASummary(`${where}.channel is not a string`);
  if (!isObject(byErrorKind)) throw notASummary(`${where}.byErrorKind is not an object`);
  const kinds: Record<string, number> = {};
  for (const [kind, value] of Object.entries(byErrorKind)) {
    if (!KNOWN_KINDS.has(kind)) throw notASummary(`${where}.byErrorKind has unknown kind ${kind}`);
    kinds[kind] = count(value, `${where}.byErrorKind.${kind}`);
  }
  return {
    channel,
    valid: count(valid, `${where}.valid`),
    invalid: count(invalid, `${where}.invalid`),
    byErrorKind: kinds,
  };
}

/** A `Count` (integer ≥ 0); beyond 2^53 it cannot be a number of messages in a day. */
function count(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw notASummary(`${where} is not a count`);
  }
  if (!Number.isSafeInteger(value)) throw absurd(`${where} is larger than 2^53`);
  return value;
}

function timestamp(value: unknown, where: string): number {
  const match = typeof value === 'string' ? DATE_TIME.exec(value) : null;
  const at = match ? Date.parse(value as string) : NaN;
  if (match === null || Number.isNaN(at) || !fieldsInRange(match)) {
    throw notASummary(`${where} is not an RFC 3339 date-time`);
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

function onlyKeys(value: Record<string, unknown>, keys: ReadonlySet<string>, where: string): void {
  for (const key of keys) {
    if (!(key in value)) throw notASummary(`${where} has no ${key}`);
  }
  for (const key of Object.keys(value)) {
    if (!keys.has(key)) throw notASummary(`${where} has an unknown property ${key}`);
  }
}

/** Whether `value` is a plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function notASummary(detail: string): PoisonRecordError {
  return new PoisonRecordError('not-a-summary', detail);
}

function absurd(detail: string): PoisonRecordError {
  return new PoisonRecordError('absurd-values', detail);
}
