/**
 * The validator's own topics in the UNS, below each site (the contract's `validationSummary`,
 * `validationViolation` and `validationContracts` channels):
 *
 * - `{enterprise}/{site}/_validation`: compliance summaries;
 * - `{enterprise}/{site}/_validation/violations`: samples of invalid messages;
 * - `{enterprise}/{site}/_validation/contracts`: the contracts in force (retained).
 */

/** Site ids as the contract's `{site}` parameter allows them (`x-pattern`). */
export const SITE_ID_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;

/** The level below the site that holds the validator's publications. */
const VALIDATION_LEVEL = '_validation';

/** What the validator publishes below `{enterprise}/{site}/_validation`. */
export type ValidationLeaf = 'violations' | 'contracts';

/** The topic of a site's summaries, or with `leaf`, of its violation samples or contracts. */
export function validationTopic(enterprise: string, site: string, leaf?: ValidationLeaf): string {
  const summaries = `${enterprise}/${site}/${VALIDATION_LEVEL}`;
  return leaf === undefined ? summaries : `${summaries}/${leaf}`;
}

/**
 * Whether a topic is one of the validator's own publications (`+/+/_validation` and below): it
 * judges them like any message, but never samples them, so that a sample can never beget samples.
 */
export function isValidationTopic(topic: string): boolean {
  return topic.split('/', 3)[2] === VALIDATION_LEVEL;
}
