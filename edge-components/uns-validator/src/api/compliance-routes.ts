/**
 * The compliance half of the dashboard's HTTP API (`/api/v1/compliance/...`, documented in
 * `dashboard/openapi.yaml`) on the validator: the routes of `@uns-mlops/validation-store`, the
 * same parameter reading (400 with the reason) and SQL as the cloud's compliance API, over every
 * site of the validator's own store (the plant's dashboard needs no sign-in), with the contracts
 * in force of the running validator.
 */
import {
  type ComplianceQueries,
  type ContractsInForce,
  complianceRoutes as sharedRoutes,
  EVERY_SITE,
} from '@uns-mlops/validation-store';

/** An API endpoint: answers the query string parameters with a JSON-serializable value. */
export type ApiRoute = (query: URLSearchParams) => Promise<unknown>;

/** What the compliance routes read from. */
export interface ComplianceRoutesOptions {
  readonly queries: ComplianceQueries;
  /** The contracts judging messages now and the enforcement settings (the live validator's). */
  readonly contractsInForce: () => ContractsInForce;
  /**
   * The clock that ranges without `until` end at (tests).
   * @default - `new Date()`.
   */
  readonly now?: () => Date;
}

/** The routes by path: sites, overview, facilities, violations, facets and contracts. */
export function complianceRoutes(options: ComplianceRoutesOptions): Record<string, ApiRoute> {
  return Object.fromEntries(
    Object.entries(sharedRoutes(options)).map(([path, route]) => [
      path,
      (query: URLSearchParams) => route(query, EVERY_SITE),
    ]),
  );
}
