import type { RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Alerting } from '../alerts/alarms';
import { withDefaults } from '../defaults';
import type { Lakehouse } from '../lakehouse';

/** Properties of a {@link LakehouseCuration}. */
export interface LakehouseCurationProps {
  /** The Lakehouse whose raw zone is read and whose curated zone is written. */
  readonly lakehouse: Lakehouse;

  /**
   * Name prefix of the workflow, e.g. `uns-mlops-dev`: the state machine is
   * `<prefix>-lakehouse-curation`, the name to start it by hand.
   */
  readonly namePrefix: string;

  /** Key of the log groups (state machine and functions); CloudWatch Logs must be allowed to use it. */
  readonly logKey: kms.IKey;

  /**
   * Complete UTC days before the day of a run that a run curates when its input names no days.
   * @default 2 - yesterday and the day before, so data and inspections that arrive a day late are
   *   curated by the next run.
   */
  readonly lookbackDays?: number;

  /**
   * Partitions (site and day) curated at the same time; each runs one Athena `INSERT INTO`, which
   * counts against the account's quota of active DML queries.
   * @default 4
   */
  readonly maxConcurrentPartitions?: number;

  /**
   * When EventBridge Scheduler starts a run: `rate(...)`, `cron(...)` or `at(...)`.
   * @default 'cron(30 2 * * ? *)' - every day at 02:30 in `scheduleTimeZone`, after the plants'
   *   night shift data of the previous day has arrived.
   */
  readonly scheduleExpression?: string;

  /**
   * IANA time zone of `scheduleExpression` (the days curated are UTC days whatever it is).
   * @default 'UTC'
   */
  readonly scheduleTimeZone?: string;

  /**
   * Whether the schedule starts runs. A disabled schedule is kept (its state is `DISABLED`), so
   * turning it on again changes nothing else; the workflow can always be started by hand.
   * @default true
   */
  readonly scheduleEnabled?: boolean;

  /**
   * What happens to the log groups when the stack is deleted.
   * @default RemovalPolicy.RETAIN - the run history outlives the stack.
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Where the alarms go: the state machine's failed and timed-out runs, each function's errors
   * and throttles.
   * @default - no alarms.
   */
  readonly alerts?: Alerting;
}

/** The defaults of the optional {@link LakehouseCurationProps}, in one place. */
export const LAKEHOUSE_CURATION_DEFAULTS = {
  lookbackDays: 2,
  maxConcurrentPartitions: 4,
  scheduleExpression: 'cron(30 2 * * ? *)',
  scheduleTimeZone: 'UTC',
  scheduleEnabled: true,
} as const;

/** The props with every default filled in. */
export function resolveLakehouseCurationSettings(props: LakehouseCurationProps) {
  return withDefaults(props, LAKEHOUSE_CURATION_DEFAULTS);
}
