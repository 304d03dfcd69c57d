/**
 * Who may read which site, from the Cognito groups of the caller's access token (the personas of
 * the Lake Formation grants): {@link QUALITY_GROUP} reads every site, `uns-site-<site>` reads that
 * site, several groups add up, and a caller of none of them reads nothing.
 */
import { EVERY_SITE, type SiteScope } from '@uns-mlops/validation-store';

/** The central quality team: every site. */
export const QUALITY_GROUP = 'uns-quality';
/** The plant engineers of a site: `uns-site-<site>`. */
export const SITE_GROUP_PREFIX = 'uns-site-';
/** The claim of the access token that lists the caller's groups. */
export const GROUPS_CLAIM = 'cognito:groups';

/**
 * The groups of `claims`, as the JWT authorizer of an HTTP API hands them to the function: a list
 * claim arrives as text, `[uns-quality uns-site-zwickau]` (group names hold no white space); a
 * real list and a single name are read too. Anything else is no group.
 */
export function groupsOf(claims: Readonly<Record<string, unknown>> | undefined): string[] {
  const value = claims?.[GROUPS_CLAIM];
  if (Array.isArray(value)) return value.filter((group) => typeof group === 'string');
  if (typeof value !== 'string') return [];
  const list = /^\[(.*)\]$/s.exec(value)?.[1] ?? value;
  return list.split(/\s+/).filter((group) => group !== '');
}

/** The sites `groups` may read; `undefined` when none of them is a reader's group. */
export function readableSites(groups: readonly string[]): SiteScope | undefined {
  if (groups.includes(QUALITY_GROUP)) return EVERY_SITE;
  const sites = groups
    .filter((group) => group.startsWith(SITE_GROUP_PREFIX))
    .map((group) => group.slice(SITE_GROUP_PREFIX.length))
    .filter((site) => site !== '');
  return sites.length > 0 ? [...new Set(sites)].sort() : undefined;
}
