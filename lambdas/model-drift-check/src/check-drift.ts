import type { AthenaClient } from '@aws-sdk/client-athena';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { Logger } from '@aws-lambda-powertools/logger';
import { AthenaQueryFailed, runAthenaQuery } from './athena-query';
import type { CheckConfig } from './config';
import { driftQuery, driftQueryParameters, type Lookback, lookbackEndingAt } from './drift-query';
import {
  type ModelDriftSummary,
  type MonitoredModel,
  silentModels,
  summarizeDrift,
} from './drift-summary';
import { driftMetricData, putMetricData } from './metrics';

/**
 * The event EventBridge Scheduler sends: the schedule's target input with its context attribute
 * `<aws.scheduler.scheduled-time>` filled in. Any other event (a test invoke) checks up to now.
 */
export interface CheckDriftEvent {
  /** ISO 8601 time the invocation was scheduled for: the end of the lookback. */
  readonly scheduledTime?: string;
}

/** What one check found and wrote. */
export interface CheckDriftResult {
  readonly lookback: { readonly start: string; readonly end: string };
  readonly queryExecutionId: string;
  readonly summaries: readonly ModelDriftSummary[];
  /** Monitored sites and models without any drift data in the lookback. */
  readonly silent: readonly MonitoredModel[];
  /** Data points written. */
  readonly metricData: number;
}

/** Dependencies of {@link createCheckDriftHandler}; tests pass their own clients and clock. */
export interface CheckDriftDependencies {
  readonly athena: AthenaClient;
  readonly cloudwatch: CloudWatchClient;
  readonly logger: Logger;
  readonly config: CheckConfig;
  /**
   * @default () => new Date() - the wall clock: the end of the lookback for an event without
   *   `scheduledTime`, and the query's deadline.
   */
  readonly now?: () => Date;
  /** @default - a timer: the pause between two polls of the query's status. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The first pause between two polls of the query's status; it doubles up to 5 s. */
const FIRST_POLL_MS = 500;
const MAX_POLL_MS = 5000;

/**
 * The scheduled drift check: one Athena query over `model_drift` for the lookback before the
 * scheduled time, its rows summarized per site and model, and the summaries written as metrics
 * (see {@link driftMetricData}) at the scheduled time, so a retried invocation writes the same
 * points again rather than new ones.
 *
 * @throws AthenaQueryFailed when the query failed, was cancelled or timed out (logged first, so
 *   the function's `Errors` metric and its log both show it); AWS errors as the SDK throws them.
 */
export function createCheckDriftHandler(
  deps: CheckDriftDependencies,
): (event: CheckDriftEvent | undefined) => Promise<CheckDriftResult> {
  const now = deps.now ?? (() => new Date());
  const sleep = deps.sleep ?? ((ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const { config, logger } = deps;
  const sql = driftQuery(config.database, config.table);
  const monitored = config.sites.flatMap((site) => config.models.map((model) => ({ site, model })));
  return async (event) => {
    const lookback = lookbackEndingAt(checkTime(event, now), config.lookbackHours);
    const result = await runQuery(deps, sql, lookback, { now, sleep });
    const summaries = summarizeDrift(result);
    const silent = silentModels(summaries, monitored);
    const data = driftMetricData(config.environment, lookback.end, summaries, silent);
    await putMetricData(deps.cloudwatch, config.namespace, data);
    const summary = {
      lookback: { start: lookback.start.toISOString(), end: lookback.end.toISOString() },
      queryExecutionId: result.queryExecutionId,
      summaries,
      silent,
      metricData: data.length,
    };
    for (const model of summaries) {
      logger.info('Drift of a model at a site', { ...model, lookback: summary.lookback });
    }
    for (const model of silent) {
      logger.warn('No drift data from a monitored site and model', {
        ...model,
        lookback: summary.lookback,
      });
    }
    logger.info('Drift check done', {
      lookback: summary.lookback,
      queryExecutionId: result.queryExecutionId,
      dataScannedBytes: result.dataScannedBytes,
      models: summaries.length,
      silent: silent.length,
      metricData: data.length,
    });
    return summary;
  };
}

function checkTime(event: CheckDriftEvent | undefined, now: () => Date): Date {
  const scheduled = event?.scheduledTime;
  if (scheduled === undefined) return now();
  const time = new Date(scheduled);
  if (Number.isNaN(time.getTime())) {
    throw new Error(`check drift: scheduledTime ${JSON.stringify(scheduled)} is not a time`);
  }
  return time;
}

async function runQuery(
  deps: CheckDriftDependencies,
  sql: string,
  lookback: Lookback,
  clock: { now: () => Date; sleep: (ms: number) => Promise<void> },
) {
  const parameters = driftQueryParameters(lookback);
  try {
    return await runAthenaQuery(
      deps.athena,
      { sql, parameters, workGroup: deps.config.workGroup, database: deps.config.database },
      {
        timeoutMs: deps.config.queryTimeoutSeconds * 1000,
        firstPollMs: FIRST_POLL_MS,
        maxPollMs: MAX_POLL_MS,
        now: () => clock.now().getTime(),
        sleep: clock.sleep,
      },
    );
  } catch (error) {
    if (error instanceof AthenaQueryFailed) {
      deps.logger.error('Drift query did not succeed', {
        queryExecutionId: error.queryExecutionId,
        state: error.state,
        reason: error.reason,
        workGroup: deps.config.workGroup,
        parameters,
      });
    }
    throw error;
  }
}
