/**
 * What an environment's stacks deploy that is billed by the piece (keys, secrets, endpoints,
 * alarms, dashboards, functions, workflows), derived from its configuration as the stacks derive
 * it. The counts follow lib/ as synthesized; test/cost/inventory.test.ts compares them with what
 * `cdk synth` writes for every environment, so a stack that adds a billed resource fails the test
 * until it is counted here.
 */
import type { EnvironmentConfig } from '../../lib/config/environment';
import { STREAMING_DEFAULTS } from '../../lib/streaming/streaming-props';

/** Billed-by-the-piece resources of one environment serving `plants` plants. */
export interface Inventory {
  /** Customer-managed KMS keys (Lakehouse, network logs, compliance store and ingest, API, fleet, pipeline, monitoring, alerts). */
  readonly kmsKeys: number;
  /** Secrets Manager secrets (the compliance store's master credentials, rotated). */
  readonly secrets: number;
  /** Interface VPC endpoints (each billed per availability zone). */
  readonly interfaceEndpoints: number;
  /** Availability zones of the private subnets. */
  readonly availabilityZones: number;
  /** NAT gateways: none, the subnets are isolated (AWS services through endpoints). */
  readonly natGateways: number;
  /** CloudWatch alarms. */
  readonly alarms: number;
  /** CloudWatch dashboards. */
  readonly dashboards: number;
  /**
   * Custom CloudWatch metrics (name × dimension set): the functions' own metrics and, per plant,
   * the edge KPIs (10 per site) and the drift share.
   */
  readonly customMetrics: number;
  /** Firehose delivery streams (one per Lakehouse raw table). */
  readonly deliveryStreams: number;
  /** Kafka topics and their partitions in total. */
  readonly topics: number;
  readonly partitions: number;
}

/** Interface endpoints of the network stack: STS, Lambda and Firehose (lib/network/uns-network.ts). */
const NETWORK_ENDPOINTS = 3;
/** The compliance store's Secrets Manager endpoint (secret rotation from the isolated subnets). */
const COMPLIANCE_STORE_ENDPOINTS = 1;
/** The MSK control-plane endpoint the serverless topics' custom resource calls. */
const SERVERLESS_TOPICS_ENDPOINTS = 1;
/**
 * Alarms without a site: every function's errors and throttles, the streams' delivery, the
 * consumers' lag, the store, the API, the curation, the pipeline, the rollouts (issue 18).
 */
const ALARMS = 105;
/** Alarms of provisioned brokers only: disk, produce and request throttling. */
const PROVISIONED_BROKER_ALARMS = 3;
/** Alarms per plant: the seven edge KPI alarms (no data, spool, stalls, shares, errors) and the drift alarm. */
const ALARMS_PER_PLANT = 8;
/** Dashboards: one of the environment, and one per plant. */
const DASHBOARDS = 1;
const DASHBOARDS_PER_PLANT = 1;
/** The functions' own metrics (3 per flattener, 9 of the ingest, 5 of the API, the KPI function's rejects). */
const CUSTOM_METRICS = 33;
/** Edge KPI metrics per site (lambdas/edge-kpi-metrics: 10) and its drift share. */
const CUSTOM_METRICS_PER_PLANT = 11;
/** Kafka topics of the UNS bridge (lib/streaming/topics.ts). */
const TOPICS = 9;

/**
 * The inventory of `config` with `plants` plants (the configuration's own plants by default).
 */
export function inventory(
  config: EnvironmentConfig,
  plants: number = config.plants.length,
): Inventory {
  const cluster = config.streaming.cluster ?? STREAMING_DEFAULTS.cluster;
  const serverless = cluster.mode === 'serverless';
  const perTopic = config.streaming.topicPartitions ?? STREAMING_DEFAULTS.topicPartitions;
  const overrides = Object.values(config.streaming.partitionOverrides ?? {});
  return {
    kmsKeys: 9,
    secrets: 1,
    interfaceEndpoints:
      NETWORK_ENDPOINTS +
      COMPLIANCE_STORE_ENDPOINTS +
      (serverless ? SERVERLESS_TOPICS_ENDPOINTS : 0),
    availabilityZones: config.streaming.availabilityZones,
    natGateways: 0,
    alarms: ALARMS + (serverless ? 0 : PROVISIONED_BROKER_ALARMS) + ALARMS_PER_PLANT * plants,
    dashboards: DASHBOARDS + DASHBOARDS_PER_PLANT * plants,
    customMetrics: CUSTOM_METRICS + CUSTOM_METRICS_PER_PLANT * plants,
    deliveryStreams: 9,
    topics: TOPICS,
    partitions: (TOPICS - overrides.length) * perTopic + overrides.reduce((sum, n) => sum + n, 0),
  };
}
