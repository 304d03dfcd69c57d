export * from './compliance-store';
export * from './compliance-store-props';
export * from './compliance-ingest';
export * from './compliance-ingest-props';
export * from './validation-summaries-delivery';
export {
  COMPLIANCE_STORE_USERS,
  type ComplianceStoreUser,
  INGEST_TABLES,
  isComplianceStoreUser,
} from './database-users';
export { complianceStoreSettingsProblems } from './validate-props';
export { MIGRATIONS_DIR, migrationsVersion } from './schema-version';
