import type { Logger } from '@aws-lambda-powertools/logger';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { applyMigrations, connectPostgres, type Migration } from '@uns-mlops/validation-store';
import type {
  CloudFormationCustomResourceEvent,
  CloudFormationCustomResourceResponse,
} from 'aws-lambda';
import type { ConnectionOptions } from 'node:tls';
import { applyDatabaseUsers } from './database-users';
import { readMasterSecret } from './master-secret';
import { schemaProperties } from './schema-request';

/** What the handler needs besides the event. */
export interface SchemaHandlerDependencies {
  readonly secrets: SecretsManagerClient;
  /** The schema to reach: the validation store's migrations. */
  readonly migrations: readonly Migration[];
  /**
   * TLS to the database. The function verifies the server against the RDS certificate bundle
   * (`NODE_EXTRA_CA_CERTS`); `false` only for a test server without TLS.
   */
  readonly tls: ConnectionOptions | false;
  readonly logger: Pick<Logger, 'info'>;
}

/** The answer the CDK provider framework relays to CloudFormation. */
export type SchemaResponse = Pick<CloudFormationCustomResourceResponse, 'PhysicalResourceId'> & {
  readonly Data?: {
    readonly Applied: string;
    readonly SchemaVersion: string;
    /** The database users created by this request (comma-separated; empty when they existed). */
    readonly UsersCreated: string;
  };
};

/**
 * The custom resource's onEvent handler: Create and Update apply the migrations the database has
 * not recorded yet (all in one transaction, under an advisory lock; none when up to date), then
 * create the functions' database users if missing and set their privileges to exactly what the
 * request declares (see {@link applyDatabaseUsers}); Delete does nothing, the store's data and
 * users outlive the stack. The physical id names the database, so
 * changing it replaces the resource rather than renaming it in place.
 */
export function createSchemaHandler(dependencies: SchemaHandlerDependencies) {
  return async (event: CloudFormationCustomResourceEvent): Promise<SchemaResponse> => {
    if (event.RequestType === 'Delete') {
      dependencies.logger.info('schema left in place on delete', {
        resource: event.LogicalResourceId,
      });
      return { PhysicalResourceId: event.PhysicalResourceId };
    }
    const properties = schemaProperties(event);
    const credentials = await readMasterSecret(dependencies.secrets, properties.secretArn);
    const client = connectPostgres({
      host: properties.host,
      port: properties.port,
      database: properties.database,
      user: credentials.username,
      password: credentials.password,
      ssl: dependencies.tls,
      max: 1,
      connectionTimeoutMillis: 30_000,
    });
    try {
      const applied = await applyMigrations(client, dependencies.migrations);
      const usersCreated = await applyDatabaseUsers(client, properties.users);
      dependencies.logger.info('schema migrated, database users granted', {
        applied,
        schemaVersion: properties.schemaVersion,
        usersCreated,
        writer: properties.users.writer,
        reader: properties.users.reader.name,
      });
      return {
        PhysicalResourceId: `${properties.host}:${properties.port}/${properties.database}`,
        Data: {
          Applied: applied.join(','),
          SchemaVersion: properties.schemaVersion,
          UsersCreated: usersCreated.join(','),
        },
      };
    } finally {
      await client.close();
    }
  };
}
