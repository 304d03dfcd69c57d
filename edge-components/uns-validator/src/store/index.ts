/** The validator's result store: aggregation of verdicts, periodic flushing, PGlite/PostgreSQL. */
export {
  OVERFLOW,
  VerdictAggregator,
  type AggregatorOptions,
  type MessageContext,
} from './aggregator';
export {
  type BatchIdentity,
  type CountKey,
  type ValidationCount,
  type VerdictBatch,
  type ViolationRecord,
} from './batch';
export { StoreFlusher, type BatchSource, type FlushReport, type FlusherOptions } from './flusher';
export { RetentionPruner, type PruneReport, type RetentionOptions } from './retention';
export { type SqlExecutor, type SqlRow } from './sql-client';
export { MIGRATIONS_DIRECTORY, readMigrations, type Migration } from '@uns-mlops/validation-store';
export {
  openStore,
  type ComplianceQuery,
  type ComplianceRow,
  type ContractRecord,
  type PruneResult,
  type StoreOptions,
  type ValidationStore,
  type ViolationQuery,
  type ViolationSample,
} from './store';
