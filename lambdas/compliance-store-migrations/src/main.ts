import { Logger } from '@aws-lambda-powertools/logger';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { readMigrations } from '@uns-mlops/validation-store';
import { createSchemaHandler } from './migrate';

/**
 * Entry point of `Custom::ComplianceStoreSchema`. The migrations ship beside the bundle
 * (`migrations/`); TLS is verified against the RDS certificate bundle the Node.js runtime carries
 * (the function sets `NODE_EXTRA_CA_CERTS=/var/runtime/ca-cert.pem`).
 */
export const handler = createSchemaHandler({
  secrets: new SecretsManagerClient({}),
  migrations: readMigrations(),
  tls: { rejectUnauthorized: true },
  logger: new Logger({ serviceName: 'compliance-store-migrations' }),
});
