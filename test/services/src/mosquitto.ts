import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './ports';

/** A running Mosquitto broker of the test's own, on a loopback port. */
export interface MosquittoBroker {
  readonly port: number;
  /** `mqtt://127.0.0.1:<port>` */
  readonly url: string;
  /** Stops the broker (SIGTERM, then SIGKILL after 3 s). */
  stop(): Promise<void>;
  /** Stops and starts the broker again on the same port (clients see a broker restart). */
  restart(): Promise<void>;
}

const MOSQUITTO = process.env.MOSQUITTO_BIN ?? '/usr/sbin/mosquitto';

/**
 * Starts Eclipse Mosquitto (Debian's `mosquitto` package) with anonymous access on 127.0.0.1 and
 * a free port, no persistence, and a generous queue so benchmarks measure throughput, not drops.
 */
export async function startMosquitto(options: { port?: number } = {}): Promise<MosquittoBroker> {
  const port = options.port ?? (await freePort());
  const directory = mkdtempSync(join(tmpdir(), 'mosquitto-'));
  const configFile = join(directory, 'mosquitto.conf');
  writeFileSync(
    configFile,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      'max_queued_messages 100000',
      'max_inflight_messages 0',
      'set_tcp_nodelay true',
      'log_dest none',
      '',
    ].join('\n'),
  );
  let process: ChildProcess = await launch(configFile, port);
  const broker: MosquittoBroker = {
    port,
    url: `mqtt://127.0.0.1:${port}`,
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

export async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}
