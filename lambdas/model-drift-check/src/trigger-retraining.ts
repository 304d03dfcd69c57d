import { createHash } from 'node:crypto';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  ListPipelineExecutionsCommand,
  type PipelineExecutionSummary,
  type SageMakerClient,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-sagemaker';
import type { Logger } from '@aws-lambda-powertools/logger';
import { type AlarmStateChange, parseAlarmStateChange } from './alarm-event';
import type { TriggerConfig } from './config';
import { dimensions, METRIC, putMetricData } from './metrics';

/** What the trigger did about one alarm state change. */
export type RetrainingDecision =
  | {
      readonly action: 'started';
      readonly alarmName: string;
      readonly pipelineExecutionArn: string;
      readonly displayName: string;
    }
  | {
      readonly action: 'skipped';
      readonly alarmName: string;
      readonly reason: string;
      /** The execution inside the cooldown that holds the retraining back. */
      readonly recentExecutionArn: string | undefined;
    }
  | { readonly action: 'ignored'; readonly alarmName: string; readonly reason: string };

/** Dependencies of {@link createTriggerRetrainingHandler}; tests pass their own clients and clock. */
export interface TriggerRetrainingDependencies {
  readonly sagemaker: SageMakerClient;
  readonly cloudwatch: CloudWatchClient;
  readonly logger: Logger;
  readonly config: TriggerConfig;
  /** @default () => new Date() - the wall clock (the cooldown counts back from it). */
  readonly now?: () => Date;
}

/** SageMaker's limits of an execution's display name and description. */
const DISPLAY_NAME_LENGTH = 82;
const DESCRIPTION_LENGTH = 3072;

/**
 * The retraining trigger, run by an EventBridge rule for each drift alarm that goes to ALARM:
 * starts an execution of the pipeline, unless any execution of it (scheduled, manual or
 * triggered; running, succeeded, failed or stopped) started within the cooldown; then it logs the
 * reason and writes `RetrainingSkipped`. A started execution is named after the alarm and carries
 * a client token derived from the alarm's state change, so a redelivered event or a retried
 * invocation does not start a second one.
 *
 * @throws MalformedAlarmEvent for an event that is no metric alarm's state change; Error for a
 *   drift alarm about another model than the pipeline's; AWS errors as the SDK throws them
 *   (Lambda retries the asynchronous invocation, then keeps it in the dead-letter queue).
 */
export function createTriggerRetrainingHandler(
  deps: TriggerRetrainingDependencies,
): (event: unknown) => Promise<RetrainingDecision> {
  const now = deps.now ?? (() => new Date());
  const { config, logger } = deps;
  return async (event) => {
    const alarm = parseAlarmStateChange(event);
    const context = {
      alarmName: alarm.alarmName,
      site: alarm.dimensions.Site,
      model: alarm.dimensions.Model,
      pipelineName: config.pipelineName,
    };
    if (alarm.state !== 'ALARM') {
      const reason = `the alarm went to ${alarm.state}, not ALARM`;
      logger.info('Retraining not considered', { ...context, reason });
      return { action: 'ignored', alarmName: alarm.alarmName, reason };
    }
    if (alarm.dimensions.Model !== config.modelName) {
      throw new Error(
        `alarm ${alarm.alarmName} is about model ${JSON.stringify(alarm.dimensions.Model)}, but pipeline ${config.pipelineName} trains ${JSON.stringify(config.modelName)}`,
      );
    }
    const time = now();
    const recent = await latestExecutionSince(
      deps.sagemaker,
      config.pipelineName,
      new Date(time.getTime() - config.cooldownHours * 3_600_000),
    );
    if (recent !== undefined) {
      const started = recent.StartTime?.toISOString() ?? 'an unknown time';
      const until =
        recent.StartTime &&
        new Date(recent.StartTime.getTime() + config.cooldownHours * 3_600_000).toISOString();
      const reason = `execution ${recent.PipelineExecutionArn ?? '(no ARN)'} (${recent.PipelineExecutionStatus ?? 'unknown status'}) started at ${started}, within the ${config.cooldownHours} h cooldown${until ? ` that ends at ${until}` : ''}`;
      logger.info('Retraining skipped', {
        ...context,
        reason,
        recentExecutionArn: recent.PipelineExecutionArn,
        recentExecutionStatus: recent.PipelineExecutionStatus,
        recentExecutionStart: started,
        cooldownEndsAt: until,
      });
      await putRetrainingMetric(deps, METRIC.retrainingSkipped, time);
      return {
        action: 'skipped',
        alarmName: alarm.alarmName,
        reason,
        recentExecutionArn: recent.PipelineExecutionArn,
      };
    }
    const displayName = executionDisplayName(alarm);
    const parameters = Object.entries(config.pipelineParameters).map(([Name, Value]) => ({
      Name,
      Value,
    }));
    const response = await deps.sagemaker.send(
      new StartPipelineExecutionCommand({
        PipelineName: config.pipelineName,
        PipelineExecutionDisplayName: displayName,
        PipelineExecutionDescription: executionDescription(alarm),
        ...(parameters.length > 0 && { PipelineParameters: parameters }),
        ClientRequestToken: clientRequestToken(config.pipelineName, alarm),
      }),
    );
    const arn = response.PipelineExecutionArn;
    if (arn === undefined) {
      throw new Error(`StartPipelineExecution of ${config.pipelineName} returned no ARN`);
    }
    logger.info('Retraining started', {
      ...context,
      pipelineExecutionArn: arn,
      displayName,
      pipelineParameters: config.pipelineParameters,
      alarmReason: alarm.reason,
    });
    await putRetrainingMetric(deps, METRIC.retrainingStarted, time);
    return {
      action: 'started',
      alarmName: alarm.alarmName,
      pipelineExecutionArn: arn,
      displayName,
    };
  };
}

/** The newest execution of the pipeline created after `since`, whatever its status. */
async function latestExecutionSince(
  sagemaker: SageMakerClient,
  pipelineName: string,
  since: Date,
): Promise<PipelineExecutionSummary | undefined> {
  const page = await sagemaker.send(
    new ListPipelineExecutionsCommand({
      PipelineName: pipelineName,
      CreatedAfter: since,
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: 1,
    }),
  );
  return page.PipelineExecutionSummaries?.[0];
}

async function putRetrainingMetric(
  deps: TriggerRetrainingDependencies,
  name: string,
  time: Date,
): Promise<void> {
  await putMetricData(deps.cloudwatch, deps.config.namespace, [
    {
      MetricName: name,
      Dimensions: dimensions({
        Environment: deps.config.environment,
        Model: deps.config.modelName,
      }),
      Timestamp: time,
      Value: 1,
      Unit: 'Count',
    },
  ]);
}

/**
 * `drift-<site>-<yyyyMMddTHHmm>` of the state change (UTC), in the characters SageMaker allows
 * (letters, digits, hyphens; starting with a letter or digit; at most 82).
 */
export function executionDisplayName(alarm: AlarmStateChange): string {
  const changed = new Date(alarm.timestamp.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  const when = Number.isNaN(changed.getTime())
    ? 'unknown-time'
    : changed.toISOString().slice(0, 16).replace(/[-:]/g, '');
  const name = `drift-${alarm.dimensions.Site ?? alarm.alarmName}-${when}`
    .replace(/[^A-Za-z0-9-]+/g, '-')
    .replace(/-+/g, '-');
  return name.slice(0, DISPLAY_NAME_LENGTH).replace(/-+$/, '');
}

function executionDescription(alarm: AlarmStateChange): string {
  const { Site: site, Model: model } = alarm.dimensions;
  return `Retraining started by drift alarm ${alarm.alarmName} (site ${site ?? '?'}, model ${model ?? '?'}), in ALARM since ${alarm.timestamp}: ${alarm.reason}`.slice(
    0,
    DESCRIPTION_LENGTH,
  );
}

/** The same token for the same state change of the same alarm (64 hex digits). */
function clientRequestToken(pipelineName: string, alarm: AlarmStateChange): string {
  return createHash('sha256')
    .update([pipelineName, alarm.alarmArn, alarm.timestamp].join('\n'))
    .digest('hex');
}
