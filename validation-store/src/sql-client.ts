/**
 * The SQL the validation store runs on, written once for both engines it meets: PGlite (embedded
 * PostgreSQL in WASM, on the edge device; the validator's `connectPglite`) and PostgreSQL
 * (node-postgres, on a server or Amazon RDS; {@link connectPostgres}). Both speak PostgreSQL's SQL
 * with `$1` parameters; only connection handling differs.
 */
import { Pool, type PoolClient, type PoolConfig } from 'pg';

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
 * Connects a node-postgres pool: to a `postgres://...` connection string, or with pool settings
 * (host, port, user, password, database, TLS ...; at most 4 connections unless `max` says).
 */
export function connectPostgres(connection: string | PoolConfig): SqlClient {
  const settings = typeof connection === 'string' ? { connectionString: connection } : connection;
  const pool = new Pool({ max: 4, ...settings });
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
