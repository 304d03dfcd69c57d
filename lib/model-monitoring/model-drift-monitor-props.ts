import type { RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Alerting } from '../alerts/alarms';
import { withDefaults, type WithDefaults } from '../defaults';
import type { Lakehouse } from '../lakehouse';
import type { MlPipeline } from '../ml-pipeline';

/** The raw Lakehouse table of the edge's drift statistics. */
export const MODEL_DRIFT_TABLE = 'model_drift';

/** The pipeline parameter whose default names the bundles the pipeline registers. */
export const MODEL_NAME_PARAMETER = 'ModelName';

/** The default of the pipeline's {@link MODEL_NAME_PARAMETER}, if it has that parameter. */
export function pipelineModelName(mlPipeline: MlPipeline): string | undefined {
  const parameter = mlPipeline.definition.parameters.find(
    (candidate) => candidate.name === MODEL_NAME_PARAMETER,
  );
  return typeof parameter?.defaultValue === 'string' ? parameter.defaultValue : undefined;
}

/**
 * How often the drift is checked, how it is judged and how often a model may be retrained: the
 * settings an environment chooses (`modelMonitoring` in lib/config/environments.ts).
 */
export interface ModelDriftMonitorSettings {
  /**
   * Minutes between two drift checks (EventBridge Scheduler `rate(<n> minutes)`, 5-1440); also the
   * period of the drift metrics the alarms evaluate, one data point per check.
   * @default 60 - an hourly check.
   */
  readonly checkIntervalMinutes?: number;
  /**
   * Hours of drift evaluations each check counts, ending at the check (1-168): the share of
   * drifted evaluations slides over this window. At least one check interval, so no evaluation is
   * missed.
   * @default 6 - a drift must last hours, not one bad shift start, to move the share.
   */
  readonly lookbackHours?: number;
  /**
   * Share of drifted evaluations (0-1, above 0) at or above which a check's `DriftedShare` breaches.
   * @default 0.5 - half of the evaluations of the site's assets drifted.
   */
  readonly driftedShareThreshold?: number;
  /**
   * Checks the drift alarm looks back over (the N of "M out of N").
   * @default 3
   */
  readonly alarmEvaluationPeriods?: number;
  /**
   * Breaching checks among them that put the alarm in ALARM (the M of "M out of N"), at most
   * `alarmEvaluationPeriods`. A check without data (a silent plant) does not breach.
   * @default 2 - two of the last three hourly checks.
   */
  readonly alarmDatapointsToAlarm?: number;
  /**
   * Hours after the start of any execution of the pipeline (scheduled, manual or triggered,
   * whatever its outcome) during which drift alarms start no retraining (above 0, at most 720).
   * @default 24 - at most one retraining of the model a day, however many plants drift.
   */
  readonly retrainingCooldownHours?: number;
  /**
   * Addresses subscribed by email to the topic this construct creates (each confirms once).
   * Only with that topic: with `alerts`, subscribe to the alerts' topic where it is made.
   * @default - no subscription: the alarms are on the CloudWatch console.
   */
  readonly notificationEmails?: readonly string[];
}

/** Properties of a {@link ModelDriftMonitor}. */
export interface ModelDriftMonitorProps extends ModelDriftMonitorSettings {
  /** Name of the environment: the `Environment` dimension of the metrics, e.g. `dev`. */
  readonly environmentName: string;
  /**
   * Prefix of the alarm names: `<prefix>-model-drift-<site>`.
   * @default `uns-mlops-<environmentName>`
   */
  readonly namePrefix?: string;
  /** The Lakehouse whose raw `model_drift` table the check queries (through its workgroup). */
  readonly lakehouse: Lakehouse;
  /** The pipeline that retrains the monitored model. */
  readonly mlPipeline: MlPipeline;
  /** The sites expected to report drift: one alarm each, and `Evaluations` 0 when silent. */
  readonly siteIds: readonly string[];
  /**
   * The model bundle name the drift data carries for the pipeline's model.
   * @default - the default of the pipeline's `ModelName` parameter, the name its bundles get.
   */
  readonly modelName?: string;
  /**
   * Pipeline parameters of each retraining execution, by name (each must be a parameter of the
   * pipeline).
   * @default - none: the pipeline's defaults already read the latest curated window (`InputDataUri`
   *   the whole curated table; `AthenaQuery` the last 90 days before the execution).
   */
  readonly retrainingParameters?: Readonly<Record<string, string>>;
  /** Key of the functions' log groups (the environment's log key). */
  readonly logKey: kms.IKey;
  /**
   * Where the drift, error, throttle and dead-letter alarms go: the environment's topic, its
   * alarm name prefix and limits.
   * @default - a topic of this construct, encrypted with `encryptionKey`, TLS only, with
   *   `notificationEmails` subscribed; alarm names under `namePrefix`; the default limits.
   */
  readonly alerts?: Alerting;
  /**
   * Customer-managed key of the dead-letter queue and of the topic this construct creates.
   * @default - a new key with yearly rotation.
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * What happens to the key, the queue and the log groups when they leave the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** The defaults of {@link ModelDriftMonitorSettings}, in one place. */
export const MODEL_DRIFT_MONITOR_DEFAULTS = {
  checkIntervalMinutes: 60,
  lookbackHours: 6,
  driftedShareThreshold: 0.5,
  alarmEvaluationPeriods: 3,
  alarmDatapointsToAlarm: 2,
  retrainingCooldownHours: 24,
  notificationEmails: [] as readonly string[],
} as const;

/** The settings with every default filled in. */
export type ResolvedModelDriftMonitorSettings = WithDefaults<
  ModelDriftMonitorSettings,
  keyof ModelDriftMonitorSettings
>;

/** The settings with every default filled in. */
export function resolveModelDriftMonitorSettings(
  settings: ModelDriftMonitorSettings,
): ResolvedModelDriftMonitorSettings {
  return withDefaults(settings, MODEL_DRIFT_MONITOR_DEFAULTS);
}
