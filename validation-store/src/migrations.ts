/**
 * The validation store's schema migrations: the `NNN_name.sql` files of `migrations/`, applied in
 * name order and recorded in `schema_migrations`, forward only. The same files serve the edge
 * (PGlite in the validator) and the cloud (PostgreSQL on Amazon RDS, applied on deploy).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SqlClient } from './sql-client';

/** One migration: its id (the file name without `.sql`) and its SQL script. */
export interface Migration {
  readonly id: string;
  readonly sql: string;
}

/**
 * The directory holding the `.sql` files: `migrations/` beside the running code where a bundle
 * ships it (the validator's Greengrass artifact, the migration function), else the package's own.
 */
export const MIGRATIONS_DIRECTORY =
  [join(__dirname, 'migrations'), join(__dirname, '..', 'migrations')].find((directory) =>
    existsSync(directory),
  ) ?? join(__dirname, '..', 'migrations');

/**
 * Reads the migrations of `directory` (default {@link MIGRATIONS_DIRECTORY}), sorted by file name.
 * A bundle that does not ship the directory passes its own list to `openStore` instead.
 */
export function readMigrations(directory: string = MIGRATIONS_DIRECTORY): Migration[] {
  return readdirSync(directory)
    .filter((file) => file.endsWith('.sql'))
    .map((file) => ({
      id: file.slice(0, -'.sql'.length),
      sql: readFileSync(join(directory, file), 'utf8'),
    }))
    .sort(byId);
}

function byId(a: Migration, b: Migration): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Any constant of our own: serializes concurrent migrators on one PostgreSQL database. */
const MIGRATION_LOCK = 7_243_914_401;

/**
 * Applies the migrations not yet recorded in `schema_migrations`, in order, in one transaction
 * (all or none), under an advisory lock so that validators starting together do not race.
 *
 * @returns the ids applied now (empty when the schema was up to date).
 */
export async function applyMigrations(
  client: SqlClient,
  migrations: readonly Migration[],
): Promise<string[]> {
  return client.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.exec(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         id text PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const rows = await tx.query('SELECT id FROM schema_migrations');
    const applied = new Set(rows.map((row) => row.id));
    const pending = [...migrations].sort(byId).filter((migration) => !applied.has(migration.id));
    for (const migration of pending) {
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (id) VALUES ($1)', [migration.id]);
    }
    return pending.map((migration) => migration.id);
  });
}
