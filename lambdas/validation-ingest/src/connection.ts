import { Signer } from '@aws-sdk/rds-signer';
import { connectPostgres, type SqlClient } from '@uns-mlops/validation-store';
import type { DatabaseSettings } from './config';

/** A fresh IAM authentication token (valid 15 minutes) for the function's database user. */
export type AuthTokenProvider = () => Promise<string>;

/**
 * The compliance store through its RDS Proxy: IAM authentication, with a new token for every new
 * connection (node-postgres asks `password` each time it opens one, so a pool outliving a token
 * keeps working), and TLS verified against the RDS certificate bundle the Node.js runtime carries
 * (the function sets `NODE_EXTRA_CA_CERTS=/var/runtime/ca-cert.pem`). One invocation at a time
 * needs one connection; the pool opens it at the first batch and keeps it between invocations
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
