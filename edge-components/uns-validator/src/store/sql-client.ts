/**
 * The validator's SQL engines: PGlite (embedded PostgreSQL in WASM, at the edge) here, and
 * PostgreSQL through `@uns-mlops/validation-store`, which holds the SQL client interface the store
 * is written against.
 */
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { SqlClient, SqlExecutor, SqlRow } from '@uns-mlops/validation-store';

export {
  connectPostgres,
  type SqlClient,
  type SqlExecutor,
  type SqlRow,
} from '@uns-mlops/validation-store';

/**
 * Opens PGlite persisted in `dataDir` (created when missing), or in memory without one.
 * PGlite is a single connection, so its transactions are serialized by PGlite itself.
 */
export async function connectPglite(dataDir?: string): Promise<SqlClient> {
  const db = await PGlite.create(dataDir);
  const executor = (target: PGlite | Transaction): SqlExecutor => ({
    query: async (sql, params) => (await target.query<SqlRow>(sql, params ? [...params] : [])).rows,
    exec: async (script) => {
      await target.exec(script);
    },
  });
  return {
    ...executor(db),
    transaction: (work) => db.transaction((tx) => work(executor(tx))),
    close: () => db.close(),
  };
}
