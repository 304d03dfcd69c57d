import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { waitUntil } from './wait';

/** How much of a service's output is kept for error messages. */
const LOG_TAIL_BYTES = 8192;

/** What {@link launchService} starts and how it knows that the service works. */
export interface ServiceLaunch {
  /** The service's name in error messages, e.g. `PostgreSQL on 127.0.0.1:5433`. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  /** The whole environment of the process (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
  /** Called with each line the service prints, e.g. to learn the address it logs. */
  readonly onLine?: (line: string) => void;
  /**
   * One attempt at real work with the service (a query, a protocol handshake); it throws while
   * the service cannot do it yet. Each attempt must end by itself (give its client a timeout).
   */
  readonly ready: () => Promise<void>;
  /** The deadline for the service to become ready: generous, for a loaded machine. */
  readonly timeoutMs: number;
}

/**
 * Spawns a service and resolves with its process once `ready` succeeds. Rejects, with the tail of
 * the service's output, when the process exits first or the deadline passes (it is then stopped).
 */
export async function launchService(launch: ServiceLaunch): Promise<ChildProcess> {
  const child = spawn(launch.command, [...launch.args], {
    cwd: launch.cwd,
    env: launch.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // Kept apart from the tail, which a JVM's shutdown log pushes it out of: onFreePorts reads it
  // to start again on other ports.
  let portTaken = '';
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-LOG_TAIL_BYTES);
    });
    createInterface({ input: stream }).on('line', (line) => {
      if (portTaken === '' && /address already in use/i.test(line)) portTaken = ` (${line})`;
      launch.onLine?.(line);
    });
  }
  let exited: string | undefined;
  const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
    exited = signal === null ? `code ${String(code)}` : signal;
  };
  const onError = (error: Error) => {
    exited = error.message;
  };
  // 'close', not 'exit': by then the output is read to its end.
  child.once('close', onExit);
  child.once('error', onError);
  try {
    await waitUntil(
      async () => {
        if (exited !== undefined) return true;
        await launch.ready();
        return true;
      },
      launch.timeoutMs,
      `${launch.name} ready`,
    );
  } catch (error) {
    await terminate(child);
    throw new Error(`${(error as Error).message}; its log ends:\n${output}`, { cause: error });
  } finally {
    child.off('close', onExit);
    child.off('error', onError);
  }
  if (exited !== undefined) {
    throw new Error(
      `${launch.name} exited (${exited}) before it was ready${portTaken}; its log ends:\n${output}`,
    );
  }
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
