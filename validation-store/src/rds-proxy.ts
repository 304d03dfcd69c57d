/**
 * The compliance store on Amazon RDS, as the cloud's functions reach it: through its RDS Proxy,
 * with IAM database authentication and TLS verified.
 */
import { Signer } from '@aws-sdk/rds-signer';
import { connectPostgres, type SqlClient } from './sql-client';

/** Where the compliance store is: the RDS Proxy endpoint and the database user of the function. */
export interface DatabaseSettings {
  /** RDS Proxy endpoint (host name); the IAM authentication token is signed for it. */
  readonly host: string;
  readonly port: number;
  readonly database: string;
  /** Database user the function logs in as with IAM authentication (`rds_iam` granted). */
  readonly user: string;
}

/** The database port and name when `DB_PORT` and `DB_NAME` are unset: the proxy's and the store's. */
export const DATABASE_DEFAULTS = { port: 5432, database: 'uns_validation' } as const;

/**
 * Reads `DB_HOST` (required), `DB_PORT`, `DB_NAME` and `DB_USER` (required unless `defaultUser`
 * is given); an unset or empty optional variable takes its default. Problems are appended to
 * `problems` (the caller reports them with its own), and the settings returned are then unusable.
 */
export function databaseSettingsFromEnvironment(
  env: NodeJS.ProcessEnv,
  problems: string[],
  defaultUser?: string,
): DatabaseSettings {
  const required = (name: string, fallback?: string): string => {
    const value = env[name] || fallback;
    if (!value) problems.push(`${name} is not set`);
    return value ?? '';
  };
  const host = required('DB_HOST');
  const user = required('DB_USER', defaultUser);
  const portText = env.DB_PORT;
  const port = portText ? Number(portText) : DATABASE_DEFAULTS.port;
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    problems.push(`DB_PORT ${JSON.stringify(portText)} is not a TCP port`);
  }
  return { host, port, user, database: env.DB_NAME || DATABASE_DEFAULTS.database };
}

/** A fresh IAM authentication token (valid 15 minutes) for the function's database user. */
export type AuthTokenProvider = () => Promise<string>;

/**
 * The compliance store through its RDS Proxy: IAM authentication, with a new token for every new
 * connection (node-postgres asks `password` each time it opens one, so a pool outliving a token
 * keeps working), and TLS verified against the RDS certificate bundle the Node.js runtime carries
 * (the function sets `NODE_EXTRA_CA_CERTS=/var/runtime/ca-cert.pem`). One invocation at a time
 * needs one connection; the pool opens it at the first use and keeps it between invocations
 * (the proxy multiplexes them onto the database's own).
 */
export function connectComplianceStore(
  settings: DatabaseSettings,
  authToken: AuthTokenProvider,
): SqlClient {
  return connectPostgres({
    host: settings.host,
    port: settings.port,
    database: settings.database,
    user: settings.user,
    password: authToken,
    ssl: { rejectUnauthorized: true },
    max: 1,
    connectionTimeoutMillis: 10_000,
  });
}

/** Tokens from `@aws-sdk/rds-signer` (credentials and region of the function's execution role). */
export function rdsIamAuthToken(settings: DatabaseSettings): AuthTokenProvider {
  const signer = new Signer({
    hostname: settings.host,
    port: settings.port,
    username: settings.user,
  });
  return () => signer.getAuthToken();
}
