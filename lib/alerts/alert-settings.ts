import { Token } from 'aws-cdk-lib';

/**
 * The limits of an environment's alarms on AWS metrics. Each unset limit takes its value from
 * {@link ALERTS_DEFAULTS}. The edge KPI limits (valid share, inference errors, spool) are the
 * rollout gate's (`edgeRollout.kpis`): one definition of a healthy plant.
 */
export interface AlertThresholds {
  /**
   * Length in minutes of one evaluation period of the alarms on AWS metrics.
   * @default 5
   */
  readonly periodMinutes?: number;
  /**
   * Most records a Kafka consumer function may lag behind its topic (Lambda `OffsetLag`).
   * @default 10000 - about a minute of one busy plant's telemetry.
   */
  readonly maxOffsetLagRecords?: number;
  /**
   * Most seconds a consumer group may lag behind its topic (MSK `EstimatedMaxTimeLag`).
   * @default 900 - a quarter of an hour behind the plants.
   */
  readonly maxConsumerTimeLagSeconds?: number;
  /**
   * Highest share of a broker's data disk in use, in percent (provisioned clusters).
   * @default 80 - room to add storage before the brokers stop accepting writes.
   */
  readonly maxBrokerDiskUsedPercent?: number;
  /**
   * Highest average produce or request throttle time of a broker in milliseconds (provisioned
   * clusters).
   * @default 100 - clients are being slowed down noticeably by the broker quotas.
   */
  readonly maxThrottleTimeMs?: number;
  /**
   * Highest age in seconds of the oldest record in a Firehose stream (`DeliveryToS3.DataFreshness`).
   * @default 900 - three buffering intervals (300 s) behind.
   */
  readonly maxDeliveryFreshnessSeconds?: number;
  /**
   * Highest CPU use of the compliance store's database, in percent.
   * @default 80
   */
  readonly maxDatabaseCpuPercent?: number;
  /**
   * Least free storage of the compliance store's database, in GiB.
   * @default 5 - storage autoscaling grows it; an alarm means it cannot (its maximum is reached).
   */
  readonly minDatabaseFreeStorageGiB?: number;
  /**
   * Most connections to the compliance store's database (the RDS Proxy pools them).
   * @default 100 - half of what the smallest instance class allows.
   */
  readonly maxDatabaseConnections?: number;
  /**
   * Most data the environment's Athena workgroup may scan in one day, in GiB.
   * @default 100 - about 0.50 USD a day at Athena's price per TB.
   */
  readonly dailyScanBudgetGiB?: number;
  /**
   * Minutes without any KPI data from a plant before its "no data" alarm fires.
   * @default 15
   */
  readonly plantSilentMinutes?: number;
  /**
   * Edge KPI periods in a row in which a bridge's spool grows before its alarm fires.
   * @default 3
   */
  readonly spoolGrowingPeriods?: number;
}

/** The alarm limits used where an environment sets none. */
export const ALERTS_DEFAULTS: Required<AlertThresholds> = {
  periodMinutes: 5,
  maxOffsetLagRecords: 10_000,
  maxConsumerTimeLagSeconds: 900,
  maxBrokerDiskUsedPercent: 80,
  maxThrottleTimeMs: 100,
  maxDeliveryFreshnessSeconds: 900,
  maxDatabaseCpuPercent: 80,
  minDatabaseFreeStorageGiB: 5,
  maxDatabaseConnections: 100,
  dailyScanBudgetGiB: 100,
  plantSilentMinutes: 15,
  spoolGrowingPeriods: 3,
};

/** Who hears of an environment's alarms, and their limits. */
export interface AlertSettings {
  /**
   * Email addresses subscribed to the environment's topic; each confirms its subscription once.
   * @default - no subscription: the alarms show on the CloudWatch console and `uns-mlops status`.
   */
  readonly notificationEmails?: readonly string[];
  /**
   * Limits of the alarms.
   * @default - every value of {@link ALERTS_DEFAULTS}.
   */
  readonly thresholds?: AlertThresholds;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Upper bounds of each threshold, so a typo (seconds for minutes) shows as a problem. */
const LIMITS: Record<keyof AlertThresholds, { max: number; integer: boolean }> = {
  periodMinutes: { max: 60, integer: true },
  maxOffsetLagRecords: { max: Number.MAX_SAFE_INTEGER, integer: true },
  maxConsumerTimeLagSeconds: { max: 7 * 86_400, integer: false },
  maxBrokerDiskUsedPercent: { max: 100, integer: false },
  maxThrottleTimeMs: { max: 60_000, integer: false },
  maxDeliveryFreshnessSeconds: { max: 86_400, integer: false },
  maxDatabaseCpuPercent: { max: 100, integer: false },
  minDatabaseFreeStorageGiB: { max: 65_536, integer: false },
  maxDatabaseConnections: { max: 100_000, integer: true },
  dailyScanBudgetGiB: { max: 1_048_576, integer: false },
  plantSilentMinutes: { max: 24 * 60, integer: true },
  spoolGrowingPeriods: { max: 100, integer: true },
};

/** Every problem with the given alert settings; empty when they are valid. */
export function alertSettingsProblems(settings: AlertSettings): string[] {
  const problems: string[] = [];
  const emails = settings.notificationEmails ?? [];
  for (const email of emails.filter((address) => !Token.isUnresolved(address))) {
    if (!EMAIL.test(email)) {
      problems.push(`notificationEmails: ${JSON.stringify(email)} is not an email address`);
    }
  }
  for (const email of new Set(emails.filter((address, i) => emails.indexOf(address) !== i))) {
    problems.push(`notificationEmails: ${JSON.stringify(email)} is listed more than once`);
  }
  for (const [name, value] of Object.entries(settings.thresholds ?? {})) {
    if (!Object.hasOwn(LIMITS, name)) {
      problems.push(`thresholds.${name} is not a known threshold`);
      continue;
    }
    const limit = LIMITS[name as keyof AlertThresholds];
    if (value === undefined || Token.isUnresolved(value)) continue;
    const ok =
      Number.isFinite(value) &&
      value > 0 &&
      value <= limit.max &&
      (!limit.integer || Number.isInteger(value));
    if (!ok) {
      problems.push(
        `thresholds.${name} (${value}) must be ${limit.integer ? 'a whole number' : 'a number'} above 0 and at most ${limit.max}`,
      );
    }
  }
  return problems;
}
