import type { EnvironmentConfig } from '../../lib/config/environment';
import { EnvironmentConfigError, resolveEnvironment } from '../../lib/config/resolve';
import { LAKEHOUSE_DEFAULTS } from '../../lib/lakehouse/lakehouse-props';
import { ML_PIPELINE_DEFAULTS } from '../../lib/ml-pipeline/ml-pipeline-props';
import { STREAMING_DEFAULTS } from '../../lib/streaming/streaming-props';
import { UsageError } from './errors';

/** The names an environment's resources get when deployed from this repository. */
export interface EnvironmentNames {
  /** Common prefix of the environment's stacks, `UnsMlops-<Env>-`. */
  readonly stackPrefix: string;
  /** The SageMaker pipeline; its model package group has the same name. */
  readonly pipeline: string;
  /** The model package group the pipeline registers its models in. */
  readonly modelPackageGroup: string;
  /** The Lakehouse's Athena workgroup. */
  readonly workGroup: string;
  /** The Glue database over the raw zone. */
  readonly rawDatabase: string;
  /** The Glue database over the curated zone. */
  readonly curatedDatabase: string;
  /** The MSK cluster. */
  readonly kafkaCluster: string;
}

/** The environment a command works on: its configuration, names and the region to call. */
export interface Target {
  readonly config: EnvironmentConfig;
  /** The region AWS calls go to: `--region`, else the environment's. */
  readonly region: string;
  readonly names: EnvironmentNames;
}

/**
 * The stack name of one part of an environment, as `stackName` in lib/app.ts makes it (a test
 * holds the two together; lib/app.ts itself loads all of the CDK, too slow for a command line).
 */
export function stackName(config: EnvironmentConfig, part: string): string {
  return `${stackPrefix(config)}${part}`;
}

function stackPrefix(config: EnvironmentConfig): string {
  return `UnsMlops-${config.name.charAt(0).toUpperCase()}${config.name.slice(1)}-`;
}

/**
 * The names of an environment's resources, from the same defaults the constructs use: the
 * environment configuration cannot rename the pipeline, the Lakehouse or the MSK cluster.
 */
export function environmentNames(config: EnvironmentConfig): EnvironmentNames {
  const prefix = LAKEHOUSE_DEFAULTS.namePrefix;
  return {
    stackPrefix: stackPrefix(config),
    pipeline: ML_PIPELINE_DEFAULTS.pipelineName,
    modelPackageGroup: ML_PIPELINE_DEFAULTS.pipelineName,
    workGroup: prefix,
    rawDatabase: `${prefix}_raw`,
    curatedDatabase: `${prefix}_curated`,
    kafkaCluster: STREAMING_DEFAULTS.clusterName,
  };
}

/**
 * The target named by `-c env=<name>` (the environment, as for `cdk deploy`) and `--region`.
 *
 * @param contexts the `-c key=value` values given; only `env` is known.
 * @param region the `--region` override.
 * @throws UsageError for a malformed or unknown `-c` value, an unknown or invalid environment.
 */
export function resolveTarget(contexts: readonly string[], region: string | undefined): Target {
  let requested: string | undefined;
  for (const context of contexts) {
    const match = /^([^=]+)=(.*)$/.exec(context);
    if (match?.[1] !== 'env') {
      throw new UsageError(
        `Unknown context value "${context}".`,
        'The only context value is the environment: -c env=<name>.',
      );
    }
    requested = match[2];
  }
  let config: EnvironmentConfig;
  try {
    config = resolveEnvironment(requested);
  } catch (error) {
    if (!(error instanceof EnvironmentConfigError)) throw error;
    const [summary = error.message, ...rest] = error.message.split('\n');
    throw new UsageError(
      summary,
      rest.map((line) => line.trim().replace(/^- /, '')).join('; ') ||
        'Fix lib/config/environments.ts.',
    );
  }
  return { config, region: region ?? config.region, names: environmentNames(config) };
}
