import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { createTestCertificates, type TestCertificates } from './certificates';
import { freePort, waitForPort } from './ports';

/** A running Mosquitto broker of the test's own, on a loopback port. */
export interface MosquittoBroker {
  readonly port: number;
  /** `mqtt://127.0.0.1:<port>`, or `mqtts://localhost:<port>` with TLS. */
  readonly url: string;
  /** With TLS: the PEM files of the test CA, and of a client certificate the broker accepts. */
  readonly tls?: TestCertificates;
  /** Stops the broker (SIGTERM, then SIGKILL after 3 s). */
  stop(): Promise<void>;
  /** Stops and starts the broker again on the same port (clients see a broker restart). */
  restart(): Promise<void>;
}

const MOSQUITTO = process.env.MOSQUITTO_BIN ?? '/usr/sbin/mosquitto';

/** How a test broker authenticates clients. */
export interface MosquittoOptions {
  port?: number;
  /** Only these users, by password (`mosquitto_passwd`); anonymous clients are refused. */
  users?: Record<string, string>;
  /** TLS only, and a client certificate signed by the test CA is required. */
  clientCertificates?: boolean;
  /**
   * Keep sessions and queued messages across {@link MosquittoBroker.restart} (written to the
   * broker's directory on shutdown), as a production broker does; default off.
   */
  persistence?: boolean;
}

/**
 * Starts Eclipse Mosquitto (Debian's `mosquitto` package) on 127.0.0.1 and a free port, with
 * anonymous access unless users or client certificates are asked for, no persistence, and a
 * generous queue so benchmarks measure throughput, not drops. In flight per client: 10,000, the
 * bridge's receive maximum (it holds PUBACKs until Kafka acknowledges; 1,000 capped it at 1,000
 * messages per Kafka round trip). Unbounded, Mosquitto 2.0.11 ignored the receive maximum.
 */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<MosquittoBroker> {
  const port = options.port ?? (await freePort());
  const directory = mkdtempSync(join(tmpdir(), 'mosquitto-'));
  // Started as root, Mosquitto drops to its own user, which must still read these files (and
  // write its persistence file there).
  chmodSync(directory, 0o755);
  if (options.persistence === true && userInfo().uid === 0)
    execFileSync('chown', ['mosquitto', directory]);
  const configFile = join(directory, 'mosquitto.conf');
  const authentication: string[] = [];
  if (options.users !== undefined) {
    const passwordFile = join(directory, 'passwords');
    writeFileSync(passwordFile, '');
    for (const [user, password] of Object.entries(options.users)) {
      execFileSync('mosquitto_passwd', ['-b', passwordFile, user, password]);
    }
    chmodSync(passwordFile, 0o644);
    authentication.push('allow_anonymous false', `password_file ${passwordFile}`);
  }
  const tls = options.clientCertificates === true ? createTestCertificates(directory) : undefined;
  if (tls !== undefined) {
    authentication.push(
      `cafile ${tls.caFile}`,
      `certfile ${tls.serverCertFile}`,
      `keyfile ${tls.serverKeyFile}`,
      'require_certificate true',
      'use_identity_as_username true',
    );
  }
  if (authentication.length === 0) authentication.push('allow_anonymous true');
  writeFileSync(
    configFile,
    [
      `listener ${port} 127.0.0.1`,
      ...authentication,
      ...(options.persistence === true
        ? ['persistence true', `persistence_location ${directory}/`]
        : ['persistence false']),
      'max_queued_messages 1000000',
      'max_inflight_messages 10000',
      'set_tcp_nodelay true',
      'log_dest stderr',
      'log_type error',
      '',
    ].join('\n'),
  );
  let process: ChildProcess = await launch(configFile, port);
  const broker: MosquittoBroker = {
    port,
    url: tls === undefined ? `mqtt://127.0.0.1:${port}` : `mqtts://localhost:${port}`,
    tls,
    stop: () => terminate(process),
    restart: async () => {
      await terminate(process);
      process = await launch(configFile, port);
    },
  };
  return broker;
}

async function launch(configFile: string, port: number): Promise<ChildProcess> {
  const child = spawn(MOSQUITTO, ['-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => {
      reject(new Error(`mosquitto exited (${code}): ${stderr}`));
    }),
  );
  await Promise.race([waitForPort(port), exited]);
  child.removeAllListeners('exit');
  return child;
}

/** Stops a child process: SIGTERM, then SIGKILL after `graceMs`. */
export async function terminate(child: ChildProcess, graceMs = 3_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
