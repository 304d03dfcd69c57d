import { checkConfigurationUpdates, type ValidationLogger } from './greengrass-configuration';
import { ConfigError } from './layered-config';

/** Something that runs until asked to stop. */
export interface Stoppable {
  stop(): Promise<void>;
}

/** The logging this module needs (pino's `Logger` fits). */
export interface LifecycleLogger {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/**
 * A repeat of the signal within this time is the same Ctrl+C delivered twice (to the terminal's
 * process group and again by a wrapper such as npm or tsx that relays it), not a request to force
 * the exit.
 */
const REPEATED_SIGNAL_MS = 1000;

/**
 * Resolves once `service` has stopped after SIGINT or SIGTERM. The same signal again while stopping,
 * a second or more later, ends the process at once (exit 130); a failing stop is logged and still
 * resolves.
 */
export function stopOnSignal(service: Stoppable, logger: LifecycleLogger): Promise<void> {
  return new Promise<void>((resolve) => {
    const shutdown = (signal: NodeJS.Signals) => {
      process.removeListener('SIGINT', shutdown);
      process.removeListener('SIGTERM', shutdown);
      logger.info({ signal }, 'stopping');
      const stoppingSince = Date.now();
      process.on(signal, () => {
        if (Date.now() - stoppingSince > REPEATED_SIGNAL_MS) process.exit(130);
      });
      service.stop().then(resolve, (error: unknown) => {
        logger.error({ err: error }, 'unclean stop');
        resolve();
      });
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
}

/**
 * Serves until SIGINT or SIGTERM (see {@link stopOnSignal}); on a Greengrass core meanwhile has the
 * nucleus check every deployment's configuration update with `checkUpdate` before applying it
 * (see `checkConfigurationUpdates`).
 */
export async function serveUntilStopped(
  service: Stoppable,
  logger: LifecycleLogger & ValidationLogger,
  checkUpdate: (configuration: Record<string, unknown>) => readonly string[],
): Promise<void> {
  const checks = await checkConfigurationUpdates(checkUpdate, logger);
  await stopOnSignal(
    {
      stop: async () => {
        await checks?.close();
        await service.stop();
      },
    },
    logger,
  );
}

/**
 * Runs a command-line `main` and sets the exit code: its result, or 2 when it throws (a
 * configuration error prints its list of problems, anything else its message). A failure ends
 * the process at once, also when connections or timers opened before it would keep it alive: a
 * component that cannot start must stop, loudly, so that its supervisor (Greengrass, systemd)
 * sees it and restarts it or reports it broken.
 */
export function runMain(main: (argv: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      const message =
        error instanceof ConfigError || error instanceof Error ? error.message : String(error);
      process.stderr.write(`${message}\n`);
      process.exit(2);
    },
  );
}
