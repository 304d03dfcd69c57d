import type { SqlClient, SqlExecutor } from '@uns-mlops/validation-store';

/**
 * The least-privilege database users the functions log in as through the RDS Proxy, with IAM
 * authentication (end to end: the proxy logs in to PostgreSQL with an IAM token too, so no user
 * has a password).
 */
export interface DatabaseUsers {
  /** Reads and writes the tables it fills (the ingestion consumer), nothing else. */
  readonly writer: { readonly name: string; readonly tables: readonly string[] };
  /** Reads every table of the schema, now and later (the compliance API). */
  readonly reader: { readonly name: string };
}

/** The role through which RDS for PostgreSQL accepts IAM authentication tokens. */
export const RDS_IAM_ROLE = 'rds_iam';

/** The schema of the validation store's tables. */
const SCHEMA = 'public';

/** Unquoted PostgreSQL identifiers as the store names its roles and tables. */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Creates the writer and reader roles if they are missing (LOGIN, no password, member of
 * `rds_iam`) and sets their privileges to exactly:
 *
 * - writer: USAGE on the schema; SELECT, INSERT and UPDATE on its tables; USAGE on those tables'
 *   sequences. No DELETE, TRUNCATE or DDL (only the owner, the master user, alters or drops).
 * - reader: USAGE on the schema; SELECT on every table, and by default on every table the
 *   master user creates later.
 *
 * Everything else either had is revoked first, in the same transaction, so every deploy leaves
 * the grants the template declares and running it again changes nothing. Run as the master user
 * (the owner of the tables), after the migrations.
 *
 * @returns the roles created now (empty when both existed).
 * @throws Error when a name is not a plain identifier or a table does not exist.
 */
export async function applyDatabaseUsers(
  client: SqlClient,
  users: DatabaseUsers,
): Promise<string[]> {
  const names = [users.writer.name, users.reader.name, ...users.writer.tables];
  const invalid = names.filter((name) => !IDENTIFIER.test(name));
  if (invalid.length > 0) {
    throw new Error(`not plain PostgreSQL identifiers: ${invalid.join(', ')}`);
  }
  if (users.writer.name === users.reader.name) {
    throw new Error(`the writer and the reader must be two roles, not ${users.writer.name}`);
  }
  const writer = quote(users.writer.name);
  const reader = quote(users.reader.name);
  return client.transaction(async (tx) => {
    const created = [];
    for (const name of [users.writer.name, users.reader.name]) {
      if (await ensureLoginRole(tx, name)) created.push(name);
    }
    await tx.exec(`
      REVOKE ALL ON ALL TABLES IN SCHEMA ${SCHEMA} FROM ${writer}, ${reader};
      REVOKE ALL ON ALL SEQUENCES IN SCHEMA ${SCHEMA} FROM ${writer}, ${reader};
      REVOKE CREATE ON SCHEMA ${SCHEMA} FROM ${writer}, ${reader};
      GRANT USAGE ON SCHEMA ${SCHEMA} TO ${writer}, ${reader};
      GRANT SELECT ON ALL TABLES IN SCHEMA ${SCHEMA} TO ${reader};
      ALTER DEFAULT PRIVILEGES IN SCHEMA ${SCHEMA} GRANT SELECT ON TABLES TO ${reader};
    `);
    if (users.writer.tables.length > 0) {
      const tables = users.writer.tables.map((table) => `${SCHEMA}.${quote(table)}`).join(', ');
      await tx.exec(`GRANT SELECT, INSERT, UPDATE ON TABLE ${tables} TO ${writer}`);
      const sequences = await tableSequences(tx, users.writer.tables);
      if (sequences.length > 0) {
        await tx.exec(`GRANT USAGE ON SEQUENCE ${sequences.join(', ')} TO ${writer}`);
      }
    }
    return created;
  });
}

/** Creates `name` (LOGIN, in `rds_iam`) if missing; returns whether it was created now. */
async function ensureLoginRole(tx: SqlExecutor, name: string): Promise<boolean> {
  const existing = await tx.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
  const role = quote(name);
  if (existing.length === 0) await tx.exec(`CREATE ROLE ${role} LOGIN`);
  else await tx.exec(`ALTER ROLE ${role} LOGIN`);
  const member = await tx.query(
    `SELECT 1 FROM pg_auth_members m
       JOIN pg_roles r ON r.oid = m.roleid
       JOIN pg_roles u ON u.oid = m.member
     WHERE r.rolname = $1 AND u.rolname = $2`,
    [RDS_IAM_ROLE, name],
  );
  if (member.length === 0) await tx.exec(`GRANT ${RDS_IAM_ROLE} TO ${role}`);
  return existing.length === 0;
}

/** The sequences behind the serial and identity columns of `tables`, schema-qualified. */
async function tableSequences(tx: SqlExecutor, tables: readonly string[]): Promise<string[]> {
  const rows = await tx.query(
    `SELECT DISTINCT pg_get_serial_sequence(format('%I.%I', table_schema, table_name), column_name) AS sequence
       FROM information_schema.columns
      WHERE table_schema = $1 AND table_name = ANY($2)
        AND pg_get_serial_sequence(format('%I.%I', table_schema, table_name), column_name) IS NOT NULL
      ORDER BY 1`,
    [SCHEMA, tables],
  );
  return rows.map((row) => String(row.sequence));
}

function quote(identifier: string): string {
  return `"${identifier}"`;
}
