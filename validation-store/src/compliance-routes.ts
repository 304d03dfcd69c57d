/**
 * The compliance half of the dashboard's HTTP API (`/api/v1/compliance/...`, documented in
 * `dashboard/openapi.yaml`), for both of its servers: the edge validator and the cloud's
 * `compliance-api` function. Each route reads its query parameters with edge-common's readers
 * (UTF-8 text without control characters, date-times of the years 1 to 9999, bounded integers),
 * rejecting bad ones with a `BadRequestError` (HTTP 400) before anything reaches SQL, checks the
 * `site` it is asked for against the caller's {@link SiteScope} (`ForbiddenError`, HTTP 403), and
 * answers from {@link ComplianceQueries} within that scope.
 */
// The modules themselves, not edge-common's index: the index also loads the native modules of the
// edge components (koffi), which a Lambda bundle of this package must not need.
import { BadRequestError } from '@uns-mlops/edge-common/src/http-server';
import {
  dateParameter,
  integerParameter,
  textParameter,
} from '@uns-mlops/edge-common/src/query-parameters';
import type { ComplianceQueries, ContractsInForce } from './compliance-queries';
import { allowsSite, ForbiddenError, NotFoundError, type SiteScope } from './site-scope';
import { decodeCursor } from './violation-cursor';

/** An endpoint: answers the query string parameters, for a caller who may read `scope`. */
export type ComplianceRoute = (query: URLSearchParams, scope: SiteScope) => Promise<unknown>;

/** What the compliance routes read from. */
export interface ComplianceRoutesOptions {
  readonly queries: ComplianceQueries;
  /**
   * The contracts judging messages now and the enforcement settings of the one plant the server
   * serves (the edge validator's live ones). `/contracts` then ignores `site` and lists the
   * history of every site of the scope.
   * @default - per site, as each plant's validator published them to the store (the cloud):
   * `/contracts` requires `site`, and answers 404 for a site that published none.
   */
  readonly contractsInForce?: () => ContractsInForce;
  /**
   * The clock that ranges without `until` end at.
   * @default - `new Date()`.
   */
  readonly now?: () => Date;
}

/** Where the routes are. */
const COMPLIANCE_API_PATH = '/api/v1/compliance';

/** Range of the overview when `since` is absent: the last hour. */
const OVERVIEW_RANGE_MS = 60 * 60 * 1000;
/** Range of the facilities comparison when `since` is absent: the last 24 hours. */
const FACILITIES_RANGE_MS = 24 * 60 * 60 * 1000;
/** Trend steps a range picks from when `step` is absent, seconds. */
const NICE_STEPS = [60, 300, 900, 1800, 3600, 7200, 21_600, 43_200, 86_400, 604_800];
/** At most this many trend steps when `step` is absent (the first nice step that fits). */
const TARGET_STEPS = 120;
/** At most this many trend steps for an explicit `step`. */
const MAX_STEPS = 10_000;
/** Longest cursor: two numbers of at most 16 digits, a sign and a dot. */
const MAX_CURSOR_LENGTH = 40;

/** A route once its `site` parameter is read and allowed. */
type SiteRoute = (
  query: URLSearchParams,
  scope: SiteScope,
  site: string | undefined,
) => Promise<unknown>;

/**
 * The routes by path. On every route, a `site` parameter must name a site of the caller's scope
 * (403 otherwise); the routes without one site (`sites`, `facilities`) ignore it otherwise, and so
 * does `contracts` when the server serves one plant's contracts in force.
 */
export function complianceRoutes(
  options: ComplianceRoutesOptions,
): Record<string, ComplianceRoute> {
  const { queries, contractsInForce } = options;
  const now = options.now ?? (() => new Date());
  const routes: Record<string, SiteRoute> = {
    sites: (_query, scope) => queries.sites(scope),
    overview: (query, scope, site) =>
      queries.overview({
        ...trendRange(query, now(), OVERVIEW_RANGE_MS),
        scope,
        site,
        offenders: integerParameter(query, 'offenders', 1, 100) ?? 10,
      }),
    facilities: (query, scope) =>
      queries.facilities({
        ...trendRange(query, now(), FACILITIES_RANGE_MS),
        scope,
        offenders: integerParameter(query, 'offenders', 1, 20) ?? 3,
      }),
    violations: (query, scope, site) => {
      const before = textParameter(query, 'before', MAX_CURSOR_LENGTH);
      const cursor = before === undefined ? undefined : decodeCursor(before);
      if (before !== undefined && cursor === undefined) {
        throw new BadRequestError('before must be a nextCursor of an earlier page');
      }
      return queries.violations({
        scope,
        site,
        limit: integerParameter(query, 'limit', 1, 500) ?? 50,
        before: cursor,
        channel: textParameter(query, 'channel'),
        errorKind: textParameter(query, 'errorKind'),
      });
    },
    facets: (_query, scope, site) => queries.violationFacets({ scope, site }),
    contracts: async (_query, scope, site) => {
      if (contractsInForce !== undefined) {
        return { ...contractsInForce(), history: await queries.contractHistory({ scope }) };
      }
      if (site === undefined) throw new BadRequestError('site is required: whose contracts?');
      const [inForce, history] = await Promise.all([
        queries.contractsInForce(site),
        queries.contractHistory({ scope, site }),
      ]);
      if (inForce === undefined) {
        throw new NotFoundError(`site ${JSON.stringify(site)} has published no contracts in force`);
      }
      return { ...inForce, history };
    },
  };
  return Object.fromEntries(
    Object.entries(routes).map(([name, route]) => [
      `${COMPLIANCE_API_PATH}/${name}`,
      // async: a bad parameter rejects the answer's promise, never throws at the caller.
      async (query: URLSearchParams, scope: SiteScope) =>
        route(query, scope, siteParameter(query, scope)),
    ]),
  );
}

/**
 * Parameter `site`, which the caller must be allowed to read.
 *
 * @throws BadRequestError when it is no acceptable text.
 * @throws ForbiddenError when `scope` does not allow it.
 */
function siteParameter(query: URLSearchParams, scope: SiteScope): string | undefined {
  const site = textParameter(query, 'site');
  if (site !== undefined && !allowsSite(scope, site)) {
    throw new ForbiddenError(`site ${JSON.stringify(site)} is not among the sites you may read`);
  }
  return site;
}

/**
 * Parameters `since`, `until` (default `now`, `since` default `defaultRangeMs` before it) and
 * `step` (default the first of {@link NICE_STEPS} giving at most {@link TARGET_STEPS} steps).
 *
 * @throws BadRequestError for an empty range, or a step giving more than {@link MAX_STEPS}.
 */
function trendRange(
  query: URLSearchParams,
  now: Date,
  defaultRangeMs: number,
): { since: Date; until: Date; stepSeconds: number } {
  const until = dateParameter(query, 'until') ?? now;
  const since = dateParameter(query, 'since') ?? new Date(until.getTime() - defaultRangeMs);
  if (since >= until) throw new BadRequestError('since must be before until');
  const rangeSeconds = (until.getTime() - since.getTime()) / 1000;
  const stepSeconds =
    integerParameter(query, 'step', 1, 31 * 86_400) ??
    NICE_STEPS.find((step) => rangeSeconds / step <= TARGET_STEPS) ??
    Math.ceil(rangeSeconds / TARGET_STEPS);
  if (rangeSeconds / stepSeconds > MAX_STEPS) {
    throw new BadRequestError(`step gives more than ${String(MAX_STEPS)} trend steps`);
  }
  return { since, until, stepSeconds };
}
