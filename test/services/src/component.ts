import { launchService } from './process';

/** An edge component run as a process of its own by {@link runComponent}. */
export interface ComponentProcess {
  /** Where its HTTP server listens, e.g. `http://127.0.0.1:41234`. */
  readonly http: string;
  /** Sends `signal` and resolves with the exit code once the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** How {@link runComponent} starts a component. */
export interface ComponentLaunch {
  /** The component's name in error messages. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  /**
   * The whole environment, configuring the component with HTTP port 0 (the system picks a free
   * one as it binds: a port the test picked could be taken before then) and log level `info`.
   */
  readonly env: NodeJS.ProcessEnv;
  /** The deadline for the component to answer `/ready` with 200 (default 60 s). */
  readonly timeoutMs?: number;
}

/**
 * Spawns an edge component's `main` and resolves once it answers `GET /ready` with 200, at the
 * address it logs on start (every component logs `{"http":"http://<host>:<port>"}` at info
 * level). Rejects with the tail of its log if it exits first or misses the deadline.
 */
export async function runComponent(launch: ComponentLaunch): Promise<ComponentProcess> {
  let http: string | undefined;
  const child = await launchService({
    ...launch,
    onLine: (line) => {
      http ??= loggedAddress(line);
    },
    ready: async () => {
      if (http === undefined) throw new Error('no HTTP address logged yet');
      const response = await fetch(`${http}/ready`, { signal: AbortSignal.timeout(5_000) });
      if (!response.ok) throw new Error(`GET /ready answered ${response.status}`);
    },
    timeoutMs: launch.timeoutMs ?? 60_000,
  });
  return {
    http: http!,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill(signal);
        await exited;
      }
      return child.exitCode;
    },
  };
}

/** The `http` field of a JSON log line, if it has one. */
function loggedAddress(line: string): string | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const { http } = JSON.parse(line) as { http?: unknown };
    return typeof http === 'string' ? http : undefined;
  } catch {
    return undefined;
  }
}
