/**
 * What the aggregator hands to the store: counts and violation samples accumulated over one flush
 * interval. Plain data, so batches not yet sent can be merged, and a sent one resent unchanged.
 */
import type { ViolationDescription } from '@uns-mlops/validation-store';
import type { ErrorKind } from '../verdict';

/** The dimensions a count is kept per. `''` stands for "unknown" (and, as error kind, "valid"). */
export interface CountKey {
  /** Start of the time bucket the messages were received in. */
  readonly bucketStart: Date;
  readonly bucketSeconds: number;
  readonly site: string;
  readonly area: string;
  readonly line: string;
  /** AsyncAPI channel id, `''` for unknown topics. */
  readonly channel: string;
  readonly contractVersion: string;
  /** Kind of the message's first error, `''` for valid messages. */
  readonly errorKind: ErrorKind | '';
}

/** How many messages of one {@link CountKey} were valid and invalid. */
export interface ValidationCount extends CountKey {
  readonly valid: number;
  readonly invalid: number;
}

/** One invalid message, described by its first error, with the start of its payload. */
export interface ViolationRecord extends ViolationDescription {
  readonly receivedAt: Date;
}

/** Counts (at most one per key) and violation samples to store together. */
export interface VerdictBatch {
  readonly counts: readonly ValidationCount[];
  readonly violations: readonly ViolationRecord[];
}

/**
 * What makes writing a batch idempotent: the store records `id` with the batch, in the same
 * transaction, and skips a batch whose id it has recorded.
 */
export interface BatchIdentity {
  /** A UUID, the same on every attempt to write the batch. */
  readonly id: string;
  /** When the batch was formed (the writer's clock); the id is pruned with the data of that time. */
  readonly formedAt: Date;
}

/** A batch with nothing in it. */
export const EMPTY_BATCH: VerdictBatch = { counts: [], violations: [] };

/** Whether a batch holds neither counts nor samples. */
export function isEmpty(batch: VerdictBatch): boolean {
  return batch.counts.length === 0 && batch.violations.length === 0;
}

/** A string identifying a count's key; the same for equal keys. */
export function countKeyId(key: CountKey): string {
  return [
    key.bucketStart.getTime(),
    key.bucketSeconds,
    key.site,
    key.area,
    key.line,
    key.channel,
    key.contractVersion,
    key.errorKind,
  ].join('\u0000');
}

/** Adds the counts of `newer` to those of `older` (per key) and appends its violations. */
export function mergeBatches(older: VerdictBatch, newer: VerdictBatch): VerdictBatch {
  if (isEmpty(older)) return newer;
  const counts = new Map<string, ValidationCount>();
  for (const count of [...older.counts, ...newer.counts]) {
    const id = countKeyId(count);
    const existing = counts.get(id);
    counts.set(
      id,
      existing
        ? {
            ...existing,
            valid: existing.valid + count.valid,
            invalid: existing.invalid + count.invalid,
          }
        : count,
    );
  }
  return { counts: [...counts.values()], violations: [...older.violations, ...newer.violations] };
}

/** The number of messages a batch counts. */
export function messageCount(counts: readonly ValidationCount[]): number {
  let total = 0;
  for (const count of counts) total += count.valid + count.invalid;
  return total;
}
