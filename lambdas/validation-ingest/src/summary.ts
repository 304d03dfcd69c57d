import { ERROR_KINDS } from '@uns-mlops/validation-store';
import {
  absurd,
  count as countOf,
  isObject,
  onlyKeys,
  timestamp as timestampOf,
  withoutNul,
} from './json-checks';
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
const count = (value: unknown, where: string) => countOf(value, where, notASummary);
const timestamp = (value: unknown, where: string) => timestampOf(value, where, notASummary);

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
  onlyKeys(value, SUMMARY_KEYS, 'the summary', notASummary);
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
  return {
    intervalStart: start,
    intervalEnd: end,
    contractVersion: withoutNul(contractVersion, 'contractVersion'),
    channels: read,
  };
}

function readChannel(entry: unknown, index: number): ChannelCounts {
  const where = `channels[${index}]`;
  if (!isObject(entry)) throw notASummary(`${where} is not an object`);
  onlyKeys(entry, CHANNEL_KEYS, where, notASummary);
  const { channel, valid, invalid, byErrorKind } = entry;
  if (typeof channel !== 'string') throw notASummary(`${where}.channel is not a string`);
  if (!isObject(byErrorKind)) throw notASummary(`${where}.byErrorKind is not an object`);
  const kinds: Record<string, number> = {};
  for (const [kind, value] of Object.entries(byErrorKind)) {
    if (!KNOWN_KINDS.has(kind)) throw notASummary(`${where}.byErrorKind has unknown kind ${kind}`);
    kinds[kind] = count(value, `${where}.byErrorKind.${kind}`);
  }
  return {
    channel: withoutNul(channel, `${where}.channel`),
    valid: count(valid, `${where}.valid`),
    invalid: count(invalid, `${where}.invalid`),
    byErrorKind: kinds,
  };
}

function notASummary(detail: string): PoisonRecordError {
  return new PoisonRecordError('not-a-summary', detail);
}
