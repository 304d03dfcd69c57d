/** The service name of the function's logs, metrics and traces. */
export const SERVICE_NAME = 'validation-ingest';

/** Where the compliance store is: the RDS Proxy endpoint and the database user of the function. */
export interface DatabaseSettings {
  /** RDS Proxy endpoint (host name); the IAM authentication token is signed for it. */
  readonly host: string;
  readonly port: number;
  readonly database: string;
  /** Database user the function logs in as with IAM authentication (`rds_iam` granted). */
  readonly user: string;
}

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

/** The configuration of everything but the database when no variable is set. */
export const DEFAULTS = {
  namespace: 'UnsMlops/Compliance',
  mqttTopicHeader: 'uns-topic',
  quarantinePrefix: '_quarantine',
  databasePort: 5432,
  databaseName: 'uns_validation',
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
  const required = (name: string): string => {
    const value = env[name];
    if (!value) problems.push(`${name} is not set`);
    return value ?? '';
  };
  const host = required('DB_HOST');
  const user = required('DB_USER');
  const portText = env.DB_PORT;
  const port = portText ? Number(portText) : DEFAULTS.databasePort;
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    problems.push(`DB_PORT ${JSON.stringify(portText)} is not a TCP port`);
  }
  if (problems.length > 0) {
    throw new Error(`${SERVICE_NAME}: ${problems.join('; ')}`);
  }
  return {
    namespace: env.METRICS_NAMESPACE || DEFAULTS.namespace,
    mqttTopicHeader: env.HEADER_MQTT_TOPIC || DEFAULTS.mqttTopicHeader,
    quarantinePrefix: env.QUARANTINE_PREFIX || DEFAULTS.quarantinePrefix,
    database: { host, port, user, database: env.DB_NAME || DEFAULTS.databaseName },
  };
}
