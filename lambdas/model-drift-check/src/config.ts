/** The service name of the functions' logs. */
export const SERVICE_NAME = 'model-drift-check';

/** Where both functions put their metrics. */
export interface MetricsConfig {
  /** CloudWatch namespace of the metrics (`METRICS_NAMESPACE`). */
  readonly namespace: string;
  /** Value of the `Environment` dimension (`ENVIRONMENT_NAME`), e.g. `dev`. */
  readonly environment: string;
}

/** What the drift check reads from its environment. */
export interface CheckConfig extends MetricsConfig {
  /** Athena workgroup the query runs in (`ATHENA_WORKGROUP`). */
  readonly workGroup: string;
  /** Glue database of the raw zone (`DRIFT_DATABASE`). */
  readonly database: string;
  /** The drift table (`DRIFT_TABLE`), `model_drift`. */
  readonly table: string;
  /** Hours before the check whose evaluations it counts (`LOOKBACK_HOURS`). */
  readonly lookbackHours: number;
  /** Seconds the check waits for its query before stopping it (`QUERY_TIMEOUT_SECONDS`). */
  readonly queryTimeoutSeconds: number;
  /** Sites expected to report (`MONITORED_SITES`, comma-separated). */
  readonly sites: readonly string[];
  /** Models expected at every site (`MONITORED_MODELS`, comma-separated). */
  readonly models: readonly string[];
}

/**
 * What the retraining trigger reads from its environment; its metrics are `RetrainingStarted` and
 * `RetrainingSkipped`.
 */
export interface TriggerConfig extends MetricsConfig {
  /** The SageMaker pipeline that retrains the model (`PIPELINE_NAME`). */
  readonly pipelineName: string;
  /** The model the pipeline trains: alarms about another model are refused (`MODEL_NAME`). */
  readonly modelName: string;
  /** Hours after a pipeline execution during which no other one starts (`RETRAINING_COOLDOWN_HOURS`). */
  readonly cooldownHours: number;
  /** Pipeline parameters of a retraining execution (`PIPELINE_PARAMETERS`, a JSON object of strings). */
  readonly pipelineParameters: Readonly<Record<string, string>>;
}

type Environment = Readonly<Record<string, string | undefined>>;

/**
 * The drift check's configuration.
 *
 * @throws Error listing every variable that is missing or invalid.
 */
export function checkConfigFromEnvironment(env: Environment): CheckConfig {
  return readEnvironment(env, (read) => ({
    ...metricsConfig(read),
    workGroup: read.text('ATHENA_WORKGROUP'),
    database: read.text('DRIFT_DATABASE'),
    table: read.text('DRIFT_TABLE'),
    lookbackHours: read.positiveNumber('LOOKBACK_HOURS'),
    queryTimeoutSeconds: read.positiveNumber('QUERY_TIMEOUT_SECONDS'),
    sites: read.list('MONITORED_SITES'),
    models: read.list('MONITORED_MODELS'),
  }));
}

/**
 * The retraining trigger's configuration.
 *
 * @throws Error listing every variable that is missing or invalid.
 */
export function triggerConfigFromEnvironment(env: Environment): TriggerConfig {
  return readEnvironment(env, (read) => ({
    ...metricsConfig(read),
    pipelineName: read.text('PIPELINE_NAME'),
    modelName: read.text('MODEL_NAME'),
    cooldownHours: read.positiveNumber('RETRAINING_COOLDOWN_HOURS'),
    pipelineParameters: read.stringRecord('PIPELINE_PARAMETERS'),
  }));
}

/** The variables both functions read first. */
function metricsConfig(read: Reader): MetricsConfig {
  return { namespace: read.text('METRICS_NAMESPACE'), environment: read.text('ENVIRONMENT_NAME') };
}

/** What `build` reads from `env`, once every variable was read; throws listing every problem. */
function readEnvironment<T>(env: Environment, build: (read: Reader) => T): T {
  const read = reader(env);
  const config = build(read);
  read.done();
  return config;
}

type Reader = ReturnType<typeof reader>;

/** Typed reads of environment variables that collect every problem, thrown at `done()`. */
function reader(env: Environment) {
  const problems: string[] = [];
  const required = (name: string): string => {
    const value = env[name]?.trim();
    if (value) return value;
    problems.push(`${name} is not set`);
    return '';
  };
  return {
    text: required,
    positiveNumber(name: string): number {
      const text = required(name);
      const value = Number(text);
      if (text !== '' && !(Number.isFinite(value) && value > 0)) {
        problems.push(`${name} ${JSON.stringify(text)} is not a number above 0`);
      }
      return value;
    },
    list(name: string): string[] {
      return required(name)
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
    },
    stringRecord(name: string): Record<string, string> {
      const text = env[name]?.trim();
      if (!text) return {};
      try {
        const parsed: unknown = JSON.parse(text);
        if (
          typeof parsed === 'object' &&
          parsed !== null &&
          !Array.isArray(parsed) &&
          Object.values(parsed).every((value) => typeof value === 'string')
        ) {
          return parsed as Record<string, string>;
        }
      } catch {
        // reported below
      }
      problems.push(`${name} must be a JSON object of strings, e.g. {"Epochs":"30"}`);
      return {};
    },
    done(): void {
      if (problems.length > 0) {
        throw new Error(`${SERVICE_NAME}: invalid environment:\n  - ${problems.join('\n  - ')}`);
      }
    },
  };
}
