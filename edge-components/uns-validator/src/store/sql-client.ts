/**
 * A thin adapter over the two SQL engines the store runs on, PGlite (embedded PostgreSQL in WASM,
 * at the edge) and PostgreSQL (node-postgres pool, in the cloud), so that every query is written
 * once. Both speak PostgreSQL's SQL with `$1` parameters; only connection handling differs.
 */
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { Pool, type PoolClient } from 'pg';

/** One result row, column name to value, as the driver decoded it (check before use). */
export type SqlRow = Readonly<Record<string, unknown>>;

/** Runs statements on one connection or transaction. */
export interface SqlExecutor {
  /** Runs one statement with `$1`-style parameters and returns its rows. */
  query(sql: string, params?: readonly unknown[]): Promise<readonly SqlRow[]>;
  /** Runs a script of several statements without parameters (e.g. a migration file). */
  exec(script: string): Promise<void>;
}

/** A database the store can use: statements, transactions, and closing. */
export interface SqlClient extends SqlExecutor {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it rejects. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Releases the connection(s) or closes the embedded database. */
  close(): Promise<void>;
}

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

/** Connects a node-postgres pool to `connectionString` (`postgres://...`). */
export function connectPostgres(connectionString: string): SqlClient {
  const pool = new Pool({ connectionString, max: 4 });
  // An idle client losing its connection must not crash the process; the next query fails and
  // the caller (the flusher) retries it.
  pool.on('error', () => undefined);
  const executor = (target: Pool | PoolClient): SqlExecutor => ({
    query: async (sql, params) => (await target.query<SqlRow>(sql, params ? [...params] : [])).rows,
    exec: async (script) => {
      await target.query(script);
    },
  });
  return {
    ...executor(pool),
    transaction: async (work) => {
      const client = await pool.connect();
      let broken = false;
      // A connection lost while checked out emits 'error' besides failing the query in progress;
      // unhandled, that event would end the process. The failed query is what reports it.
      const lost = () => {
        broken = true;
      };
      client.on('error', lost);
      try {
        await client.query('BEGIN');
        const result = await work(executor(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw error;
      } finally {
        client.off('error', lost);
        // A connection lost, or that cannot even roll back, is destroyed rather than returned.
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}
