import {
  type DatabaseSettings,
  databaseSettingsFromEnvironment,
} from '@uns-mlops/validation-store';

/** The service name of the function's logs, metrics and traces. */
export const SERVICE_NAME = 'compliance-api';

/** What the function reads from its environment, after defaults. */
export interface ApiConfig {
  /** CloudWatch namespace of the metrics. */
  readonly namespace: string;
  readonly database: DatabaseSettings;
}

/** The configuration of everything but the database host when no variable is set. */
export const DEFAULTS = {
  namespace: 'UnsMlops/Compliance',
  /** The read-only role the migration function creates for this function. */
  databaseUser: 'compliance_reader',
} as const;

/**
 * Reads `DB_HOST` (required), `DB_PORT`, `DB_NAME`, `DB_USER` and `METRICS_NAMESPACE`; an unset or
 * empty optional variable takes its default from {@link DEFAULTS} (the database's from
 * validation-store's `DATABASE_DEFAULTS`).
 *
 * @throws Error listing every problem at once.
 */
export function configFromEnvironment(env: NodeJS.ProcessEnv): ApiConfig {
  const problems: string[] = [];
  const database = databaseSettingsFromEnvironment(env, problems, DEFAULTS.databaseUser);
  if (problems.length > 0) {
    throw new Error(`${SERVICE_NAME}: ${problems.join('; ')}`);
  }
  return { namespace: env.METRICS_NAMESPACE || DEFAULTS.namespace, database };
}
