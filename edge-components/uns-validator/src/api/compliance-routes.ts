/**
 * The compliance half of the dashboard's HTTP API (`/api/v1/compliance/...`, documented in
 * `dashboard/openapi.yaml`): reads query parameters, rejects bad ones with a clear message
 * (HTTP 400) and answers from {@link ComplianceQueries}.
 */
import { BadRequestError } from '@uns-mlops/edge-common';
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
/** Longest text parameter accepted (site, channel, error kind). */
const MAX_TEXT = 200;

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
      const before = query.get('before');
      const cursor = before === null ? undefined : decodeCursor(before);
      if (before !== null && cursor === undefined) {
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

function dateParameter(query: URLSearchParams, name: string): Date | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  const date = new Date(value);
  if (value === '' || Number.isNaN(date.getTime())) {
    throw new BadRequestError(
      `${name} must be an ISO 8601 date-time, got ${JSON.stringify(value)}`,
    );
  }
  return date;
}

function integerParameter(
  query: URLSearchParams,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < min || number > max) {
    throw new BadRequestError(
      `${name} must be an integer from ${String(min)} to ${String(max)}, got ${JSON.stringify(value)}`,
    );
  }
  return number;
}

function textParameter(query: URLSearchParams, name: string): string | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  if (value.length > MAX_TEXT) {
    throw new BadRequestError(`${name} must be at most ${String(MAX_TEXT)} characters`);
  }
  return value;
}
