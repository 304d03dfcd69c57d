/**
 * The monthly cost of one environment serving a number of plants: every billed line of what its
 * stacks deploy, each computed from the environment's configuration, the measured plant traffic,
 * the workload assumptions and the price list, with the derivation spelled out.
 */
import type { EnvironmentConfig } from '../../lib/config/environment';
import { STREAMING_DEFAULTS } from '../../lib/streaming/streaming-props';
import { count, KAFKA_RETENTION_HOURS, SERVICE_LINES } from './lines';
import { FLATTENER_BATCH, type Month, monthOf, SECONDS_PER_MONTH, sum } from './month';
import type { PriceList } from './prices';
import { HOURS_PER_MONTH } from './schedule';
import type { PlantTraffic, WorkloadAssumptions } from './workload';

/** The rows of the table, in order: the services the brief names, then what else costs money. */
export const SERVICES = [
  'MSK',
  'RDS',
  'RDS Proxy',
  'Firehose',
  'S3',
  'Athena',
  'SageMaker',
  'Lambda',
  'CloudFront',
  'API Gateway',
  'VPC endpoints',
  'CloudWatch',
  'KMS',
  'Secrets Manager',
  'Step Functions',
  'Cognito',
  'Other',
] as const;

/** A row of the table. */
export type Service = (typeof SERVICES)[number];

/** One billed line: what, how much a month, and how the figure follows. */
export interface CostLine {
  readonly service: Service;
  readonly item: string;
  /** US dollars a month. */
  readonly usd: number;
  /** The quantities and prices multiplied, in words and numbers. */
  readonly derivation: string;
}

/** The month of one environment at one number of plants. */
export interface EnvironmentEstimate {
  readonly environment: string;
  readonly plants: number;
  readonly lines: readonly CostLine[];
  readonly totalUsd: number;
  /** Limits the workload would exceed as configured (quotas, disk), for the README. */
  readonly warnings: readonly string[];
}

/** Direct PUT throughput of a stream before a quota increase (1 MiB/s outside the three largest regions, 5 MiB/s in them). */
const FIREHOSE_DEFAULT_MIB_PER_SECOND = 1;
const REPLICATION_FACTOR = 3;
const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

/**
 * The month of `config` with `plants` plants, each sending `traffic`.
 *
 * @throws Error when an instance type of the configuration has no price in `prices`.
 */
export function estimateEnvironment(
  config: EnvironmentConfig,
  plants: number,
  traffic: PlantTraffic,
  workload: WorkloadAssumptions,
  prices: PriceList,
): EnvironmentEstimate {
  const month = monthOf(config, plants, traffic, workload, prices);
  const lines = SERVICE_LINES.flatMap((linesOf) => linesOf(month));
  return {
    environment: config.name,
    plants,
    lines,
    totalUsd: sum(lines.map((line) => line.usd)),
    warnings: warningsOf(month),
  };
}

/** Limits the workload would exceed as configured. */
function warningsOf(m: Month): string[] {
  const warnings: string[] = [];
  const telemetryMiBs =
    m.firehoseInput.telemetry / (SECONDS_PER_MONTH * m.workload.streamingShare) / MIB;
  if (telemetryMiBs > FIREHOSE_DEFAULT_MIB_PER_SECOND) {
    warnings.push(
      `Firehose: the telemetry stream takes ${telemetryMiBs.toFixed(1)} MiB/s, over the default Direct PUT quota of ${FIREHOSE_DEFAULT_MIB_PER_SECOND} MiB/s in ${m.config.region} (as last known); request an increase.`,
    );
  }
  const telemetryPartitions =
    m.config.streaming.partitionOverrides?.['uns.telemetry'] ??
    m.config.streaming.topicPartitions ??
    STREAMING_DEFAULTS.topicPartitions;
  const rowsPerInvocation = FLATTENER_BATCH * (m.rows.telemetry / m.messages.telemetry);
  const invocationSeconds =
    (rowsPerInvocation * m.workload.flattenerMsPer1000Rows) / 1e6 + m.workload.firehosePutMs / 1000;
  const busy =
    (m.messages.telemetry / FLATTENER_BATCH / (SECONDS_PER_MONTH * m.workload.streamingShare)) *
    invocationSeconds;
  if (busy > 0.8 * telemetryPartitions) {
    warnings.push(
      `Lambda: the telemetry flattener needs ${busy.toFixed(1)} concurrent invocations, over 80 % of its reserved concurrency (the ${telemetryPartitions} partitions of uns.telemetry).`,
    );
  }
  if (m.cluster.mode === 'provisioned') {
    const cluster = m.cluster;
    const neededGiB =
      ((m.kafkaIn / HOURS_PER_MONTH) * KAFKA_RETENTION_HOURS * REPLICATION_FACTOR) /
      cluster.brokerCount /
      GIB;
    if (neededGiB > 0.8 * cluster.brokerStorageGiB) {
      warnings.push(
        `MSK: ${KAFKA_RETENTION_HOURS} h of retention at replication ${REPLICATION_FACTOR} needs ${count(neededGiB)} GiB per broker, over 80 % of the configured ${cluster.brokerStorageGiB} GiB.`,
      );
    }
  }
  return warnings;
}
