/**
 * The database users functions log in as through the compliance store's RDS Proxy, with IAM
 * authentication end to end (no passwords). The schema custom resource creates them and sets their
 * privileges on every deploy that changes them (`lambdas/compliance-store-migrations`).
 */
export const COMPLIANCE_STORE_USERS = {
  /** The ingestion consumer: SELECT, INSERT and UPDATE on {@link INGEST_TABLES} only. */
  ingest: 'validation_ingest',
  /** The compliance API: SELECT on every table. */
  reader: 'compliance_reader',
} as const;

/** One of {@link COMPLIANCE_STORE_USERS}. */
export type ComplianceStoreUser =
  (typeof COMPLIANCE_STORE_USERS)[keyof typeof COMPLIANCE_STORE_USERS];

/**
 * The tables the ingestion consumer writes (validation-store migrations): every plant's counts,
 * violation samples, the contracts it loaded and the contracts in force.
 */
export const INGEST_TABLES = [
  'contracts',
  'contracts_in_force',
  'validation_counts',
  'violation_samples',
] as const;

/** Whether `user` is one of {@link COMPLIANCE_STORE_USERS}. */
export function isComplianceStoreUser(user: string): user is ComplianceStoreUser {
  return (Object.values(COMPLIANCE_STORE_USERS) as string[]).includes(user);
}
