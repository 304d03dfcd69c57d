import { ERROR_KINDS, type ViolationDescription } from '@uns-mlops/validation-store';
import {
  absurd,
  integer,
  isObject,
  objectWith,
  oneOf,
  text,
  timestamp,
  withoutNul,
} from './json-checks';
import { PoisonRecordError } from './poison';
import { SITE_ID_PATTERN } from './uns-topic';

/**
 * A violation sample as the contract (`asyncapi/uns-welding.asyncapi.yaml`, schema
 * `ViolationSample`) defines it and the validator publishes it: one row of `violation_samples`.
 */
export interface ViolationSampleRow extends ViolationDescription {
  /** Lowercase, without a `urn:uuid:` prefix. */
  readonly sampleId: string;
  /** Epoch milliseconds. */
  readonly receivedAt: number;
}

/** The contract's `SampleText`: topic, paths and error message, at most this many characters. */
const SAMPLE_TEXT_LENGTH = 1024;
const ASSERTION_LENGTH = 128;
/** At most 2048 payload bytes, base64 (4 characters per 3 bytes) the longer form. */
const EXCERPT_LENGTH = 2732;
/** The largest value of the store's `integer` columns (`error_count`, `payload_size`). */
const MAX_INTEGER_COLUMN = 2 ** 31 - 1;
/** JSON Schema's `format: uuid` (ajv-formats). */
const UUID = /^(?:urn:uuid:)?([0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12})$/i;
const ENCODINGS = ['utf8', 'base64'] as const;

const SAMPLE_KEYS = new Set([
  'sampleId',
  'site',
  'receivedAt',
  'topic',
  'channel',
  'contractVersion',
  'errorKind',
  'errorCount',
  'schemaPath',
  'payloadPath',
  'message',
  'assertion',
  'payloadSize',
  'payloadEncoding',
  'payloadExcerpt',
]);

/**
 * Checks a parsed JSON value against the contract's `ViolationSample` schema (every keyword it
 * has), then against what the validator of `site` (the site of the record's MQTT topic) can
 * publish and the store can hold.
 *
 * @throws PoisonRecordError `not-a-violation-sample` when the schema fails, `absurd-values` when
 *   the values cannot be (see {@link PoisonReason}).
 */
export function readViolationSample(value: unknown, site: string): ViolationSampleRow {
  if (!isObject(value)) throw notASample('a violation sample is a JSON object');
  const sample = objectWith(value, SAMPLE_KEYS, 'the violation sample', notASample);
  const string = (key: string, maxLength?: number) => text(sample[key], key, notASample, maxLength);

  const uuid = UUID.exec(string('sampleId'));
  if (uuid === null) throw notASample('sampleId is not a UUID');
  const sampleSite = string('site');
  if (!SITE_ID_PATTERN.test(sampleSite)) throw notASample('site is not a site id');
  const row: ViolationSampleRow = {
    sampleId: (uuid[1] ?? '').toLowerCase(),
    site: sampleSite,
    receivedAt: timestamp(sample.receivedAt, 'receivedAt', notASample),
    topic: string('topic', SAMPLE_TEXT_LENGTH),
    channel: string('channel'),
    contractVersion: string('contractVersion'),
    errorKind: oneOf(sample.errorKind, ERROR_KINDS, 'errorKind', notASample),
    errorCount: integer(sample.errorCount, 1, 'errorCount', notASample),
    schemaPath: string('schemaPath', SAMPLE_TEXT_LENGTH),
    payloadPath: string('payloadPath', SAMPLE_TEXT_LENGTH),
    message: string('message', SAMPLE_TEXT_LENGTH),
    assertion: string('assertion', ASSERTION_LENGTH),
    payloadSize: integer(sample.payloadSize, 0, 'payloadSize', notASample),
    payloadEncoding: oneOf(sample.payloadEncoding, ENCODINGS, 'payloadEncoding', notASample),
    payloadExcerpt: string('payloadExcerpt', EXCERPT_LENGTH),
  };

  if (row.site !== site) throw absurd(`site ${row.site} is not the site of its topic, ${site}`);
  for (const [key, field] of Object.entries(row)) {
    if (typeof field === 'string') withoutNul(field, key);
  }
  for (const key of ['errorCount', 'payloadSize'] as const) {
    if (row[key] > MAX_INTEGER_COLUMN) throw absurd(`${key} is larger than 2^31 - 1`);
  }
  const excerptBytes = Buffer.from(row.payloadExcerpt, row.payloadEncoding).byteLength;
  if (excerptBytes > row.payloadSize) throw absurd('the excerpt is longer than the payload');
  return row;
}

function notASample(detail: string): PoisonRecordError {
  return new PoisonRecordError('not-a-violation-sample', detail);
}
