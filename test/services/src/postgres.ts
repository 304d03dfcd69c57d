import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { onFreePorts, freePort } from './ports';
import { launchService, terminate } from './process';

/** A throw-away PostgreSQL cluster of the test's own. */
export interface PostgresServer {
  readonly port: number;
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust authentication on loopback). */
  readonly connectionString: string;
  stop(): Promise<void>;
}

/**
 * PostgreSQL's programs: `POSTGRES_BIN_DIR`, else the newest major version installed the Debian or
 * Ubuntu way (`/usr/lib/postgresql/<major>/bin`: 15 on Debian 12, 14 or 16 on the Ubuntu images of
 * CodeBuild).
 */
const BIN = process.env.POSTGRES_BIN_DIR ?? installedPostgresBin();

function installedPostgresBin(): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((entry) => /^\d+$/.test(entry))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  return join(root, majors[0] ?? '15', 'bin');
}
/** Crash recovery and start-up can take long on a loaded machine. */
const READY_TIMEOUT_MS = 60_000;

/**
 * Creates a cluster in a temporary directory with Debian's PostgreSQL (`initdb`, `postgres`),
 * starts it on a free loopback port and resolves once it answers `SELECT 1` (an open port alone
 * may still answer "the database system is starting up"). As root, the cluster runs as the
 * `postgres` system user.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const directory = mkdtempSync(join(tmpdir(), 'pg-'));
  const dataDirectory = join(directory, 'data');
  const asRoot = userInfo().uid === 0;
  if (asRoot) execFileSync('chown', ['-R', 'postgres:postgres', directory]);
  const run = (command: string, args: string[]) =>
    asRoot
      ? (['runuser', ['-u', 'postgres', '--', command, ...args]] as const)
      : ([command, args] as const);

  const [initCommand, initArgs] = run(join(BIN, 'initdb'), [
    '-D',
    dataDirectory,
    '-U',
    'postgres',
    '--auth=trust',
    '--no-sync',
    '-E',
    'UTF8',
  ]);
  execFileSync(initCommand, [...initArgs], { stdio: 'ignore' });

  try {
    return await onFreePorts(async () => {
      const port = await freePort();
      const connectionString = `postgres://postgres@127.0.0.1:${port}/postgres`;
      const [command, args] = run(join(BIN, 'postgres'), [
        '-D',
        dataDirectory,
        '-p',
        String(port),
        '-h',
        '127.0.0.1',
        '-k',
        directory,
        '-c',
        'fsync=off',
      ]);
      const server = await launchService({
        name: `PostgreSQL on 127.0.0.1:${port}`,
        command,
        args,
        ready: () => answersQuery(connectionString),
        timeoutMs: READY_TIMEOUT_MS,
      });
      return {
        port,
        connectionString,
        stop: async () => {
          await terminate(server);
          rmSync(directory, { recursive: true, force: true });
        },
      };
    });
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }
}

/** Connects and runs `SELECT 1`; throws while the server cannot (starting up, not listening). */
async function answersQuery(connectionString: string): Promise<void> {
  const client = new Client({ connectionString, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined); // a failed attempt; the next one reports
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}
