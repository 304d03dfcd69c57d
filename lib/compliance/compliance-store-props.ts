import type { RemovalPolicy } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Alerting } from '../alerts/alarms';

/** Sizes, availability and retention of the compliance store that an environment chooses. */
export interface ComplianceStoreSettings {
  /**
   * RDS DB instance class, e.g. `db.t4g.small` or `db.m7g.large` (Graviton classes are cheaper
   * for the same size).
   * @default 'db.t4g.small' - 2 vCPUs and 2 GiB, enough for one plant's summaries.
   */
  readonly instanceType?: string;
  /**
   * Whether RDS keeps a synchronous standby in a second availability zone and fails over to it.
   * @default true - a zone outage does not stop ingestion or the dashboard.
   */
  readonly multiAz?: boolean;
  /**
   * Days of automated backups (daily snapshots and transaction logs for point-in-time recovery),
   * 1-35.
   * @default 35 - the longest RDS keeps automated backups.
   */
  readonly backupRetentionDays?: number;
  /**
   * Whether the instance refuses to be deleted until this is switched off.
   * @default true - a stack deletion or replacement cannot drop the store.
   */
  readonly deletionProtection?: boolean;
  /**
   * Storage allocated at creation, in GiB (gp3, 20-65536).
   * @default 20 - the gp3 minimum; storage autoscaling grows it.
   */
  readonly allocatedStorageGiB?: number;
  /**
   * Ceiling of storage autoscaling, in GiB; above `allocatedStorageGiB`, at most 65536.
   * @default 100 - five times the default allocation.
   */
  readonly maxAllocatedStorageGiB?: number;
  /**
   * Days Performance Insights keeps its history: 7 (free), a multiple of 31 up to 713, or 731.
   * @default 7 - the free tier: one week of query and wait history.
   */
  readonly performanceInsightsRetentionDays?: number;
  /**
   * Seconds between Enhanced Monitoring samples of the operating system: 1, 5, 10, 15, 30 or 60.
   * @default 60 - one sample a minute.
   */
  readonly monitoringIntervalSeconds?: number;
  /**
   * Days between rotations of the master password, 1-365.
   * @default 30
   */
  readonly secretRotationDays?: number;
}

/** Properties of a {@link ComplianceStore}. */
export interface ComplianceStoreProps extends ComplianceStoreSettings {
  /** The VPC of the instance, the proxy and the functions. Required, no default. */
  readonly vpc: ec2.IVpc;
  /**
   * Private subnets of the instance, the proxy and the functions (at least two zones for the DB
   * subnet group); they reach Lambda, S3 and Secrets Manager through VPC endpoints.
   * @default - the VPC's private isolated subnets.
   */
  readonly subnets?: ec2.SubnetSelection;
  /**
   * An existing customer-managed key for the storage, the snapshots, Performance Insights and
   * the master secret. Its key policy must let IAM policies of this account use it.
   * @default - a new key with yearly rotation.
   */
  readonly encryptionKey?: kms.IKey;
  /** Key of the log groups (PostgreSQL logs, functions); CloudWatch Logs must be allowed to use it. */
  readonly logKey: kms.IKey;
  /**
   * Days the exported PostgreSQL and upgrade logs are kept (the functions' logs are kept one year,
   * as every function's in uns-mlops).
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * RDS instance identifier, also the name in the log group paths
   * (`/aws/rds/instance/<id>/postgresql`). Lowercase letters, digits and hyphens, at most 63.
   * @default 'uns-mlops-validation'
   */
  readonly instanceIdentifier?: string;
  /**
   * What happens to the store when it leaves the stack. `DESTROY` deletes the instance, its key
   * and logs (throw-away environments); anything else takes a final snapshot of the instance and
   * keeps the key and the logs.
   * @default RemovalPolicy.RETAIN - a final snapshot; key and logs kept.
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Folder of the forward-only `*.sql` migrations the schema custom resource applies on deploy.
   * @default - `validation-store/migrations`, the set the edge validator applies too.
   */
  readonly migrationsDir?: string;
  /**
   * Where the instance's alarms go: CPU, free storage and connections (see
   * {@link ComplianceStore}).
   * @default - no alarms.
   */
  readonly alerts?: Alerting;
}

/** The defaults of {@link ComplianceStoreSettings}, in one place. */
export const COMPLIANCE_STORE_DEFAULTS = {
  instanceType: 'db.t4g.small',
  multiAz: true,
  backupRetentionDays: 35,
  deletionProtection: true,
  allocatedStorageGiB: 20,
  maxAllocatedStorageGiB: 100,
  performanceInsightsRetentionDays: 7,
  monitoringIntervalSeconds: 60,
  secretRotationDays: 30,
  instanceIdentifier: 'uns-mlops-validation',
} as const;
