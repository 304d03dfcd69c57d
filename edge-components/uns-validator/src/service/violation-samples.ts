import { randomUUID } from 'node:crypto';
import type { ViolationDescription } from '@uns-mlops/validation-store';
import { payloadExcerpt, storableText } from '../store/excerpt';
import type { Verdict } from '../verdict';
import { isValidationTopic, SITE_ID_PATTERN, validationTopic } from './validation-topics';

/** The contract's `ViolationSample`: one invalid message, described by its first error. */
export interface ViolationSample extends ViolationDescription {
  /** Random UUID: a sample delivered again keeps it, so a store keeps the sample once. */
  readonly sampleId: string;
  /** RFC 3339. */
  readonly receivedAt: string;
}

/** A sample ready to publish. */
export interface ViolationSampleMessage {
  readonly topic: string;
  readonly payload: string;
}

/**
 * What became of a judged message: `sample`, published; `over-cap`, an invalid message of a site
 * that had its samples of the interval already. Messages not sampled at all (valid, without a
 * site id or an error described, the validator's own topics) yield undefined.
 */
export type SamplingOutcome =
  | { readonly result: 'sample'; readonly message: ViolationSampleMessage }
  | { readonly result: 'over-cap' };

/** Payload bytes a sample carries at most (the store's excerpt, the OpenAPI's "2 KB"). */
export const EXCERPT_BYTES = 2048;
/** Characters of a sample's topic, paths and error message (the contract's `SampleText`). */
export const SAMPLE_TEXT_LENGTH = 1024;
/** Characters of a sample's Sparkplug assertion id. */
const ASSERTION_LENGTH = 128;
/** Sites tracked per interval; invalid messages of further sites count as over the cap. */
const MAX_SITES_PER_INTERVAL = 1000;

/**
 * Picks the violation samples a validator publishes to `{enterprise}/{site}/_validation/violations`:
 * the first `perSite` invalid messages of each site in each summary interval, each as the
 * contract's `ViolationSample` (a row of the store's `violation_samples`, with a `sampleId`),
 * its texts bounded and its payload cut to an excerpt, so that a sample stays small whatever the
 * message was.
 */
export class ViolationSamples {
  /** Samples taken per site in the current interval. */
  private taken = new Map<string, number>();

  constructor(
    private readonly enterprise: string,
    private readonly perSite: number,
  ) {}

  /** The sample of a judged message, while its site is under the cap. */
  take(verdict: Verdict, receivedAt: number, payload: Uint8Array): SamplingOutcome | undefined {
    const site = verdict.parameters?.site;
    const error = verdict.valid ? undefined : verdict.errors[0];
    if (
      error === undefined ||
      site === undefined ||
      !SITE_ID_PATTERN.test(site) ||
      isValidationTopic(verdict.topic)
    ) {
      return undefined;
    }
    const taken = this.taken.get(site) ?? 0;
    const tracked = this.taken.has(site) || this.taken.size < MAX_SITES_PER_INTERVAL;
    if (taken >= this.perSite || !tracked) return { result: 'over-cap' };
    this.taken.set(site, taken + 1);
    const excerpt = payloadExcerpt(payload, EXCERPT_BYTES);
    const sample: ViolationSample = {
      sampleId: randomUUID(),
      site,
      receivedAt: new Date(receivedAt).toISOString(),
      topic: sampleText(verdict.topic),
      channel: verdict.channel ?? '',
      contractVersion: verdict.contractVersion ?? '',
      errorKind: error.kind,
      errorCount: verdict.errors.length,
      schemaPath: sampleText(error.schemaPath ?? ''),
      payloadPath: sampleText(error.path),
      message: sampleText(error.message),
      assertion: sampleText(error.assertion ?? '', ASSERTION_LENGTH),
      payloadSize: payload.byteLength,
      payloadEncoding: excerpt.encoding,
      payloadExcerpt: excerpt.text,
    };
    return {
      result: 'sample',
      message: {
        topic: validationTopic(this.enterprise, site, 'violations'),
        payload: JSON.stringify(sample),
      },
    };
  }

  /** Starts the next summary interval: every site may have `perSite` samples again. */
  nextInterval(): void {
    this.taken = new Map();
  }
}

/**
 * `text` without NUL (as the store keeps it), cut to at most `length` characters: the first
 * `length - 1` and `…` when longer, never splitting a surrogate pair.
 */
export function sampleText(text: string, length = SAMPLE_TEXT_LENGTH): string {
  const storable = storableText(text);
  if (storable.length <= length) return storable;
  let end = length - 1;
  const last = storable.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${storable.slice(0, end)}…`;
}
