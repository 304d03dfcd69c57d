/**
 * What a record of `uns.validation` carries, told by its original MQTT topic (the bridge's
 * `uns-topic` header):
 *
 * - `summary`: a compliance summary of one site, `{enterprise}/{site}/_validation`.
 * - `violation`: a violation sample of one site, `{enterprise}/{site}/_validation/violations`.
 * - `contracts`: the contracts in force of one site's validator,
 *   `{enterprise}/{site}/_validation/contracts`.
 * - `quarantine`: the validator's copy of an invalid message, `{quarantinePrefix}/{original topic}`
 *   (not a validation result; counted and skipped).
 */
export type ValidationTopic =
  | {
      readonly kind: 'summary' | 'violation' | 'contracts';
      readonly enterprise: string;
      readonly site: string;
    }
  | { readonly kind: 'quarantine' };

/** Site ids as the contract's `{site}` parameter allows them (`x-pattern`). */
export const SITE_ID_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;

const VALIDATION_LEVEL = '_validation';
/** The kind of a topic one level below `{enterprise}/{site}/_validation`, by that level. */
const KIND_BELOW = new Map<string | undefined, 'violation' | 'contracts'>([
  ['violations', 'violation'],
  ['contracts', 'contracts'],
]);

/** Reads an MQTT topic; undefined when it is none of the validator's nor a quarantine copy's. */
export function parseValidationTopic(
  topic: string,
  quarantinePrefix: string,
): ValidationTopic | undefined {
  if (topic.startsWith(`${quarantinePrefix}/`)) return { kind: 'quarantine' };
  const levels = topic.split('/');
  const [enterprise, site, level, below] = levels;
  const kind =
    levels.length === 3 ? 'summary' : levels.length === 4 ? KIND_BELOW.get(below) : undefined;
  if (
    kind === undefined ||
    level !== VALIDATION_LEVEL ||
    enterprise === undefined ||
    enterprise === '' ||
    site === undefined ||
    !SITE_ID_PATTERN.test(site)
  ) {
    return undefined;
  }
  return { kind, enterprise, site };
}
