import { Token } from 'aws-cdk-lib';
import {
  MODEL_DRIFT_MONITOR_DEFAULTS,
  MODEL_DRIFT_TABLE,
  MODEL_NAME_PARAMETER,
  type ModelDriftMonitorProps,
  type ModelDriftMonitorSettings,
  pipelineModelName,
} from './model-drift-monitor-props';

/** An address SNS accepts for an email subscription: one `@`, a dotted domain, no spaces. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Every problem with the given drift monitor settings, each naming the setting; empty when they
 * are valid. Unresolved tokens are not checked. Shared by the construct and the environment
 * configuration.
 */
export function modelDriftMonitorSettingsProblems(settings: ModelDriftMonitorSettings): string[] {
  const problems: string[] = [];
  const known = (value: number | undefined): value is number =>
    value !== undefined && !Token.isUnresolved(value);
  const whole = (name: keyof ModelDriftMonitorSettings, min: number, max: number) => {
    const value = settings[name] as number | undefined;
    if (known(value) && !(Number.isInteger(value) && value >= min && value <= max)) {
      problems.push(`${name} (${value}) must be a whole number in ${min}-${max}`);
    }
  };
  whole('checkIntervalMinutes', 5, 1440);
  whole('lookbackHours', 1, 168);
  whole('alarmEvaluationPeriods', 1, 288);
  whole('alarmDatapointsToAlarm', 1, 288);

  const threshold = settings.driftedShareThreshold;
  if (known(threshold) && !(threshold > 0 && threshold <= 1)) {
    problems.push(
      `driftedShareThreshold (${threshold}) must be a share above 0 and at most 1 (0.5 is half of the evaluations)`,
    );
  }
  const cooldown = settings.retrainingCooldownHours;
  if (known(cooldown) && !(Number.isFinite(cooldown) && cooldown > 0 && cooldown <= 720)) {
    problems.push(
      `retrainingCooldownHours (${cooldown}) must be a number of hours above 0, at most 720`,
    );
  }

  const d = MODEL_DRIFT_MONITOR_DEFAULTS;
  const interval = settings.checkIntervalMinutes ?? d.checkIntervalMinutes;
  const lookback = settings.lookbackHours ?? d.lookbackHours;
  const periods = settings.alarmEvaluationPeriods ?? d.alarmEvaluationPeriods;
  const datapoints = settings.alarmDatapointsToAlarm ?? d.alarmDatapointsToAlarm;
  if (known(interval) && known(lookback) && lookback * 60 < interval) {
    problems.push(
      `lookbackHours (${lookback}) must cover at least one checkIntervalMinutes (${interval}), or evaluations between two checks are never counted`,
    );
  }
  if (known(periods) && known(datapoints) && datapoints > periods) {
    problems.push(
      `alarmDatapointsToAlarm (${datapoints}) must be at most alarmEvaluationPeriods (${periods})`,
    );
  }
  if (known(interval) && known(periods)) {
    // CloudWatch: an alarm evaluates at most 7 days, or 1 day when its period is under an hour.
    const limitSeconds = interval < 60 ? 86_400 : 604_800;
    if (interval * 60 * periods > limitSeconds) {
      problems.push(
        `alarmEvaluationPeriods (${periods}) × checkIntervalMinutes (${interval}) must span at most ${limitSeconds === 86_400 ? 'one day' : 'seven days'}, CloudWatch’s limit for this period`,
      );
    }
  }

  const emails = settings.notificationEmails ?? [];
  for (const email of emails.filter((address) => !Token.isUnresolved(address))) {
    if (!EMAIL.test(email)) {
      problems.push(`notificationEmails: ${JSON.stringify(email)} is not an email address`);
    }
  }
  for (const email of new Set(
    emails.filter((address, index) => emails.indexOf(address) !== index),
  )) {
    problems.push(`notificationEmails: ${JSON.stringify(email)} is listed more than once`);
  }
  return problems;
}

/**
 * Every problem with the given drift monitor props: the settings (see
 * {@link modelDriftMonitorSettingsProblems}), and how they fit the Lakehouse and the pipeline.
 */
export function modelDriftMonitorPropsProblems(props: ModelDriftMonitorProps): string[] {
  const { mlPipeline } = props;
  const parameterNames = mlPipeline.definition.parameters.map((parameter) => parameter.name);
  const problems = modelDriftMonitorSettingsProblems(props);
  if (props.alerts !== undefined && (props.notificationEmails?.length ?? 0) > 0) {
    problems.push(
      "notificationEmails and alerts cannot be given together: subscribe the addresses to the alerts' topic where it is made",
    );
  }
  if (props.siteIds.length === 0) problems.push('siteIds must list at least one site');
  for (const name of Object.keys(props.retrainingParameters ?? {})) {
    if (!parameterNames.includes(name)) {
      problems.push(
        `retrainingParameters: ${JSON.stringify(name)} is not a parameter of pipeline ${mlPipeline.pipelineName} (${parameterNames.join(', ')})`,
      );
    }
  }
  if (props.modelName === undefined && pipelineModelName(mlPipeline) === undefined) {
    problems.push(
      `modelName must be given: pipeline ${mlPipeline.pipelineName} has no ${MODEL_NAME_PARAMETER} parameter to take it from`,
    );
  }
  if (props.lakehouse.catalog.raw.tables[MODEL_DRIFT_TABLE] === undefined) {
    problems.push(`the Lakehouse has no raw ${MODEL_DRIFT_TABLE} table to check`);
  }
  return problems;
}
