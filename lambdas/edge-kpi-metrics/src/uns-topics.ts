/**
 * Which message of the payload validator or the inference runtime a UNS topic carries (the
 * addresses of `asyncapi/uns-welding.asyncapi.yaml`):
 *
 * - `validation-summary`: `{enterprise}/{site}/_validation`
 * - `violation-sample`: `{enterprise}/{site}/_validation/violations`
 * - `contracts-in-force`: `{enterprise}/{site}/_validation/contracts`
 * - `anomaly-score`: `{enterprise}/{site}/{area}/{line}/{cell}/{asset}/_ml/{model}`
 * - `shadow-score`: `…/{asset}/_ml/{model}/shadow`
 * - `anomaly-event`: `…/{asset}/_ml/{model}/events`
 * - `model-drift`: `…/{asset}/_ml/{model}/drift`
 * - `model-status`: `{enterprise}/{site}/_ml/{model}/status`
 */
export type SiteMessageKind =
  | 'validation-summary'
  | 'violation-sample'
  | 'contracts-in-force'
  | 'anomaly-score'
  | 'shadow-score'
  | 'anomaly-event'
  | 'model-drift'
  | 'model-status';

/**
 * A UNS topic the function knows: a message of one site, or one of the validator's quarantine
 * envelopes (`_quarantine/{original topic}`, on `uns.validation` beside the summaries), which
 * no KPI counts.
 */
export type UnsAddress =
  { readonly kind: SiteMessageKind; readonly site: string } | { readonly kind: 'quarantine' };

/** Site ids as the contract's `{site}` parameter allows them (`x-pattern`). */
export const SITE_ID_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;

const QUARANTINE_PREFIX = '_quarantine';
const ML_LEVEL = '_ml';
const VALIDATION_LEVEL = '_validation';
/** The validator's topics one level below `{enterprise}/{site}/_validation`. */
const BELOW_VALIDATION: Readonly<Record<string, SiteMessageKind | undefined>> = {
  violations: 'violation-sample',
  contracts: 'contracts-in-force',
};

/** The inference runtime's topics one level below `…/{asset}/_ml/{model}`. */
const BELOW_MODEL: Readonly<Record<string, SiteMessageKind | undefined>> = {
  shadow: 'shadow-score',
  events: 'anomaly-event',
  drift: 'model-drift',
};

/**
 * Reads a UNS topic; undefined when it is none of the addresses above, has an empty level, or
 * its site level is not a site id.
 */
export function parseUnsTopic(topic: string): UnsAddress | undefined {
  const levels = topic.split('/');
  if (levels[0] === QUARANTINE_PREFIX) return { kind: 'quarantine' };
  const kind = kindOf(levels);
  const site = levels[1];
  if (kind === undefined || site === undefined || !SITE_ID_PATTERN.test(site)) return undefined;
  return levels.includes('') ? undefined : { kind, site };
}

function kindOf(levels: readonly string[]): SiteMessageKind | undefined {
  const [, , siteChild, siteGrandchild, siteLeaf, , assetChild, , assetLeaf] = levels;
  switch (levels.length) {
    case 3:
      return siteChild === VALIDATION_LEVEL ? 'validation-summary' : undefined;
    case 4:
      return siteChild === VALIDATION_LEVEL && siteGrandchild !== undefined
        ? BELOW_VALIDATION[siteGrandchild]
        : undefined;
    case 5:
      return siteChild === ML_LEVEL && siteLeaf === 'status' ? 'model-status' : undefined;
    case 8:
      return assetChild === ML_LEVEL ? 'anomaly-score' : undefined;
    case 9:
      if (assetChild !== ML_LEVEL) return undefined;
      return assetLeaf === undefined ? undefined : BELOW_MODEL[assetLeaf];
    default:
      return undefined;
  }
}
