/**
 * Why a record of `uns.validation` is poison (the value of the `Reason` dimension of
 * `PoisonRecords`):
 *
 * - `unknown-topic`: not from Kafka topic `uns.validation`, no original MQTT topic header, or an
 *   MQTT topic that is neither a summary (`{enterprise}/{site}/_validation`, site a site id) nor a
 *   quarantine copy.
 * - `not-json`: the value is missing, not UTF-8 JSON, or not a JSON object.
 * - `not-a-summary`: a JSON object that breaks the contract's `ValidationSummary` schema.
 * - `absurd-values`: a summary the schema accepts but no validator can have published: the interval
 *   ends before it starts or lasts longer than a day, a count beyond 2^53, a channel listed twice,
 *   or error kinds that add up to more than the channel's `invalid`.
 */
export type PoisonReason = 'unknown-topic' | 'not-json' | 'not-a-summary' | 'absurd-values';

/** A record that cannot be ingested, and why; the detail goes to the log, never the payload. */
export class PoisonRecordError extends Error {
  constructor(
    readonly reason: PoisonReason,
    readonly detail: string,
  ) {
    super(`${reason}: ${detail}`);
    this.name = 'PoisonRecordError';
  }
}
