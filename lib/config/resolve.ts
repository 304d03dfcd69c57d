import type { EnvironmentConfig } from './environment';
import { environments as configuredEnvironments } from './environments';
import { validateEnvironment } from './validate';

/** The environment synthesized when no `-c env=<name>` is given. */
export const DEFAULT_ENVIRONMENT_NAME = 'dev';

/** A configuration that cannot be deployed; the message lists every problem, one per line. */
export class EnvironmentConfigError extends Error {
  constructor(
    summary: string,
    readonly problems: readonly string[],
  ) {
    super([summary, ...problems.map((problem) => `  - ${problem}`)].join('\n'));
    this.name = 'EnvironmentConfigError';
  }
}

/**
 * Returns the validated environment named by the `env` context value (`-c env=<name>`).
 *
 * @param requested the context value; `undefined` selects {@link DEFAULT_ENVIRONMENT_NAME}.
 * @param available the environments to choose from; the repository's `environments.ts` by default.
 * @throws EnvironmentConfigError when the name is unknown or the environment is invalid.
 */
export function resolveEnvironment(
  requested: unknown,
  available: readonly EnvironmentConfig[] = configuredEnvironments,
): EnvironmentConfig {
  const name = requested ?? DEFAULT_ENVIRONMENT_NAME;
  const known = available.map((environment) => environment.name);
  const config = available.find((environment) => environment.name === name);
  if (typeof name !== 'string' || config === undefined) {
    throw new EnvironmentConfigError(
      `Unknown environment ${JSON.stringify(name)} (selected with -c env=<name>).`,
      [`known environments: ${known.join(', ')}; add one to lib/config/environments.ts`],
    );
  }
  const problems = validateEnvironment(config);
  if (problems.length > 0) {
    throw new EnvironmentConfigError(
      `Environment "${config.name}" in lib/config/environments.ts is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}):`,
      problems,
    );
  }
  return config;
}
