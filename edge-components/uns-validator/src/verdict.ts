/**
 * The validator's verdict on one UNS message: the shared language of the contract checks, the
 * Sparkplug rules, the store, the enforcement modes and the offline CLI.
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

/** One reason a message is invalid. */
export interface VerdictError {
  readonly kind: ErrorKind;
  /** JSON Pointer of the failing value in the payload (`''` for the whole payload or the topic). */
  readonly path: string;
  /** JSON Pointer of the failing keyword in the message's schema, when a schema failed. */
  readonly schemaPath?: string;
  /** Human-readable explanation. */
  readonly message: string;
  /** Sparkplug 3.0 assertion id for `sparkplug-rule` errors, e.g. `tck-id-topic-structure-namespace-a`. */
  readonly assertion?: string;
}

/** The validator's verdict on one message. */
export interface Verdict {
  readonly topic: string;
  readonly valid: boolean;
  /** The AsyncAPI channel id the topic resolved to. */
  readonly channel?: string;
  /** The AsyncAPI message id the payload matched. */
  readonly messageId?: string;
  /** `info.version` of the contract that judged the message. */
  readonly contractVersion?: string;
  /** Channel parameters extracted from the topic, e.g. `{ site: 'zwickau' }`. */
  readonly parameters?: Readonly<Record<string, string>>;
  /** Empty when valid. */
  readonly errors: readonly VerdictError[];
}
