import { type RemovalPolicy, Token } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Alerting } from '../alerts/alarms';
import type { UnsKafkaCluster } from '../streaming/kafka-cluster';
import type { ComplianceStore } from './compliance-store';

/** How the ingestion of `uns.validation` reads, retries and keeps what it cannot ingest. */
export interface ComplianceIngestSettings {
  /**
   * Records per invocation at most (1-10000).
   * @default 100 - about 6,000 rows of 20-channel summaries: one statement of ~0.2 s.
   */
  readonly batchSize?: number;
  /**
   * Times the event source mapping retries a batch the function failed, or the records it named
   * as failed (0-10; with an on-failure destination Lambda allows at most 10). Then the records
   * go to the dead-letter bucket.
   * @default 10 - a poison record holds its partition for ~11 quick invocations; a store outage of
   *   about as many retries is ridden out before batches go to the dead letter.
   */
  readonly retryAttempts?: number;
  /**
   * Provisioned event pollers of the mapping (provisioned mode, which the error-handling controls
   * need: partial batch response, bounded retries, on-failure destination). One poller serves up
   * to 5 concurrent invocations or 5 MB/s.
   * @default 1
   */
  readonly minimumPollers?: number;
  /**
   * Ceiling of the provisioned pollers (1-2000), at least `minimumPollers`.
   * @default 2
   */
  readonly maximumPollers?: number;
  /**
   * Poller group shared with other Kafka event source mappings of the VPC, which then share the
   * provisioned capacity (and its cost).
   * @default - pollers of this mapping's own.
   */
  readonly pollerGroupName?: string;
  /**
   * Days the dead-letter bucket keeps what the mapping gave up on (the whole invocation: records
   * and failure metadata), at least 1.
   * @default 365
   */
  readonly deadLetterExpireAfterDays?: number;
}

/** Properties of a {@link ComplianceIngest}. */
export interface ComplianceIngestProps extends ComplianceIngestSettings {
  /** The store the summaries go to, through its proxy as `validation_ingest`. */
  readonly store: ComplianceStore;
  /** The MSK cluster whose `uns.validation` the plants' bridges produce to. */
  readonly cluster: UnsKafkaCluster;
  /** Partitions of `uns.validation`: at most this many invocations run at once. */
  readonly topicPartitions: number;
  /** The VPC of the store's proxy. */
  readonly vpc: ec2.IVpc;
  /**
   * Subnets of the function: they reach the proxy.
   * @default - the VPC's private isolated subnets.
   */
  readonly subnets?: ec2.SubnetSelection;
  /** Key of the function's log group. */
  readonly logKey: kms.IKey;
  /**
   * An existing customer-managed key for the dead-letter bucket.
   * @default - a new key with yearly rotation.
   */
  readonly deadLetterKey?: kms.IKey;
  /**
   * Where the dead-letter bucket's S3 server access logs go.
   * @default - an access-log bucket of this construct, logs kept one year.
   */
  readonly accessLogsBucket?: s3.IBucket;
  /**
   * Where the alarms go: poison records, the function's errors, throttles and offset lag, and the
   * lag of its consumer group.
   * @default - no alarms.
   */
  readonly alerts?: Alerting;
  /**
   * The validator's `enforcement.quarantinePrefix`: records under it are quarantine copies.
   * @default '_quarantine'
   */
  readonly quarantinePrefix?: string;
  /**
   * What happens to the dead letters, their key and the logs when they leave the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** The defaults of {@link ComplianceIngestSettings}, in one place. */
export const COMPLIANCE_INGEST_DEFAULTS = {
  batchSize: 100,
  retryAttempts: 10,
  minimumPollers: 1,
  maximumPollers: 2,
  deadLetterExpireAfterDays: 365,
  quarantinePrefix: '_quarantine',
} as const;

/**
 * Every problem of the settings, each naming its field under `prefix` (empty when they are
 * sound). Unresolved tokens are not checked.
 */
export function complianceIngestSettingsProblems(
  settings: ComplianceIngestSettings,
  prefix = '',
): string[] {
  const problems: string[] = [];
  const check = (
    field: keyof ComplianceIngestSettings,
    value: number | undefined,
    low: number,
    high: number,
  ) => {
    if (value === undefined || Token.isUnresolved(value)) return;
    if (!Number.isInteger(value) || value < low || value > high) {
      problems.push(`${prefix}${field} (${value}) must be a whole number in ${low}-${high}`);
    }
  };
  check('batchSize', settings.batchSize, 1, 10_000);
  check('retryAttempts', settings.retryAttempts, 0, 10);
  check('minimumPollers', settings.minimumPollers, 1, 200);
  check('maximumPollers', settings.maximumPollers, 1, 2000);
  check('deadLetterExpireAfterDays', settings.deadLetterExpireAfterDays, 1, 36_500);
  const minimum = settings.minimumPollers ?? COMPLIANCE_INGEST_DEFAULTS.minimumPollers;
  const maximum = settings.maximumPollers ?? COMPLIANCE_INGEST_DEFAULTS.maximumPollers;
  if (!Token.isUnresolved(minimum) && !Token.isUnresolved(maximum) && minimum > maximum) {
    problems.push(
      `${prefix}maximumPollers (${maximum}) must be at least minimumPollers (${minimum})`,
    );
  }
  return problems;
}
