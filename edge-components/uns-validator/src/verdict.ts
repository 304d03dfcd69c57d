/**
 * The validator's verdict on one UNS message: the shared language of the contract checks, the
 * Sparkplug rules, the store, the enforcement modes and the offline CLI.
 */

import type { ErrorKind } from '@uns-mlops/validation-store';

export { ERROR_KINDS, type ErrorKind } from '@uns-mlops/validation-store';

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
