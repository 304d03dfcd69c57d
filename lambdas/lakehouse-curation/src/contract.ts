/**
 * What the curation state machine passes between its states. The state machine's own input is
 * `{ "sites"?: string[], "days"?: string[] }`; the plan task receives it whole, with the
 * execution's start time.
 */

/** Event of the `plan` handler. */
export interface PlanEvent {
  /** The execution input, unchecked: `{ sites?, days? }`, or `{}` for the defaults. */
  readonly input: unknown;
  /** ISO 8601 start of the execution (`$$.Execution.StartTime`): "today" for the default days. */
  readonly startedAt: string;
}

/** One curated partition to (re)write: a site and a UTC day. */
export interface Partition {
  readonly site: string;
  /** `yyyy-MM-dd`, UTC. */
  readonly dt: string;
  /**
   * Athena `ExecutionParameters` of the curation query, in its order (site, day), each written as
   * a SQL string literal (`'zwickau'`): Athena substitutes them into the query text as they are.
   */
  readonly parameters: readonly [string, string];
}

/** Result of the `plan` handler: every (site, day) partition of the execution. */
export interface Plan {
  readonly partitions: readonly Partition[];
}

/** Event of the `clearPartition` handler: the partition whose curated objects go. */
export interface ClearPartitionEvent {
  readonly site: string;
  readonly dt: string;
}

/** Result of the `clearPartition` handler. */
export interface ClearPartitionResult {
  /** The key prefix that was emptied, e.g. `labelled_telemetry/site=zwickau/dt=2026-12-01/`. */
  readonly prefix: string;
  /** Objects deleted (0 when the partition was never curated). */
  readonly deleted: number;
}

/** The step of a partition's curation that failed. */
export type FailedStage = 'clear' | 'query';

/** How one partition's curation ended, as its Map iteration records it. */
export type PartitionOutcome =
  | {
      readonly site: string;
      readonly dt: string;
      readonly status: 'curated';
      /** The Athena query that wrote the partition. */
      readonly queryExecutionId: string;
    }
  | {
      readonly site: string;
      readonly dt: string;
      readonly status: 'failed';
      readonly stage: FailedStage;
      /** The Step Functions error name; its cause is in the execution history. */
      readonly error: string;
    };

/** Event of the `report` handler: the outcome of every partition of the execution. */
export interface ReportEvent {
  readonly outcomes: readonly PartitionOutcome[];
}

/** Result of the `report` handler; the state machine fails with `summary` when `failed` > 0. */
export interface Report {
  readonly curated: number;
  readonly failed: number;
  /** `site/dt` of each failed partition. */
  readonly failedPartitions: readonly string[];
  /** One line: how many partitions were curated, and which failed with which error. */
  readonly summary: string;
}
