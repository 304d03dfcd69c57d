import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { startPostgres, type PostgresServer } from '@uns-mlops/test-services';
import { connectPostgres, readMigrations } from '@uns-mlops/validation-store';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../src/main';
import { createSchemaHandler } from '../src/migrate';
import { SCHEMA_RESOURCE_TYPE } from '../src/schema-request';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-central-1:111111111111:secret:store-master-AbCdEf';
const secrets = mockClient(SecretsManagerClient);
const logger = { info: jest.fn() };

describe('Custom::ComplianceStoreSchema', () => {
  let server: PostgresServer;

  beforeAll(async () => {
    server = await startPostgres();
    // Plain PostgreSQL has no rds_iam role, which RDS has.
    const setup = connectPostgres(server.connectionString);
    await setup.exec('CREATE ROLE rds_iam');
    await setup.close();
  });
  beforeEach(() => {
    secrets.reset();
    secrets.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({
      SecretString: JSON.stringify({ username: 'postgres', password: 'unused-here' }),
    });
  });
  afterEach(async () => {
    const reset = connectPostgres(server.connectionString);
    await reset.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
    const users = await reset.query(
      "SELECT rolname FROM pg_roles WHERE rolname IN ('validation_ingest', 'compliance_reader')",
    );
    for (const { rolname } of users) {
      await reset.exec(`DROP OWNED BY ${String(rolname)}; DROP ROLE ${String(rolname)};`);
    }
    await reset.close();
  });
  afterAll(async () => {
    await server.stop();
  });

  const request = (
    requestType: 'Create' | 'Update' | 'Delete',
    properties: Record<string, string> = {},
  ): CloudFormationCustomResourceEvent =>
    ({
      RequestType: requestType,
      ResourceType: SCHEMA_RESOURCE_TYPE,
      LogicalResourceId: 'Schema',
      PhysicalResourceId: `127.0.0.1:${server.port}/postgres`,
      ResourceProperties: {
        ServiceToken: 'arn:aws:lambda:eu-central-1:111111111111:function:provider',
        SecretArn: SECRET_ARN,
        Host: '127.0.0.1',
        Port: String(server.port),
        Database: 'postgres',
        SchemaVersion: 'v1',
        WriterUser: 'validation_ingest',
        WriterTables: ['validation_counts'],
        ReaderUser: 'compliance_reader',
        ...properties,
      },
    }) as unknown as CloudFormationCustomResourceEvent;

  const schemaHandler = (migrations = readMigrations()) =>
    createSchemaHandler({ secrets: new SecretsManagerClient({}), migrations, tls: false, logger });

  const tables = async (): Promise<string[]> => {
    const client = connectPostgres(server.connectionString);
    try {
      const rows = await client.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
      );
      return rows.map((row) => String(row.table_name));
    } finally {
      await client.close();
    }
  };

  it('creates the validation store schema with the master secret and names the database', async () => {
    const response = await schemaHandler()(request('Create'));

    expect(response).toEqual({
      PhysicalResourceId: `127.0.0.1:${server.port}/postgres`,
      Data: {
        Applied: readMigrations()
          .map((migration) => migration.id)
          .join(','),
        SchemaVersion: 'v1',
        UsersCreated: 'validation_ingest,compliance_reader',
      },
    });
    // Every table the migrations create, and the migrator's own record of them.
    const created = readMigrations().flatMap((migration) =>
      [...migration.sql.matchAll(/CREATE TABLE (?:IF NOT EXISTS )?(\w+)/g)].map((m) => m[1]!),
    );
    expect(await tables()).toEqual([...created, 'schema_migrations'].sort());
    expect(created).toEqual(expect.arrayContaining(['validation_counts', 'violation_samples']));
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('applies on update only the migrations the database lacks, none when it is up to date', async () => {
    await schemaHandler()(request('Create'));
    const again = await schemaHandler()(request('Update', { SchemaVersion: 'v1' }));
    expect(again.Data).toMatchObject({ Applied: '', UsersCreated: '' });

    const later = [
      ...readMigrations(),
      { id: '900_site_note', sql: 'CREATE TABLE site_notes (site text);' },
    ];
    const upgraded = await schemaHandler(later)(request('Update', { SchemaVersion: 'v2' }));
    expect(upgraded.Data).toEqual({
      Applied: '900_site_note',
      SchemaVersion: 'v2',
      UsersCreated: '',
    });
    expect(await tables()).toContain('site_notes');
  });

  it('leaves the schema and its data in place on delete, without reading the secret', async () => {
    await schemaHandler()(request('Create'));
    secrets.reset();

    const response = await schemaHandler()(request('Delete'));

    expect(response.PhysicalResourceId).toBe(`127.0.0.1:${server.port}/postgres`);
    expect(await tables()).toContain('validation_counts');
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('refuses a request without a property or with a bad port, naming it', async () => {
    await expect(schemaHandler()(request('Create', { Host: '' }))).rejects.toThrow(
      'Custom::ComplianceStoreSchema: property Host is missing or empty',
    );
    await expect(schemaHandler()(request('Create', { Port: '70000' }))).rejects.toThrow(
      'property Port must be 1-65535',
    );
  });

  it('refuses a secret without credentials and never repeats its contents', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: '{"password":"s3cr3t-value"}' });

    const failure = schemaHandler()(request('Create'));

    await expect(failure).rejects.toThrow(`secret ${SECRET_ARN} lacks a username or a password`);
    await expect(failure).rejects.not.toThrow(/s3cr3t-value/);
  });

  it('as deployed, insists on TLS: a server without it is refused and nothing is applied', async () => {
    await expect(handler(request('Create'))).rejects.toThrow(/does not support SSL/);
    expect(await tables()).toEqual([]);
  });
});
