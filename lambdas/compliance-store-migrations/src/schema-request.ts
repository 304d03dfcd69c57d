import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import type { DatabaseUsers } from './database-users';

/** CloudFormation type of the custom resource this function serves. */
export const SCHEMA_RESOURCE_TYPE = 'Custom::ComplianceStoreSchema';

/** The custom resource's properties, as CloudFormation passes them (strings). */
export interface SchemaProperties {
  /** ARN of the master secret (JSON with `username` and `password`). */
  readonly secretArn: string;
  /** The DB instance's endpoint address (the proxy requires IAM authentication). */
  readonly host: string;
  readonly port: number;
  readonly database: string;
  /** Changes whenever a migration file changes, so that CloudFormation sends an Update. */
  readonly schemaVersion: string;
  /**
   * The functions' database users (`WriterUser`, `WriterTables`, `ReaderUser`): a change of any
   * of them is an Update too.
   */
  readonly users: DatabaseUsers;
}

/** A request this function cannot serve: a wrong template, not a database problem. */
export class SchemaRequestError extends Error {}

/** The properties of a Create or Update request, checked; a missing or bad one throws. */
export function schemaProperties(event: CloudFormationCustomResourceEvent): SchemaProperties {
  const properties = event.ResourceProperties as Record<string, unknown>;
  const text = (name: string): string => {
    const value = properties[name];
    if (typeof value !== 'string' || value === '')
      throw new SchemaRequestError(`${SCHEMA_RESOURCE_TYPE}: property ${name} is missing or empty`);
    return value;
  };
  const tables = properties.WriterTables;
  if (!Array.isArray(tables) || !tables.every((table) => typeof table === 'string'))
    throw new SchemaRequestError(
      `${SCHEMA_RESOURCE_TYPE}: property WriterTables must be a list of table names`,
    );
  const port = Number(text('Port'));
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    throw new SchemaRequestError(`${SCHEMA_RESOURCE_TYPE}: property Port must be 1-65535`);
  return {
    secretArn: text('SecretArn'),
    host: text('Host'),
    port,
    database: text('Database'),
    schemaVersion: text('SchemaVersion'),
    users: {
      writer: { name: text('WriterUser'), tables },
      reader: { name: text('ReaderUser') },
    },
  };
}
