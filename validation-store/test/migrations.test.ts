import { startPostgres, type PostgresServer } from '@uns-mlops/test-services';
import {
  applyMigrations,
  connectPostgres,
  MIGRATIONS_DIRECTORY,
  readMigrations,
  type SqlClient,
} from '../src/index';

describe('the validation store schema on PostgreSQL', () => {
  let server: PostgresServer;
  const clients: SqlClient[] = [];
  const connect = (): SqlClient => {
    const client = connectPostgres(server.connectionString);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    server = await startPostgres();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    const reset = connectPostgres(server.connectionString);
    await reset.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
    await reset.close();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('reads the migrations of the package in name order', () => {
    const ids = readMigrations().map((migration) => migration.id);
    expect(MIGRATIONS_DIRECTORY).toMatch(/validation-store[/\\]migrations$/);
    expect(ids).toEqual([...ids].sort());
    expect(ids.slice(0, 3)).toEqual([
      '001_validation_results',
      '002_contracts',
      '003_applied_batches',
    ]);
  });

  it('creates the tables on an empty database, then applies nothing when run again', async () => {
    const client = connect();
    const migrations = readMigrations();

    expect(await applyMigrations(client, migrations)).toEqual(migrations.map((m) => m.id));
    expect(await applyMigrations(client, migrations)).toEqual([]);

    const tables = await client.query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    );
    expect(tables.map((row) => row.table_name)).toEqual([
      'applied_batches',
      'contracts',
      'contracts_in_force',
      'schema_migrations',
      'validation_counts',
      'validation_counts_daily',
      'validation_counts_hourly',
      'validation_site_counts_5m',
      'validation_site_counts_hourly',
      'violation_samples',
    ]);
  });

  it('applies each migration once when several deployments or validators start together', async () => {
    const migrations = readMigrations();
    const applied = await Promise.all(
      [connect(), connect(), connect()].map((c) => applyMigrations(c, migrations)),
    );

    expect(applied.flat().sort()).toEqual(migrations.map((m) => m.id));
    const recorded = await connect().query('SELECT count(*)::int AS n FROM schema_migrations');
    expect(recorded[0]?.n).toBe(migrations.length);
  });

  it('applies only the new migration of a later release, and all or nothing of a failing one', async () => {
    const client = connect();
    const released = readMigrations();
    await applyMigrations(client, released);
    const later = {
      id: '999_site_label',
      sql: 'ALTER TABLE contracts ADD COLUMN site_label text;',
    };
    const broken = {
      id: '999_broken',
      sql: 'CREATE TABLE half_done (x int); SELECT no_such_column;',
    };

    await expect(applyMigrations(client, [...released, broken])).rejects.toThrow(/no_such_column/);
    const halfDone = await client.query("SELECT to_regclass('half_done') AS relation");
    expect(halfDone[0]?.relation).toBeNull();

    expect(await applyMigrations(client, [...released, later])).toEqual(['999_site_label']);
  });
});
