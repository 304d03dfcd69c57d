import type { AlertSettings } from '../alerts/alert-settings';
import type { ComplianceStoreSettings as ComplianceStoreConstructSettings } from '../compliance/compliance-store-props';
import type { ComplianceApiSettings as ComplianceApiConstructSettings } from '../compliance-api/compliance-api-props';
import type { LakehouseCurationProps } from '../curation/lakehouse-curation-props';
import type { LakehouseProps } from '../lakehouse/lakehouse-props';
import type { MlPipelineProps } from '../ml-pipeline/ml-pipeline-props';
import type { ModelRolloutSettings as ModelRolloutConstructSettings } from '../model-rollout/model-rollout-props';
import type { ModelDriftMonitorSettings } from '../model-monitoring/model-drift-monitor-props';
import type { StreamingSettings as StreamingConstructSettings } from '../streaming/streaming-props';

/**
 * The typed shape of one deployment environment (dev, prod, ...). Values live in
 * `environments.ts`; `resolveEnvironment` picks one by name and validates it.
 */

/** A production line of a plant, as named in the UNS topic hierarchy (ISA-95 `line` level). */
export interface LineConfig {
  /** Line id as it appears in UNS topics, e.g. `body-weld-1`. Lowercase letters, digits and hyphens. */
  readonly id: string;
  /** ISA-95 area the line belongs to, e.g. `body-shop`. Same character rules as `id`. */
  readonly area: string;
}

/** One plant (ISA-95 site) served by an environment. */
export interface PlantConfig {
  /**
   * Site id as it appears in UNS topics, S3 partitions (`site=<id>`) and Lake Formation tags.
   * Lowercase letters, digits and hyphens, starting with a letter, at most 32 characters.
   */
  readonly siteId: string;
  /** Human-readable plant name, shown on dashboards. */
  readonly displayName: string;
  /** The plant's production lines. At least one. */
  readonly lines: readonly LineConfig[];
  /** AWS IoT thing group holding the plant's Greengrass core devices (edge deployments target it). */
  readonly greengrassThingGroup: string;
  /**
   * URL of the plant's UNS broker as the core devices reach it, merged into each component's
   * configuration (`mqtt://`, `mqtts://`, `ws://` or `wss://`).
   * @default 'mqtt://localhost:1883' (a broker on the core device)
   */
  readonly brokerUrl?: string;
}

/** The canary: a few core devices that receive every new component version before the plants. */
export interface CanaryConfig {
  /** AWS IoT thing group of the canary core devices (distinct from every plant's group). */
  readonly thingGroup: string;
  /**
   * Site whose UNS the canary devices serve: they get that plant's configuration, and the gate
   * judges the canary by that site's KPIs. A pilot line with a site id of its own gives the
   * cleanest signal.
   */
  readonly siteId: string;
}

/** Limits of the edge KPIs the rollout gate alarms on (per site, over one evaluation period). */
export interface EdgeKpiThresholds {
  /**
   * Lowest acceptable share of valid UNS messages, in percent.
   * @default 95
   */
  readonly minValidSharePercent?: number;
  /**
   * Highest acceptable share of scored windows the serving model flags as anomalous, in percent.
   * @default 20
   */
  readonly maxAnomalyRatePercent?: number;
  /**
   * Highest acceptable inference errors (refused model bundles, failed scorings) per period.
   * @default 0
   */
  readonly maxInferenceErrors?: number;
  /**
   * Highest acceptable records waiting in a bridge's spool.
   * @default 10000
   */
  readonly maxSpoolRecords?: number;
  /**
   * Length of one evaluation period in minutes.
   * @default 5
   */
  readonly periodMinutes?: number;
}

/** The rollout timings used where an environment sets none. */
export const ROLLOUT_DEFAULTS = { bakeMinutes: 15, gateTimeoutMinutes: 60 } as const;

/**
 * How new edge component versions reach an environment's plants: the canary group first, a bake
 * time, the KPI gate, then the plants wave by wave, each wave gated the same way.
 */
export interface EdgeRolloutSettings {
  /** Enterprise level of the plants' UNS topics (`{enterprise}/{site}/...`). */
  readonly enterprise: string;
  /** The canary group. */
  readonly canary: CanaryConfig;
  /** Site ids per wave, in rollout order; every plant in exactly one wave. */
  readonly waves: readonly (readonly string[])[];
  /**
   * Minutes new versions run on a wave before the gate first judges it.
   * @default 15
   */
  readonly bakeMinutes?: number;
  /**
   * Minutes after the gate starts (the bake time included) by which every device must have
   * reported and every KPI must have data; anything still missing then fails the gate. Longer
   * than `bakeMinutes`.
   * @default 60
   */
  readonly gateTimeoutMinutes?: number;
  /** KPI limits of the gate. */
  readonly kpis?: EdgeKpiThresholds;
}

/**
 * Sizes and retention of the Lakehouse in one environment: the Lakehouse construct's own props
 * (see their TSDoc for meaning and defaults), plus the administrators as role ARNs.
 */
export interface LakehouseSettings extends Pick<
  LakehouseProps,
  | 'rawIntelligentTieringAfterDays'
  | 'rawGlacierInstantRetrievalAfterDays'
  | 'rawExpireAfterDays'
  | 'curatedIntelligentTieringAfterDays'
  | 'athenaResultsExpireAfterDays'
  | 'athenaBytesScannedCutoffGiB'
> {
  /**
   * IAM role ARNs made Lake Formation data-lake administrators, besides the CDK deployment role.
   * Typically the platform team's SSO role.
   */
  readonly lakeFormationAdminRoleArns: readonly string[];
}

/**
 * The streaming path of one environment: the MSK cluster (serverless or provisioned, see
 * `StreamingSettings` in lib/streaming for meaning and defaults), topic partitions, the plant
 * networks allowed to reach the brokers, and the VPC they live in.
 */
export interface StreamingSettings extends StreamingConstructSettings {
  /** IPv4 CIDR of the environment's VPC; must not overlap any plant network. */
  readonly vpcCidr: string;
  /** Availability zones of the VPC's private subnets (2 or 3; MSK needs at least 2). */
  readonly availabilityZones: number;
}

/**
 * The SageMaker pipeline of one environment: the ML pipeline construct's own props (see their TSDoc
 * for meaning and defaults). The approval status is always given, so each environment says whether
 * a person approves new models (production must).
 */
export type MlPipelineSettings = Pick<
  MlPipelineProps,
  | 'inputSource'
  | 'scheduleExpression'
  | 'scheduleTimeZone'
  | 'processingInstanceType'
  | 'trainingInstanceType'
  | 'minRocAuc'
  | 'minF1'
  | 'window'
  | 'stride'
  | 'epochs'
> &
  Required<Pick<MlPipelineProps, 'modelApprovalStatus'>>;

/**
 * The Lakehouse curation of one environment (raw → curated `labelled_telemetry`, per site and day):
 * the curation construct's own props (see their TSDoc for meaning and defaults): the daily
 * schedule, whether it runs, how many days back each run curates and how many partitions at once.
 */
export type CurationSettings = Pick<
  LakehouseCurationProps,
  | 'scheduleExpression'
  | 'scheduleTimeZone'
  | 'scheduleEnabled'
  | 'lookbackDays'
  | 'maxConcurrentPartitions'
>;

/**
 * The cloud drift check of one environment's model: check interval, lookback, drift threshold and
 * alarm window, retraining cooldown and who is notified (see `ModelDriftMonitorSettings` in
 * lib/model-monitoring for meaning and defaults).
 */
export type ModelMonitoringSettings = ModelDriftMonitorSettings;

/**
 * How an approved model reaches the plants (lib/model-rollout): bake time and comparisons of the
 * candidate in shadow at the canary, the agreement and anomaly-rate limits it must meet, and who
 * is notified (see `ModelRolloutSettings` in lib/model-rollout for meaning and defaults).
 */
export type ModelRolloutSettings = ModelRolloutConstructSettings;

/**
 * The cloud validation store of one environment: the compliance store construct's own settings
 * (instance class, Multi-AZ, backups, deletion protection, storage, Performance Insights, secret
 * rotation; see `ComplianceStoreSettings` in lib/compliance for meaning and defaults). The
 * defaults are production's (Multi-AZ, 35 days of backups, deletion protection); a throw-away
 * environment loosens them here on purpose.
 */
export type ComplianceStoreSettings = ComplianceStoreConstructSettings;

/**
 * The compliance API, its Cognito users and the hosted dashboard of one environment: hosted UI
 * domain prefix, an optional dashboard domain with its certificate, an optional WAF web ACL and
 * country allowlist, throttling, the function's reserved concurrency and the dashboard's refresh
 * (see `ComplianceApiSettings` in lib/compliance-api for meaning and defaults).
 */
export type ComplianceApiSettings = ComplianceApiConstructSettings;

/** Everything that differs between two deployments of uns-mlops. */
export interface EnvironmentConfig {
  /** Environment name, used in stack names and resource tags. Lowercase letters and digits. */
  readonly name: string;
  /** 12-digit AWS account id the environment deploys to. */
  readonly account: string;
  /** AWS region the environment deploys to, e.g. `eu-central-1`. */
  readonly region: string;
  /**
   * Whether stateful resources (buckets, keys) are deleted with the stack. Only for throw-away
   * environments: production keeps its data when a stack is deleted.
   */
  readonly allowDestroy: boolean;
  /** The plants this environment serves. At least one. */
  readonly plants: readonly PlantConfig[];
  /** Lakehouse sizes and retention. */
  readonly lakehouse: LakehouseSettings;
  /** The SageMaker pipeline: model approval, schedule, instance types and quality gate. */
  readonly mlPipeline: MlPipelineSettings;
  /**
   * The scheduled curation of the Lakehouse into the training table.
   * @default - every default of `CurationSettings`: daily at 02:30 UTC, enabled, the two previous
   *   days, four partitions at once.
   */
  readonly curation?: CurationSettings;
  /**
   * The drift check over the Lakehouse, its alarms and the rate-limited retraining.
   * @default - every default of `ModelMonitoringSettings`: hourly checks over 6 hours, alarm at a
   *   drifted share of 0.5 in 2 of 3 checks, at most one retraining a day, no email subscription.
   */
  readonly modelMonitoring?: ModelMonitoringSettings;
  /** MSK, topics and plant connectivity. */
  readonly streaming: StreamingSettings;
  /** Canary, waves and KPI gate of the edge component rollout. */
  readonly edgeRollout: EdgeRolloutSettings;
  /**
   * The rollout of an approved model: shadow trial at the canary, comparison limits, notification.
   * @default - every default of `ModelRolloutSettings`: an hour of shadow, then a comparison every
   *   15 minutes (at most 8), 95 % agreement, a rise of at most 5 points, 500 windows, no email.
   */
  readonly modelRollout?: ModelRolloutSettings;
  /** The RDS validation store: instance size, availability, backups and retention. */
  readonly complianceStore: ComplianceStoreSettings;
  /**
   * The compliance API, its users and the hosted dashboard.
   * @default - every default of `ComplianceApiSettings`: hosted UI prefix
   * `uns-mlops-<name>-<account>`, the cloudfront.net name, no web ACL, every country, 50 requests/s
   * (burst 100), 10 concurrent functions, refresh every 30 s.
   */
  readonly complianceApi?: ComplianceApiSettings;
  /**
   * The environment's notification topic: who is subscribed, and the limits of the alarms every
   * stack sets on its resources (see `AlertSettings` in lib/alerts).
   * @default - no email subscription, every limit of `ALERTS_DEFAULTS`.
   */
  readonly alerts?: AlertSettings;
}
