import {
  type DatabaseSettings,
  databaseSettingsFromEnvironment,
} from '@uns-mlops/validation-store';

/** The service name of the function's logs, metrics and traces. */
export const SERVICE_NAME = 'validation-ingest';

/** What the function reads from its environment, after defaults. */
export interface IngestConfig {
  /** CloudWatch namespace of the metrics. */
  readonly namespace: string;
  /** Name of the record header that carries the original MQTT topic (set by the bridge). */
  readonly mqttTopicHeader: string;
  /** First level of the validator's quarantine copies (`enforcement.quarantinePrefix`). */
  readonly quarantinePrefix: string;
  readonly database: DatabaseSettings;
}

/**
 * The configuration of everything but the database when no variable is set (the database's are
 * validation-store's `DATABASE_DEFAULTS`).
 */
export const DEFAULTS = {
  namespace: 'UnsMlops/Compliance',
  mqttTopicHeader: 'uns-topic',
  quarantinePrefix: '_quarantine',
} as const;

/**
 * Reads `DB_HOST`, `DB_USER` (required), `DB_PORT`, `DB_NAME`, `METRICS_NAMESPACE`,
 * `HEADER_MQTT_TOPIC` and `QUARANTINE_PREFIX`; an unset or empty optional variable takes its
 * default from {@link DEFAULTS}.
 *
 * @throws Error listing every problem at once.
 */
export function configFromEnvironment(env: NodeJS.ProcessEnv): IngestConfig {
  const problems: string[] = [];
  const database = databaseSettingsFromEnvironment(env, problems);
  if (problems.length > 0) {
    throw new Error(`${SERVICE_NAME}: ${problems.join('; ')}`);
  }
  return {
    namespace: env.METRICS_NAMESPACE || DEFAULTS.namespace,
    mqttTopicHeader: env.HEADER_MQTT_TOPIC || DEFAULTS.mqttTopicHeader,
    quarantinePrefix: env.QUARANTINE_PREFIX || DEFAULTS.quarantinePrefix,
    database,
  };
}
