import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { startPostgres, type PostgresServer } from '@uns-mlops/test-services';
import { connectPostgres, readMigrations, type SqlClient } from '@uns-mlops/validation-store';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { RDS_IAM_ROLE } from '../src/database-users';
import { createSchemaHandler, type SchemaResponse } from '../src/migrate';
import { SCHEMA_RESOURCE_TYPE } from '../src/schema-request';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-central-1:111111111111:secret:store-master-AbCdEf';
/** The master user as on RDS: it owns the database and creates roles, but is no superuser. */
const MASTER = 'uns_admin';
const DATABASE = 'uns_validation';
const WRITER = 'validation_ingest';
const READER = 'compliance_reader';
const WRITER_TABLES = ['contracts', 'contracts_in_force', 'validation_counts', 'violation_samples'];

const secrets = mockClient(SecretsManagerClient);
const logger = { info: jest.fn() };

describe('the database users of Custom::ComplianceStoreSchema', () => {
  let server: PostgresServer;
  /** The cluster's superuser, standing in for RDS itself. */
  let admin: SqlClient;
  const open: SqlClient[] = [];

  beforeAll(async () => {
    server = await startPostgres();
    admin = connectPostgres(server.connectionString);
    // Plain PostgreSQL has no rds_iam; RDS lets its master user grant it.
    await admin.exec(`
      CREATE ROLE ${RDS_IAM_ROLE};
      CREATE ROLE ${MASTER} LOGIN CREATEROLE;
      GRANT ${RDS_IAM_ROLE} TO ${MASTER} WITH ADMIN OPTION;
    `);
  });
  beforeEach(async () => {
    secrets.reset();
    secrets.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({
      SecretString: JSON.stringify({ username: MASTER, password: 'unused-here' }),
    });
    await admin.exec(`CREATE DATABASE ${DATABASE} OWNER ${MASTER}`);
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((client) => client.close()));
    await admin.exec(`DROP DATABASE ${DATABASE} WITH (FORCE)`);
    for (const role of [WRITER, READER]) await admin.exec(`DROP ROLE IF EXISTS ${role}`);
  });
  afterAll(async () => {
    await admin.close();
    await server.stop();
  });

  /** A connection to the store as `user` (the test cluster trusts loopback). */
  const as = (user: string): SqlClient => {
    const client = connectPostgres({
      host: '127.0.0.1',
      port: server.port,
      database: DATABASE,
      user,
      max: 1,
    });
    open.push(client);
    return client;
  };

  const deploy = async (
    properties: Record<string, unknown> = {},
    migrations = readMigrations(),
  ): Promise<SchemaResponse> =>
    createSchemaHandler({
      secrets: new SecretsManagerClient({}),
      migrations,
      tls: false,
      logger,
    })({
      RequestType: 'Update',
      ResourceType: SCHEMA_RESOURCE_TYPE,
      LogicalResourceId: 'Schema',
      PhysicalResourceId: `127.0.0.1:${server.port}/${DATABASE}`,
      ResourceProperties: {
        ServiceToken: 'arn:aws:lambda:eu-central-1:111111111111:function:provider',
        SecretArn: SECRET_ARN,
        Host: '127.0.0.1',
        Port: String(server.port),
        Database: DATABASE,
        SchemaVersion: 'v1',
        WriterUser: WRITER,
        WriterTables: WRITER_TABLES,
        ReaderUser: READER,
        ...properties,
      },
    } as unknown as CloudFormationCustomResourceEvent);

  /** Every privilege and membership of the two users, and the default privileges, as text. */
  const privileges = async (): Promise<string[]> => {
    const rows = await as(MASTER).query(
      `SELECT format('table %s %s %s', grantee, table_name, privilege_type) AS line
         FROM information_schema.role_table_grants WHERE grantee IN ($1, $2)
       UNION ALL
       SELECT format('sequence %s %s', r.rolname, c.relname)
         FROM pg_class c CROSS JOIN pg_roles r
        WHERE c.relkind = 'S' AND r.rolname IN ($1, $2)
          AND has_sequence_privilege(r.rolname, c.oid, 'USAGE')
       UNION ALL
       SELECT format('member %s of %s', u.rolname, g.rolname)
         FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
        WHERE u.rolname IN ($1, $2)
       UNION ALL
       SELECT format('default %s', defaclacl::text) FROM pg_default_acl
       ORDER BY 1`,
      [WRITER, READER],
    );
    return rows.map((row) => String(row.line));
  };

  const denied = /permission denied|must be owner/;

  it('creates both users with LOGIN, IAM authentication and no password, and reports them', async () => {
    const response = await deploy();

    expect(response.Data?.UsersCreated).toBe(`${WRITER},${READER}`);
    // pg_authid (with the password column) is readable by superusers only.
    const roles = await admin.query(
      `SELECT rolname, rolcanlogin, rolsuper, rolcreaterole, rolcreatedb,
              rolpassword IS NULL AS no_password, pg_has_role(rolname, $1, 'MEMBER') AS iam
         FROM pg_authid WHERE rolname IN ($2, $3) ORDER BY rolname`,
      [RDS_IAM_ROLE, WRITER, READER],
    );
    expect(roles).toEqual(
      [READER, WRITER].map((rolname) => ({
        rolname,
        rolcanlogin: true,
        rolsuper: false,
        rolcreaterole: false,
        rolcreatedb: false,
        no_password: true,
        iam: true,
      })),
    );
  });

  it('lets the reader read every table, also one a later migration adds, and write none', async () => {
    await deploy();
    await as(MASTER).exec('CREATE TABLE site_notes (site text)');
    const reader = as(READER);

    for (const table of [...WRITER_TABLES, 'applied_batches', 'schema_migrations', 'site_notes']) {
      await expect(reader.query(`SELECT count(*) FROM ${table}`)).resolves.toHaveLength(1);
    }
    await expect(
      reader.exec(
        `INSERT INTO contracts_in_force (site, published_at, report) VALUES ('zwickau', now(), '{}')`,
      ),
    ).rejects.toThrow(denied);
    await expect(reader.exec('DELETE FROM validation_counts')).rejects.toThrow(denied);
    await expect(reader.exec('UPDATE contracts SET source = source')).rejects.toThrow(denied);
    await expect(reader.exec('CREATE TABLE mine (id int)')).rejects.toThrow(denied);
  });

  it('lets the writer upsert what the ingestion writes, and nothing more', async () => {
    await deploy();
    const writer = as(WRITER);

    await writer.exec(`
      INSERT INTO validation_counts (bucket_start, bucket_seconds, site, area, line, channel,
        contract_version, error_kind, valid_count, invalid_count)
      VALUES ('2025-11-25T08:00:00Z', 60, 'zwickau', '', '', 'telemetry', '1.0.0', '', 5, 0)
      ON CONFLICT (bucket_start, bucket_seconds, site, area, line, channel, contract_version, error_kind)
      DO UPDATE SET valid_count = EXCLUDED.valid_count
        WHERE validation_counts.valid_count IS DISTINCT FROM EXCLUDED.valid_count;
      INSERT INTO violation_samples (received_at, topic, site, channel, contract_version, error_kind,
        error_count, schema_path, payload_path, message, assertion, payload_size, payload_encoding,
        payload_excerpt, sample_id)
      VALUES (now(), 'acme/zwickau/x', 'zwickau', 'telemetry', '1.0.0', 'type', 1, '#', '/', 'm', '',
        2, 'utf8', '{}', '6f1c1a52-9d0e-4f57-8a55-3f0b6c2f6d11')
      ON CONFLICT (sample_id) WHERE sample_id IS NOT NULL DO NOTHING;
      INSERT INTO contracts (site, title, version, source, channels, first_loaded_at, last_loaded_at)
      VALUES ('zwickau', 'UNS welding', '1.0.0', 'file', '{}', now(), now())
      ON CONFLICT (site, title, version) DO UPDATE SET last_loaded_at = EXCLUDED.last_loaded_at;
      INSERT INTO contracts_in_force (site, published_at, report) VALUES ('zwickau', now(), '{}')
      ON CONFLICT (site) DO UPDATE SET report = EXCLUDED.report
        WHERE contracts_in_force.published_at < EXCLUDED.published_at;
    `);
    expect(await writer.query('SELECT valid_count FROM validation_counts')).toEqual([
      { valid_count: '5' },
    ]);

    for (const statement of [
      'DELETE FROM validation_counts',
      'TRUNCATE violation_samples',
      'DROP TABLE contracts',
      'ALTER TABLE validation_counts ADD COLUMN note text',
      'CREATE TABLE mine (id int)',
      'SELECT * FROM schema_migrations',
      'SELECT * FROM applied_batches',
      "INSERT INTO schema_migrations (id) VALUES ('999_forged')",
    ]) {
      await expect(writer.exec(statement)).rejects.toThrow(denied);
    }
  });

  it('changes nothing when deployed again', async () => {
    await deploy();
    const before = await privileges();

    const again = await deploy();

    expect(again.Data).toMatchObject({ Applied: '', UsersCreated: '' });
    expect(await privileges()).toEqual(before);
    expect(before).toEqual(
      expect.arrayContaining([
        `member ${WRITER} of ${RDS_IAM_ROLE}`,
        `member ${READER} of ${RDS_IAM_ROLE}`,
        `table ${WRITER} violation_samples INSERT`,
        `sequence ${WRITER} violation_samples_id_seq`,
        `table ${READER} schema_migrations SELECT`,
      ]),
    );
    expect(before.filter((line) => line.startsWith(`table ${WRITER} `))).toHaveLength(
      WRITER_TABLES.length * 3,
    );
  });

  it('takes back on the next deploy what was granted by hand, and follows the declared tables', async () => {
    await deploy();
    await as(MASTER).exec(`GRANT DELETE, TRUNCATE ON validation_counts TO ${WRITER}`);
    await as(MASTER).exec(`GRANT INSERT ON contracts TO ${READER}`);

    await deploy({ WriterTables: ['validation_counts'] });

    const granted = await privileges();
    expect(granted.filter((line) => line.startsWith(`table ${WRITER} `))).toEqual([
      `table ${WRITER} validation_counts INSERT`,
      `table ${WRITER} validation_counts SELECT`,
      `table ${WRITER} validation_counts UPDATE`,
    ]);
    expect(granted).not.toContain(`table ${READER} contracts INSERT`);
    expect(granted.some((line) => line.startsWith(`sequence ${WRITER} `))).toBe(false);
  });

  it('refuses a table that does not exist or a name that is not a plain identifier, creating nothing', async () => {
    await expect(deploy({ WriterTables: ['validation_counts', 'no_such_table'] })).rejects.toThrow(
      /no_such_table/,
    );
    expect(
      await admin.query('SELECT rolname FROM pg_roles WHERE rolname IN ($1, $2)', [WRITER, READER]),
    ).toEqual([]);

    await expect(deploy({ ReaderUser: 'reader"; DROP TABLE contracts; --' })).rejects.toThrow(
      'not plain PostgreSQL identifiers: reader"; DROP TABLE contracts; --',
    );
    await expect(deploy({ WriterTables: 'validation_counts' })).rejects.toThrow(
      'property WriterTables must be a list of table names',
    );
  });
});
