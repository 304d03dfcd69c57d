/**
 * Configuration updates checked before a Greengrass deployment applies them. The nucleus marks a
 * component RUNNING as soon as its Run script starts, so a component that refuses its new
 * configuration when it restarts would still let the deployment succeed and then go BROKEN. Over
 * Greengrass IPC (`SubscribeToValidateConfigurationUpdates`), the nucleus instead asks the running
 * component about each update first; a rejected update fails the deployment with the component's
 * reason and changes nothing on the device.
 */
import { ConfigError } from './layered-config';

/** The logging this module needs (pino's `Logger` fits). */
export interface ValidationLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** Checks updates until {@link close}. */
export interface ConfigurationUpdateChecks {
  close(): Promise<void>;
}

/**
 * Whether this process runs as a Greengrass component: the nucleus gives each component the path
 * of its IPC socket and a token (`SVCUID`).
 */
export function onGreengrass(env: NodeJS.ProcessEnv = process.env): boolean {
  return (
    (env.AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT ?? '') !== '' &&
    (env.SVCUID ?? '') !== ''
  );
}

/**
 * The problems `load` finds: the list of a {@link ConfigError}, the message of any other failure,
 * none when it returns.
 */
export function configurationProblems(load: () => unknown): readonly string[] {
  try {
    load();
    return [];
  } catch (error) {
    return error instanceof ConfigError ? error.problems : [(error as Error).message];
  }
}

/**
 * The check of a deployment's configuration for a component whose recipe hands it its
 * `settings` in the environment variable `jsonVariable` (`Setenv: {X}: '{configuration:/settings}'`):
 * the proposed settings take that variable's place and the component's own `load` judges them,
 * with everything else (file, other variables) as it will be when the component restarts.
 */
export function settingsCheck(
  jsonVariable: string,
  load: (env: NodeJS.ProcessEnv) => unknown,
): (configuration: Record<string, unknown>) => readonly string[] {
  return (configuration) =>
    configurationProblems(() =>
      load({ ...process.env, [jsonVariable]: JSON.stringify(configuration.settings ?? {}) }),
    );
}

/**
 * On a Greengrass core, has the nucleus ask this component about every configuration update of a
 * deployment before applying it: `problemsOf` gets the component's whole proposed configuration
 * (the recipe's `ComponentConfiguration` with the update merged in) and returns what is wrong with
 * it; an update with problems is rejected with them as the reason. Off Greengrass it does nothing
 * and returns undefined.
 *
 * A lost IPC connection is logged; the nucleus restarts its components when it restarts itself,
 * and a restarted component subscribes again.
 */
export async function checkConfigurationUpdates(
  problemsOf: (configuration: Record<string, unknown>) => readonly string[],
  logger: ValidationLogger,
): Promise<ConfigurationUpdateChecks | undefined> {
  if (!onGreengrass()) return undefined;
  // Loaded here only: the SDK loads the AWS Common Runtime's native library.
  const { greengrasscoreipc } = await import('aws-iot-device-sdk-v2');
  const client = greengrasscoreipc.createClient();
  client.on('disconnection', (error) => {
    logger.error(
      { err: error },
      'Greengrass IPC connection lost: configuration updates go unchecked',
    );
  });
  await client.connect();
  const updates = client.subscribeToValidateConfigurationUpdates({});
  updates.on('message', (message) => {
    const event = message.validateConfigurationUpdateEvent;
    if (event === undefined) return;
    const problems = problemsOf((event.configuration ?? {}) as Record<string, unknown>);
    const accepted = problems.length === 0;
    const reason = problems.join('; ');
    if (accepted) logger.info({ deployment: event.deploymentId }, 'configuration update accepted');
    else
      logger.warn(
        { deployment: event.deploymentId, problems },
        `configuration update rejected: ${reason}`,
      );
    client
      .sendConfigurationValidityReport({
        configurationValidityReport: {
          status: accepted
            ? greengrasscoreipc.model.ConfigurationValidityStatus.ACCEPTED
            : greengrasscoreipc.model.ConfigurationValidityStatus.REJECTED,
          deploymentId: event.deploymentId,
          ...(accepted ? {} : { message: reason }),
        },
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'could not report a configuration check to the nucleus');
      });
  });
  updates.on('streamError', (error) => {
    logger.error({ err: error }, 'configuration update checks failed');
  });
  await updates.activate();
  logger.info({}, 'checking configuration updates of Greengrass deployments');
  return {
    close: async () => {
      await updates.close();
      await client.close();
    },
  };
}
