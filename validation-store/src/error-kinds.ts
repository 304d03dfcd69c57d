/**
 * The kinds of error a verdict names, the values of `error_kind` in the store (besides `''` for
 * valid messages) and the keys of a compliance summary's `byErrorKind`: the validator judges with
 * them, the cloud ingestion reads them.
 */

/** Why a message is invalid. */
export type ErrorKind =
  /** No channel of any loaded contract matches the topic. */
  | 'unknown-topic'
  /** The topic matches a channel address, but a parameter value breaks its enum or schema. */
  | 'bad-parameter'
  /** The payload cannot be decoded at all (not UTF-8 JSON, truncated protobuf, ...). */
  | 'unparseable-payload'
  /** The payload decodes but breaks the message's JSON Schema. */
  | 'schema-violation'
  /** AsyncAPI 3.0: the payload matches more than one of the channel's messages. */
  | 'ambiguous-message'
  /** A Sparkplug B 3.0 rule (topic structure, seq, bdSeq, birth before data, aliases, datatypes). */
  | 'sparkplug-rule'
  /** The payload is larger than its channel allows; it was judged without being read. */
  | 'payload-too-large'
  /** The payload's bytes break the contract's encoding rules (a byte-order mark, UTF-16). */
  | 'encoding'
  /** Judging the message stopped or stalled the worker that ran it; it was not judged further. */
  | 'processing-failed';

/** Every error kind, in the order the validator's sampling indexes them. */
export const ERROR_KINDS: readonly ErrorKind[] = [
  'unknown-topic',
  'bad-parameter',
  'unparseable-payload',
  'schema-violation',
  'ambiguous-message',
  'sparkplug-rule',
  'payload-too-large',
  'encoding',
  'processing-failed',
];
