import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { terminate } from './mosquitto';
import { freePort, waitForPort } from './ports';

/** A throw-away PostgreSQL cluster of the test's own. */
export interface PostgresServer {
  readonly port: number;
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust authentication on loopback). */
  readonly connectionString: string;
  stop(): Promise<void>;
}

const BIN = process.env.POSTGRES_BIN_DIR ?? '/usr/lib/postgresql/15/bin';

/**
 * Creates a cluster in a temporary directory with Debian's PostgreSQL (`initdb`, `postgres`) and
 * starts it on a free loopback port. As root, the cluster runs as the `postgres` system user.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const port = await freePort();
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

  const [serverCommand, serverArgs] = run(join(BIN, 'postgres'), [
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
  const child: ChildProcess = spawn(serverCommand, [...serverArgs], { stdio: 'ignore' });
  await waitForPort(port, 20_000);
  return {
    port,
    connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await terminate(child);
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
