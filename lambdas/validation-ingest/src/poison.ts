/**
 * Why a record of `uns.validation` is poison (the value of the `Reason` dimension of
 * `PoisonRecords`):
 *
 * - `unknown-topic`: not from Kafka topic `uns.validation`, no original MQTT topic header, or an
 *   MQTT topic that is none of the validator's (`{enterprise}/{site}/_validation`, site a site id,
 *   and its `/violations` and `/contracts`) nor a quarantine copy.
 * - `not-json`: the value is missing, not UTF-8 JSON, or not a JSON object.
 * - `not-a-summary`: a JSON object that breaks the contract's `ValidationSummary` schema.
 * - `not-a-violation-sample`: a JSON object that breaks the contract's `ViolationSample` schema.
 * - `not-contracts-in-force`: a JSON object that breaks the contract's `ContractsInForce` schema.
 * - `absurd-values`: a payload the schema accepts but no validator can have published: a summary
 *   whose interval ends before it starts or lasts longer than a day, a count beyond 2^53, a channel
 *   listed twice, or error kinds that add up to more than the channel's `invalid`; a violation
 *   sample of another site than its topic's, with a count beyond the store's integers or an
 *   excerpt longer than its payload; a sample or contracts holding a NUL character.
 */
export type PoisonReason =
  | 'unknown-topic'
  | 'not-json'
  | 'not-a-summary'
  | 'not-a-violation-sample'
  | 'not-contracts-in-force'
  | 'absurd-values';

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
