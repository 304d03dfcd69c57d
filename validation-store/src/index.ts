export { ERROR_KINDS, type ErrorKind } from './error-kinds';
export {
  applyMigrations,
  MIGRATIONS_DIRECTORY,
  readMigrations,
  type Migration,
} from './migrations';
export { connectPostgres, type SqlClient, type SqlExecutor, type SqlRow } from './sql-client';
export { Conditions, count, date, payloadEncoding, text, texts } from './sql-rows';
export { EVERY_SITE, ForbiddenError, NotFoundError, type SiteScope } from './site-scope';
export {
  ComplianceQueries,
  type ContractsInForce,
  type FacilitiesQuery,
  type OverviewQuery,
  type SitesQuery,
  type TrendRange,
  type ViolationsQuery,
} from './compliance-queries';
export {
  complianceRoutes,
  type ComplianceRoute,
  type ComplianceRoutesOptions,
} from './compliance-routes';
export type { ViolationCursor } from './violation-cursor';
export {
  connectComplianceStore,
  DATABASE_DEFAULTS,
  databaseSettingsFromEnvironment,
  rdsIamAuthToken,
  type AuthTokenProvider,
  type DatabaseSettings,
} from './rds-proxy';
// The error a route throws for a bad parameter (HTTP 400), so that a server of the routes needs
// no other package to recognise it.
export { BadRequestError } from '@uns-mlops/edge-common/src/http-server';
export type { ViolationDescription } from './violation-description';
