import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type IClientOptions } from 'mqtt';
import { createTestCertificates, type TestCertificates } from './certificates';
import { freePort, onFreePorts } from './ports';
import { launchService, terminate } from './process';

/** A running Mosquitto broker of the test's own, on a loopback port. */
export interface MosquittoBroker {
  readonly port: number;
  /** `mqtt://127.0.0.1:<port>`, or `mqtts://localhost:<port>` with TLS. */
  readonly url: string;
  /** With TLS: the PEM files of the test CA, and of a client certificate the broker accepts. */
  readonly tls?: TestCertificates;
  /** Stops the broker (SIGTERM, then SIGKILL after 3 s). */
  stop(): Promise<void>;
  /**
   * Stops and starts the broker again on the same port (clients see a broker restart); resolves
   * once it accepts an MQTT connection again.
   */
  restart(): Promise<void>;
  /** Suspends the broker's process (SIGSTOP): it keeps its connections and answers nothing. */
  freeze(): void;
  /** Lets a frozen broker run again (SIGCONT). */
  thaw(): void;
}

const MOSQUITTO = process.env.MOSQUITTO_BIN ?? '/usr/sbin/mosquitto';
/** The deadline for a (re)started broker to accept an MQTT connection, for a loaded machine. */
const READY_TIMEOUT_MS = 30_000;

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
 * Resolves once the broker answers an MQTT CONNECT with a successful CONNACK, logged in as a
 * client it accepts (the first user, or the test client certificate).
 */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<MosquittoBroker> {
  const directory = mkdtempSync(join(tmpdir(), 'mosquitto-'));
  // Started as root, Mosquitto drops to its own user, which must still read these files (and
  // write its persistence file there).
  chmodSync(directory, 0o755);
  if (options.persistence === true && userInfo().uid === 0)
    execFileSync('chown', ['mosquitto', directory]);
  const authentication: string[] = [];
  /** How the readiness check logs in: as a client the broker accepts. */
  const login: IClientOptions = {};
  if (options.users !== undefined) {
    const passwordFile = join(directory, 'passwords');
    writeFileSync(passwordFile, '');
    for (const [user, password] of Object.entries(options.users)) {
      execFileSync('mosquitto_passwd', ['-b', passwordFile, user, password]);
      login.username ??= user;
      login.password ??= password;
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
    login.ca = readFileSync(tls.caFile);
    login.cert = readFileSync(tls.clientCertFile);
    login.key = readFileSync(tls.clientKeyFile);
  }
  if (authentication.length === 0) authentication.push('allow_anonymous true');

  const configFile = join(directory, 'mosquitto.conf');
  const startOn = async (port: number) => {
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
        'log_type warning',
        'log_type notice',
        '',
      ].join('\n'),
    );
    const url = tls === undefined ? `mqtt://127.0.0.1:${port}` : `mqtts://localhost:${port}`;
    const launch = () =>
      launchService({
        name: `Mosquitto on ${url}`,
        command: MOSQUITTO,
        args: ['-c', configFile],
        ready: () => acceptsConnection(url, login),
        timeoutMs: READY_TIMEOUT_MS,
      });
    let broker = await launch();
    return {
      port,
      url,
      tls,
      stop: () => terminate(broker),
      restart: async () => {
        await terminate(broker);
        broker = await launch();
      },
      freeze: () => broker.kill('SIGSTOP'),
      thaw: () => broker.kill('SIGCONT'),
    };
  };
  return options.port === undefined
    ? onFreePorts(async () => startOn(await freePort()))
    : startOn(options.port);
}

/** One MQTT CONNECT; resolves on a successful CONNACK, throws on anything else. */
async function acceptsConnection(url: string, login: IClientOptions): Promise<void> {
  const client = await connectAsync(
    url,
    {
      ...login,
      clientId: `test-services-ready-${Math.random().toString(16).slice(2)}`,
      reconnectPeriod: 0,
      connectTimeout: 5_000,
    },
    false,
  );
  await client.endAsync();
}
