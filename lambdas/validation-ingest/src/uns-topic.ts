/**
 * What a record of `uns.validation` carries, told by its original MQTT topic (the bridge's
 * `uns-topic` header):
 *
 * - `summary`: a compliance summary of one site, `{enterprise}/{site}/_validation`.
 * - `quarantine`: the validator's copy of an invalid message, `{quarantinePrefix}/{original topic}`
 *   (not a summary; counted and skipped).
 */
export type ValidationTopic =
  | { readonly kind: 'summary'; readonly enterprise: string; readonly site: string }
  | { readonly kind: 'quarantine' };

/** Site ids as the contract's `{site}` parameter allows them (`x-pattern`). */
export const SITE_ID_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;

const SUMMARY_LEAF = '_validation';

/** Reads an MQTT topic; undefined when it is neither a summary's nor a quarantine copy's. */
export function parseValidationTopic(
  topic: string,
  quarantinePrefix: string,
): ValidationTopic | undefined {
  if (topic.startsWith(`${quarantinePrefix}/`)) return { kind: 'quarantine' };
  const levels = topic.split('/');
  const [enterprise, site, leaf] = levels;
  if (
    levels.length !== 3 ||
    leaf !== SUMMARY_LEAF ||
    enterprise === undefined ||
    enterprise === '' ||
    site === undefined ||
    !SITE_ID_PATTERN.test(site)
  ) {
    return undefined;
  }
  return { kind: 'summary', enterprise, site };
}
