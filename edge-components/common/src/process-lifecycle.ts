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
 * Resolves once `service` has stopped after SIGINT or SIGTERM. A second signal while stopping
 * ends the process at once (exit 130); a failing stop is logged and still resolves.
 */
export function stopOnSignal(service: Stoppable, logger: LifecycleLogger): Promise<void> {
  return new Promise<void>((resolve) => {
    const shutdown = (signal: NodeJS.Signals) => {
      process.removeListener('SIGINT', shutdown);
      process.removeListener('SIGTERM', shutdown);
      logger.info({ signal }, 'stopping');
      process.once(signal, () => process.exit(130));
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
 * Runs a command-line `main` and sets the exit code: its result, or 2 when it throws (a
 * configuration error prints its list of problems, anything else its message).
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
      process.exitCode = 2;
    },
  );
}
