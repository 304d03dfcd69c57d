import type { ErrorKind } from './error-kinds';

/**
 * An invalid message described by its first error, with the start of its payload: what a
 * violation sample says in each of its forms (the validator's store row, the UNS message
 * `ViolationSample` of the contract, the cloud store's row), which differ only in how they carry
 * the time received and the sample's id.
 */
export interface ViolationDescription {
  readonly topic: string;
  /** The site id of the topic's `{site}` level. */
  readonly site: string;
  /** AsyncAPI channel id, `''` for a topic no channel matches. */
  readonly channel: string;
  /** `info.version` of the judging contract, `''` when none judged. */
  readonly contractVersion: string;
  readonly errorKind: ErrorKind;
  /** How many errors the verdict held (only the first is described). */
  readonly errorCount: number;
  /** JSON Pointer of the failing schema keyword. */
  readonly schemaPath: string;
  /** JSON Pointer of the failing payload value. */
  readonly payloadPath: string;
  readonly message: string;
  /** Sparkplug assertion id, `''` when none. */
  readonly assertion: string;
  /** Size in bytes of the whole payload. */
  readonly payloadSize: number;
  /** `utf8` when the excerpt is the payload's text, `base64` when the payload is binary. */
  readonly payloadEncoding: 'utf8' | 'base64';
  /** The payload's first bytes (see `payloadEncoding`). */
  readonly payloadExcerpt: string;
}
