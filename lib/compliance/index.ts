export * from './compliance-store';
export * from './compliance-store-props';
export { complianceStoreSettingsProblems } from './validate-props';
export { MIGRATIONS_DIR, migrationsVersion } from './schema-version';
