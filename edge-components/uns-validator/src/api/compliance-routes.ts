/**
 * The compliance half of the dashboard's HTTP API (`/api/v1/compliance/...`, documented in
 * `dashboard/openapi.yaml`): reads query parameters with edge-common's readers (UTF-8 text
 * without control characters, date-times of the years 1 to 9999, bounded integers), rejects bad
 * ones with a clear message (HTTP 400) before anything reaches SQL, and answers from
 * {@link ComplianceQueries}.
 */
import {
  BadRequestError,
  dateParameter,
  integerParameter,
  textParameter,
} from '@uns-mlops/edge-common';
import type { ContractsReport } from '../../../../dashboard/src/api/types';
import { type ComplianceQueries, decodeCursor } from './compliance-queries';

/** An API endpoint: answers the query string parameters with a JSON-serializable value. */
export type ApiRoute = (query: URLSearchParams) => Promise<unknown>;

/** What the compliance routes read from. */
export interface ComplianceRoutesOptions {
  readonly queries: ComplianceQueries;
  /** The contracts judging messages now and the enforcement settings (the live validator's). */
  readonly contractsInForce: () => Pick<ContractsReport, 'enforcement' | 'inForce'>;
  /** The clock (tests); default `new Date()`. */
  readonly now?: () => Date;
}

/** Range of the overview when `since` is absent: the last hour. */
const DEFAULT_RANGE_MS = 60 * 60 * 1000;
/** Trend steps the overview picks from when `step` is absent, seconds. */
const NICE_STEPS = [60, 300, 900, 1800, 3600, 7200, 21_600, 43_200, 86_400, 604_800];
/** At most this many trend steps when `step` is absent (the first nice step that fits). */
const TARGET_STEPS = 120;
/** At most this many trend steps for an explicit `step`. */
const MAX_STEPS = 10_000;
/** Longest cursor: two numbers of at most 16 digits, a sign and a dot. */
const MAX_CURSOR_LENGTH = 40;

/** The routes by path. */
export function complianceRoutes(options: ComplianceRoutesOptions): Record<string, ApiRoute> {
  const { queries } = options;
  const now = options.now ?? (() => new Date());
  return {
    '/api/v1/compliance/overview': (query) => {
      const until = dateParameter(query, 'until') ?? now();
      const since = dateParameter(query, 'since') ?? new Date(until.getTime() - DEFAULT_RANGE_MS);
      if (since >= until) throw new BadRequestError('since must be before until');
      const rangeSeconds = (until.getTime() - since.getTime()) / 1000;
      const stepSeconds =
        integerParameter(query, 'step', 1, 31 * 86_400) ??
        NICE_STEPS.find((step) => rangeSeconds / step <= TARGET_STEPS) ??
        Math.ceil(rangeSeconds / TARGET_STEPS);
      if (rangeSeconds / stepSeconds > MAX_STEPS) {
        throw new BadRequestError(`step gives more than ${String(MAX_STEPS)} trend steps`);
      }
      return queries.overview({
        since,
        until,
        stepSeconds,
        site: textParameter(query, 'site'),
        offenders: integerParameter(query, 'offenders', 1, 100) ?? 10,
      });
    },
    '/api/v1/compliance/violations': (query) => {
      const before = textParameter(query, 'before', MAX_CURSOR_LENGTH);
      const cursor = before === undefined ? undefined : decodeCursor(before);
      if (before !== undefined && cursor === undefined) {
        throw new BadRequestError('before must be a nextCursor of an earlier page');
      }
      return queries.violations({
        limit: integerParameter(query, 'limit', 1, 500) ?? 50,
        before: cursor,
        site: textParameter(query, 'site'),
        channel: textParameter(query, 'channel'),
        errorKind: textParameter(query, 'errorKind'),
      });
    },
    '/api/v1/compliance/facets': () => queries.violationFacets(),
    '/api/v1/compliance/contracts': async () => ({
      ...options.contractsInForce(),
      history: await queries.contractHistory(),
    }),
  };
}
