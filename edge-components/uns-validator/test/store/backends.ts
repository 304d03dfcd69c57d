import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { type PostgresServer, startPostgres } from '@uns-mlops/test-services';
import { connectPglite, connectPostgres, type SqlClient } from '../../src/store/sql-client';
import { openStore, type ValidationStore } from '../../src/store/store';

/** A fresh, empty database of one backend, which a test may open (and reopen) as a store. */
export interface Database {
  open(): Promise<ValidationStore>;
  /**
   * A plain SQL client of the database, for a test to wrap before it builds a store on it (PGlite
   * in memory: a database of its own, as every `open`).
   */
  connect(): Promise<SqlClient>;
  /** Deletes what the database left behind. */
  dispose(): Promise<void>;
}

/** A database of the PostgreSQL cluster, with its connection string. */
export interface PostgresDatabase extends Database {
  readonly databaseUrl: string;
}

/** A kind of database the store runs on. */
export interface Backend {
  readonly name: string;
  /** Whether a reopened store sees what an earlier one wrote. */
  readonly persistent: boolean;
  create(): Promise<Database>;
}

let postgres: Promise<PostgresServer> | undefined;
let databases = 0;
/** An empty PGlite data directory (initdb done once, ~2 s), copied for every test (~0.2 s). */
let pgliteTemplate: Promise<string> | undefined;

/** PGlite in memory, PGlite in a directory, and a real PostgreSQL 15 (one cluster per file). */
export const BACKENDS: readonly Backend[] = [
  {
    name: 'PGlite in memory',
    persistent: false,
    create: () =>
      Promise.resolve({
        open: () => openStore(),
        connect: () => connectPglite(),
        dispose: () => Promise.resolve(),
      }),
  },
  {
    name: 'PGlite in a directory',
    persistent: true,
    create: async () => {
      pgliteTemplate ??= emptyDataDir();
      const dataDir = mkdtempSync(join(tmpdir(), 'uns-store-'));
      cpSync(await pgliteTemplate, dataDir, { recursive: true });
      return {
        open: () => openStore({ dataDir }),
        connect: () => connectPglite(dataDir),
        dispose: () => {
          rmSync(dataDir, { recursive: true, force: true });
          return Promise.resolve();
        },
      };
    },
  },
  {
    name: 'PostgreSQL',
    persistent: true,
    create: createPostgresDatabase,
  },
];

/** A fresh database in the PostgreSQL cluster of the test file (started on first use). */
export async function createPostgresDatabase(): Promise<PostgresDatabase> {
  postgres ??= startPostgres();
  const server = await postgres;
  const name = `store_test_${++databases}`;
  await admin(server, `CREATE DATABASE ${name}`);
  const databaseUrl = server.connectionString.replace(/\/postgres$/, `/${name}`);
  return {
    databaseUrl,
    open: () => openStore({ databaseUrl }),
    connect: () => Promise.resolve(connectPostgres(databaseUrl)),
    dispose: () => admin(server, `DROP DATABASE ${name} WITH (FORCE)`),
  };
}

/** Stops the PostgreSQL cluster and deletes the PGlite template, if tests created them. */
export async function stopBackends(): Promise<void> {
  if (postgres !== undefined) await (await postgres).stop();
  if (pgliteTemplate !== undefined) rmSync(await pgliteTemplate, { recursive: true, force: true });
}

async function emptyDataDir(): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'uns-store-template-'));
  const store = await openStore({ dataDir });
  await store.close();
  return dataDir;
}

async function admin(server: PostgresServer, sql: string): Promise<void> {
  const client = new Client({ connectionString: server.connectionString });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
