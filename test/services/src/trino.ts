import { type ChildProcess, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import { makeOnceUnderLock } from './lock-file';
import { freePort, onFreePorts } from './ports';
import { launchService, terminate } from './process';

/**
 * The Trino release the tests run: the newest `trino-server` on Maven Central (Central holds only
 * 352, 356, 368, 470 and 476), the closest there to the Trino that Athena engine v3 tracks.
 */
export const TRINO_VERSION = '476';

const TRINO_DIST = `https://repo1.maven.org/maven2/io/trino/trino-server/${TRINO_VERSION}/trino-server-${TRINO_VERSION}.tar.gz`;
/** How long a process waits for another one that downloads and unpacks the server (821 MB). */
const PREFETCH_TIMEOUT_MS = 30 * 60_000;

/** A client of a Trino server (see {@link trinoAt}): its address, its data folder, its queries. */
export interface TrinoClient {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /**
   * The folder that the `hive` catalog's `local:///` locations resolve in: the data of a table
   * with `external_location = 'local:///raw/uns_telemetry'` is in `<dataDirectory>/raw/uns_telemetry`.
   */
  readonly dataDirectory: string;
  /**
   * Runs one statement (catalog `hive`) and resolves with all its rows once it has finished;
   * rejects with Trino's error message when it fails. With `executionParameters`, the statement's
   * `?` take them in order, as Athena's `ExecutionParameters` do: each is SQL text, so a string
   * is passed quoted (`'plant-a'`); the statement runs as `EXECUTE IMMEDIATE ... USING`. With
   * `schema`, unqualified table names are tables of that schema, as Athena's
   * `QueryExecutionContext.Database` makes them.
   */
  query(
    sql: string,
    executionParameters?: readonly string[],
    session?: { readonly schema?: string },
  ): Promise<TrinoResult>;
}

/** A single-node Trino (coordinator and worker in one JVM) of the test's own, on a loopback port. */
export interface TrinoServer extends TrinoClient {
  readonly port: number;
  /** The JVM's process id, for a process other than the one that started it to stop it. */
  readonly pid: number;
  /** Stops the server (SIGTERM, SIGKILL after 15 s) and deletes its folder. */
  stop(): Promise<void>;
}

/** The answer to {@link TrinoServer.query}. */
export interface TrinoResult {
  readonly queryId: string;
  readonly columns: readonly string[];
  /** The rows as Trino's client protocol encodes them (timestamps and decimals as text), by column name. */
  readonly rows: readonly Record<string, unknown>[];
}

/** Trino 476 needs Java 24 or newer. */
const JAVA_HOME = process.env.TRINO_JAVA_HOME ?? '/usr/lib/jvm/temurin-25-jdk-amd64';
/** The deadline for the JVM start and the first query, for a loaded machine. */
const READY_TIMEOUT_MS = 180_000;
/** The plugins the server loads (each one costs start-up time): the Hive connector only. */
const PLUGINS = ['hive'];
const USER = 'uns-mlops-test';

/**
 * Starts Trino {@link TRINO_VERSION} (see {@link trinoServer}) as a single node on a free
 * 127.0.0.1 port, with a temporary folder of its own, and one catalog, `hive`: the Hive connector
 * on the local file system (`local:///` locations, rooted at {@link TrinoServer.dataDirectory}),
 * its metastore in files there too, writes to external tables allowed, and an INSERT into an
 * existing partition appending to it, as Athena does. Resolves once `/v1/info` reports the server
 * started and a query on the catalog answers. JVM start costs seconds: start one per test file.
 */
export async function startTrino(): Promise<TrinoServer> {
  const java = join(JAVA_HOME, 'bin', 'java');
  if (!existsSync(java)) {
    throw new Error(
      `Trino ${TRINO_VERSION} needs Java 24 or newer: ${java} is missing (set TRINO_JAVA_HOME to a JDK 24+ home)`,
    );
  }
  const server = await trinoServer();
  const directory = mkdtempSync(join(tmpdir(), 'trino-'));
  const dataDirectory = join(directory, 'data');
  const plugins = join(directory, 'plugin');
  for (const folder of [
    dataDirectory,
    plugins,
    join(directory, 'etc', 'catalog'),
    join(directory, 'tmp'),
  ]) {
    mkdirSync(folder, { recursive: true });
  }
  for (const plugin of PLUGINS) symlinkSync(join(server, 'plugin', plugin), join(plugins, plugin));
  writeFileSync(
    join(directory, 'etc', 'catalog', 'hive.properties'),
    [
      'connector.name=hive',
      'hive.metastore=file',
      'hive.metastore.catalog.dir=local:///metastore',
      'fs.native-local.enabled=true',
      `local.location=${dataDirectory}`,
      'hive.non-managed-table-writes-enabled=true',
      'hive.insert-existing-partitions-behavior=APPEND',
      '',
    ].join('\n'),
  );
  try {
    return await onFreePorts(async () => startTrinoOn(await freePort(), java, server, directory));
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }
}

async function startTrinoOn(
  port: number,
  java: string,
  server: string,
  directory: string,
): Promise<TrinoServer> {
  const url = `http://127.0.0.1:${port}`;
  const configFile = join(directory, 'etc', 'config.properties');
  writeFileSync(
    configFile,
    [
      'coordinator=true',
      'node-scheduler.include-coordinator=true',
      `http-server.http.port=${port}`,
      'http-server.log.enabled=false',
      `discovery.uri=${url}`,
      `plugin.dir=${join(directory, 'plugin')}`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = await launchService({
    name: `Trino ${TRINO_VERSION} on ${url}`,
    command: java,
    args: [
      // A small heap and a fast start (C1 JIT only, serial GC): the machine is small and shared.
      '-Xmx2G',
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      '-XX:-UsePerfData',
      '-XX:+ExitOnOutOfMemoryError',
      '-XX:+EnableDynamicAgentLoading',
      '-Djdk.attach.allowAttachSelf=true',
      '-Dfile.encoding=UTF-8',
      `-Djava.io.tmpdir=${join(directory, 'tmp')}`,
      '-Dnode.environment=test',
      '-Dnode.id=test-services',
      '-Dnode.bind-ip=127.0.0.1',
      '-Dnode.internal-address=127.0.0.1',
      `-Dconfig=${configFile}`,
      '-cp',
      join(server, 'lib', '*'),
      'io.trino.server.TrinoServer',
    ],
    cwd: directory,
    ready: async () => {
      const info = (await (
        await fetch(`${url}/v1/info`, { signal: AbortSignal.timeout(5_000) })
      ).json()) as {
        starting: boolean;
      };
      if (info.starting) throw new Error('the server is still starting');
      await runStatement(url, 'SHOW SCHEMAS FROM hive');
    },
    timeoutMs: READY_TIMEOUT_MS,
  });
  return {
    ...trinoAt(url, join(directory, 'data')),
    port,
    pid: child.pid!,
    stop: async () => {
      await terminate(child, 15_000);
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/**
 * A client of the Trino server at `url` whose `hive` catalog's `local:///` locations resolve in
 * `dataDirectory`: a server {@link startTrino} started in another process (a jest worker), shared.
 */
export function trinoAt(url: string, dataDirectory: string): TrinoClient {
  return {
    url,
    dataDirectory,
    query: (sql, executionParameters, session) =>
      runStatement(
        url,
        executionParameters === undefined ? sql : executeImmediate(sql, executionParameters),
        session?.schema,
      ),
  };
}

/**
 * The statement that runs `sql` with its `?` taking `executionParameters` in order (SQL text each,
 * as Athena's `ExecutionParameters`): `EXECUTE IMMEDIATE '<sql>' USING <parameters>`, e.g. to
 * `EXPLAIN` what {@link TrinoServer.query} runs.
 */
export function executeImmediate(sql: string, executionParameters: readonly string[]): string {
  const using = executionParameters.length > 0 ? ` USING ${executionParameters.join(', ')}` : '';
  return `EXECUTE IMMEDIATE '${sql.replaceAll("'", "''")}'${using}`;
}

/** One page of Trino's client protocol (`POST /v1/statement`, then `GET nextUri` until done). */
interface StatementPage {
  readonly id: string;
  readonly nextUri?: string;
  readonly columns?: readonly { readonly name: string }[];
  readonly data?: readonly (readonly unknown[])[];
  readonly error?: { readonly message: string; readonly errorName: string };
}

/**
 * Submits a statement over Trino's REST client protocol and follows `nextUri` to its end,
 * collecting the rows; a failed query rejects with Trino's own message.
 */
async function runStatement(url: string, sql: string, schema?: string): Promise<TrinoResult> {
  let page = await statementPage(`${url}/v1/statement`, { method: 'POST', body: sql }, schema);
  const rows: Record<string, unknown>[] = [];
  let columns: readonly string[] = [];
  for (;;) {
    if (page.error !== undefined) {
      throw new Error(
        `Trino query ${page.id} failed: ${page.error.errorName}: ${page.error.message}`,
      );
    }
    if (page.columns !== undefined) columns = page.columns.map((column) => column.name);
    for (const values of page.data ?? []) {
      rows.push(Object.fromEntries(columns.map((name, index) => [name, values[index]])));
    }
    if (page.nextUri === undefined) return { queryId: page.id, columns, rows };
    page = await statementPage(page.nextUri, { method: 'GET' });
  }
}

async function statementPage(
  url: string,
  init: { method: string; body?: string },
  schema?: string,
): Promise<StatementPage> {
  const answer = await fetch(url, {
    ...init,
    headers: {
      'X-Trino-User': USER,
      'X-Trino-Catalog': 'hive',
      ...(schema === undefined ? {} : { 'X-Trino-Schema': schema }),
      'X-Trino-Source': 'uns-mlops-tests',
    },
    signal: AbortSignal.timeout(60_000),
  });
  if (!answer.ok)
    throw new Error(`${init.method} ${url}: HTTP ${answer.status} ${await answer.text()}`);
  return (await answer.json()) as StatementPage;
}

/**
 * The unpacked `trino-server-476` distribution, downloaded from Maven Central on first use (its
 * `.sha1` checked) and kept under `~/.cache/uns-mlops/` (set `TRINO_SERVER_DIR` to use another).
 * Safe to call from several processes at once: one downloads under a lock file while the others
 * wait for it, so the 821 MB are fetched once; a lock left by a process that died is taken over.
 */
export async function trinoServer(): Promise<string> {
  if (process.env.TRINO_SERVER_DIR !== undefined) return process.env.TRINO_SERVER_DIR;
  const cache = join(homedir(), '.cache', 'uns-mlops');
  const server = join(cache, `trino-server-${TRINO_VERSION}`);
  const lock = `${server}.lock`;
  const complete = () => existsSync(join(server, '.complete'));
  mkdirSync(cache, { recursive: true });
  await makeOnceUnderLock({
    lock,
    isMade: complete,
    make: () => download(cache, server),
    timeoutMs: PREFETCH_TIMEOUT_MS,
    what: `Trino ${TRINO_VERSION} downloaded by the process holding ${lock}`,
  });
  return server;
}

/**
 * Downloads the tarball, checks its SHA-1, unpacks it and renames it into place. Called under the
 * lock, so a staging folder found is what a killed download left: it goes first.
 */
async function download(cache: string, server: string): Promise<void> {
  const stagingPrefix = `trino-server-${TRINO_VERSION}-staging-`;
  for (const leftover of readdirSync(cache).filter((entry) => entry.startsWith(stagingPrefix))) {
    rmSync(join(cache, leftover), { recursive: true, force: true });
  }
  const staging = mkdtempSync(join(cache, stagingPrefix));
  try {
    const expected = (await fetchOk(`${TRINO_DIST}.sha1`).then((answer) => answer.text()))
      .trim()
      .slice(0, 40);
    const tarball = join(staging, 'trino-server.tar.gz');
    const sha1 = createHash('sha1');
    const answer = await fetchOk(TRINO_DIST);
    if (answer.body === null) throw new Error(`${TRINO_DIST} answered without a body`);
    await pipeline(
      // fetch's body is a web stream; DOM's and Node's typings of it differ (workspaces with DOM).
      Readable.fromWeb(answer.body as WebReadableStream<Uint8Array>),
      new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          sha1.update(chunk);
          callback(null, chunk);
        },
      }),
      createWriteStream(tarball),
    );
    const actual = sha1.digest('hex');
    if (actual !== expected) {
      throw new Error(`${TRINO_DIST}: SHA-1 ${actual}, but Maven Central publishes ${expected}`);
    }
    const unpacked = join(staging, 'unpacked');
    mkdirSync(unpacked);
    execFileSync('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1']);
    rmSync(tarball);
    closeSync(openSync(join(unpacked, '.complete'), 'w'));
    renameSync(unpacked, server);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

async function fetchOk(url: string): Promise<Response> {
  const answer = await fetch(url);
  if (!answer.ok) throw new Error(`${url}: HTTP ${answer.status} ${answer.statusText}`);
  return answer;
}
