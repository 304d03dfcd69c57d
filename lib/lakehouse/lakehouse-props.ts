import type { RemovalPolicy } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Alerting } from '../alerts/alarms';

/** Who queries the Lakehouse, each with its own Lake Formation grants. */
export interface LakehousePersonas {
  /**
   * Data scientists: read every curated table (all sites, telemetry included).
   * @default - a role `DataScientist` that IAM principals of this account may assume.
   */
  readonly dataScientist?: iam.IRole;
  /**
   * Analysts: read the curated aggregate tables only (validation summaries, inference results).
   * @default - a role `Analyst` that IAM principals of this account may assume.
   */
  readonly analyst?: iam.IRole;
  /**
   * Plant engineers, by site id: each reads only the tables of its own site's database.
   * Sites missing from this map get a default role.
   * @default - a role `PlantEngineer-<site>` per site that IAM principals of this account may assume.
   */
  readonly plantEngineers?: Readonly<Record<string, iam.IRole>>;
}

/** Properties of a {@link Lakehouse}. */
export interface LakehouseProps {
  /**
   * Site ids of the plants whose data the Lakehouse holds. They are the values of the `site`
   * partition (partition projection enumerates them), of the `site` LF-tag, and each gets a
   * site-scoped database for its plant engineers.
   */
  readonly siteIds: readonly string[];

  /**
   * Prefix of Glue database and Athena workgroup names.
   * @default 'uns_mlops' - databases `uns_mlops_raw`, `uns_mlops_curated`, `uns_mlops_site_<site>`.
   */
  readonly namePrefix?: string;

  /**
   * An existing customer-managed KMS key for data, catalog metadata and query results.
   * @default - a new customer-managed key with yearly automatic rotation.
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * An existing bucket that receives the S3 server access logs of the Lakehouse buckets
   * (for example an organisation-wide logging bucket). Its bucket policy must let the S3 logging
   * service (`logging.s3.amazonaws.com`) write; CDK cannot change an imported bucket's policy and
   * warns about it. Cannot be combined with `accessLogsExpireAfterDays`, which shapes the default
   * bucket.
   * @default - a new access-log bucket (SSE-S3, as S3 server access logging requires).
   */
  readonly serverAccessLogsBucket?: s3.IBucket;

  /**
   * What happens to buckets and the key when they leave the stack.
   * @default RemovalPolicy.RETAIN - data outlives the stack; use DESTROY only for throw-away
   * environments (buckets must then be emptied before the stack is deleted).
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Where the Athena workgroup's alarms go: queries cancelled at the scan limit, the daily scan
   * budget.
   * @default - no alarms.
   */
  readonly alerts?: Alerting;

  /**
   * Days before raw objects move to S3 Intelligent-Tiering.
   * @default 0 - raw objects enter Intelligent-Tiering at once and tier down when not read.
   */
  readonly rawIntelligentTieringAfterDays?: number;

  /**
   * Days before raw objects move to Glacier Instant Retrieval; later than Intelligent-Tiering.
   * @default 90 - raw data older than three months is rarely read but stays queryable in milliseconds.
   */
  readonly rawGlacierInstantRetrievalAfterDays?: number;

  /**
   * Days before raw objects are deleted; later than the Glacier transition.
   * @default - raw objects are kept forever.
   */
  readonly rawExpireAfterDays?: number;

  /**
   * Days before replaced or deleted versions of raw and curated objects are deleted.
   * @default 30 - an overwritten or deleted object can be restored for a month.
   */
  readonly noncurrentVersionsExpireAfterDays?: number;

  /**
   * Days before curated objects move to S3 Intelligent-Tiering.
   * @default 30 - fresh curated data stays in S3 Standard while it is queried most.
   */
  readonly curatedIntelligentTieringAfterDays?: number;

  /**
   * Days before Athena query results are deleted.
   * @default 30
   */
  readonly athenaResultsExpireAfterDays?: number;

  /**
   * Days before S3 server access logs are deleted from the default access-log bucket.
   * @default 365 - one year of access history for audits.
   */
  readonly accessLogsExpireAfterDays?: number;

  /**
   * Largest amount of data one Athena query in the workgroup may scan, in GiB; the query is
   * cancelled beyond it. At least 10 MB (Athena's minimum).
   * @default 10
   */
  readonly athenaBytesScannedCutoffGiB?: number;

  /**
   * First day (yyyy-MM-dd) of the `dt` partition range that partition projection enumerates.
   * @default '2024-01-01'
   */
  readonly firstPartitionDate?: string;

  /**
   * Lake Formation data-lake administrators, besides the CDK deployment role (which is always added
   * so that CloudFormation can create tags and grants). Added to, not replacing, existing admins.
   * @default - only the CDK deployment role.
   */
  readonly lakeFormationAdmins?: readonly iam.IRole[];

  /**
   * The roles that query the Lakehouse.
   * @default - one role per persona, created by the construct.
   */
  readonly personas?: LakehousePersonas;
}

/** The defaults documented on {@link LakehouseProps}, in one place. */
export const LAKEHOUSE_DEFAULTS = {
  namePrefix: 'uns_mlops',
  rawIntelligentTieringAfterDays: 0,
  rawGlacierInstantRetrievalAfterDays: 90,
  noncurrentVersionsExpireAfterDays: 30,
  curatedIntelligentTieringAfterDays: 30,
  athenaResultsExpireAfterDays: 30,
  accessLogsExpireAfterDays: 365,
  athenaBytesScannedCutoffGiB: 10,
  firstPartitionDate: '2024-01-01',
} as const;
