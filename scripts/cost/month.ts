/**
 * The month of an environment in quantities: the plants' messages, rows and bytes at each step of
 * the data path, the runs of what is scheduled, the functions' invocations and the dashboard's
 * use, from the configuration (with the constructs' defaults), the measured traffic and the
 * workload assumptions.
 */
import type { EnvironmentConfig } from '../../lib/config/environment';
import { COMPLIANCE_API_DEFAULTS } from '../../lib/compliance-api/compliance-api-props';
import { LAKEHOUSE_CURATION_DEFAULTS } from '../../lib/curation/lakehouse-curation-props';
import { ML_PIPELINE_DEFAULTS } from '../../lib/ml-pipeline/ml-pipeline-props';
import { resolveModelDriftMonitorSettings } from '../../lib/model-monitoring/model-drift-monitor-props';
import { type KafkaClusterSettings, STREAMING_DEFAULTS } from '../../lib/streaming/streaming-props';
import { type Inventory, inventory } from './inventory';
import type { PriceList } from './prices';
import { HOURS_PER_MONTH, runsPerMonth } from './schedule';
import type { MessageFlow, PlantTraffic, WorkloadAssumptions } from './workload';

const MIB = 1024 ** 2;
/** Seconds in the month AWS prices by. */
export const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;
/** Firehose bills each record rounded up to 5 KB. */
const FIREHOSE_RECORD_UNIT = 5 * 1024;
/** Firehose's buffer (lib/streaming/lakehouse-delivery.ts): 128 MiB or 300 s. */
const FIREHOSE_BUFFER_BYTES = 128 * MIB;
const FIREHOSE_BUFFER_SECONDS = 300;
/** Records per invocation of the flatteners and of the KPI function (their event source mappings). */
export const FLATTENER_BATCH = 100;
const KPI_BATCH = 500;
/** Kafka consumers of each flow: telemetry (its flattener), scores (ML flattener, KPI function), events (their flatteners). */
const CONSUMERS = { telemetry: 1, scores: 2, events: 1 } as const;

/** What every line's computation reads: the environment, its workload and the month's volumes. */
export interface Month {
  readonly config: EnvironmentConfig;
  readonly plants: number;
  readonly workload: WorkloadAssumptions;
  readonly prices: PriceList;
  readonly stock: Inventory;
  readonly cluster: KafkaClusterSettings;
  /** Per flow: messages, rows and Kafka bytes a month, for all plants. */
  readonly messages: Flows<number>;
  readonly rows: Flows<number>;
  readonly kafkaBytes: Flows<number>;
  /** Bytes written to and read from Kafka a month. */
  readonly kafkaIn: number;
  readonly kafkaOut: number;
  /** Bytes of JSON rows the flatteners hand to Firehose, per flow, and Firehose's billed bytes. */
  readonly firehoseInput: Flows<number>;
  readonly firehoseBilled: number;
  /** Objects the delivery streams write a month: telemetry, and all streams. */
  readonly telemetryObjects: number;
  readonly objects: number;
  /** Runs a month of the curation and of the SageMaker pipeline; drift checks a month. */
  readonly curationRuns: number;
  readonly lookbackDays: number;
  readonly pipelineRuns: { readonly scheduled: number; readonly retrainings: number };
  readonly driftChecks: number;
  /** Invocations a month of the functions, and the dashboard's use. */
  readonly invocations: {
    /** The flatteners of telemetry, scores, states and inspections. */
    readonly flatteners: number;
    /** The KPI function and the validation consumers. */
    readonly consumers: number;
    /** The drift check and the curation's functions. */
    readonly scheduled: number;
  };
  readonly dashboard: DashboardUse;
}

/** A value per kind of message. */
export type Flows<T> = Record<'telemetry' | 'scores' | 'events', T>;

/** The month of `config` with `plants` plants, each sending `traffic`. */
export function monthOf(
  config: EnvironmentConfig,
  plants: number,
  traffic: PlantTraffic,
  workload: WorkloadAssumptions,
  prices: PriceList,
): Month {
  const flows: Flows<MessageFlow> = traffic;
  const perMonth = (flow: MessageFlow) =>
    flow.perSecond * plants * SECONDS_PER_MONTH * workload.streamingShare;
  const messages = mapFlows(flows, perMonth);
  const rows = mapFlows(flows, (flow) => perMonth(flow) * flow.rowsPerMessage);
  const kafkaBytes = mapFlows(flows, (flow) => perMonth(flow) * flow.kafkaBytes);
  const firehoseInput = mapFlows(
    flows,
    (flow) => perMonth(flow) * flow.rowsPerMessage * flow.rowBytes,
  );
  const billed = mapFlows(flows, (flow) => {
    const records = (perMonth(flow) * flow.rowsPerMessage) / flow.rowsPerFirehoseRecord;
    const recordBytes = flow.rowsPerFirehoseRecord * flow.rowBytes;
    return records * Math.ceil(recordBytes / FIREHOSE_RECORD_UNIT) * FIREHOSE_RECORD_UNIT;
  });
  const stock = inventory(config, plants);
  const telemetryObjects = objectsPerSite(firehoseInput.telemetry / plants) * plants;
  const scoreObjects = objectsPerSite(firehoseInput.scores / plants) * plants;
  // The streams besides telemetry and scores write one object per site and buffer interval.
  const smallObjects =
    (stock.deliveryStreams - 2) * plants * (SECONDS_PER_MONTH / FIREHOSE_BUFFER_SECONDS);
  const curation = { ...LAKEHOUSE_CURATION_DEFAULTS, ...definedOnly(config.curation) };
  const monitoring = resolveModelDriftMonitorSettings(config.modelMonitoring ?? {});
  const ml = { ...ML_PIPELINE_DEFAULTS, ...definedOnly(config.mlPipeline) };
  const curationRuns = curation.scheduleEnabled ? runsPerMonth(curation.scheduleExpression) : 0;
  const driftChecks = (HOURS_PER_MONTH * 60) / monitoring.checkIntervalMinutes;
  const refreshSeconds =
    config.complianceApi?.refreshSeconds ?? COMPLIANCE_API_DEFAULTS.refreshSeconds;
  return {
    config,
    plants,
    workload,
    prices,
    stock,
    cluster: config.streaming.cluster ?? STREAMING_DEFAULTS.cluster,
    messages,
    rows,
    kafkaBytes,
    kafkaIn: sum(Object.values(kafkaBytes)),
    kafkaOut: sum(FLOW_NAMES.map((flow) => kafkaBytes[flow] * CONSUMERS[flow])),
    firehoseInput,
    firehoseBilled: sum(Object.values(billed)),
    telemetryObjects,
    objects: telemetryObjects + scoreObjects + smallObjects,
    curationRuns,
    lookbackDays: curation.lookbackDays,
    pipelineRuns: {
      scheduled: runsPerMonth(ml.scheduleExpression),
      retrainings: Math.min(
        workload.driftRetrainingsPerPlantPerMonth * plants,
        HOURS_PER_MONTH / monitoring.retrainingCooldownHours,
      ),
    },
    driftChecks,
    invocations: {
      flatteners:
        invocations(messages.telemetry, FLATTENER_BATCH, 5) +
        invocations(messages.scores, FLATTENER_BATCH, 5) +
        2 * invocations(messages.events / 2, FLATTENER_BATCH, 30),
      // The KPI function on uns.ml, uns.validation and uns.heartbeat (batches of 500, 10 s),
      // the validation ingest (5 s) and the summaries' flattener (30 s) on uns.validation.
      consumers:
        invocations(messages.scores, KPI_BATCH, 10) +
        2 * (SECONDS_PER_MONTH / 10) +
        SECONDS_PER_MONTH / 5 +
        SECONDS_PER_MONTH / 30,
      scheduled: driftChecks + curationRuns * (2 + plants * curation.lookbackDays),
    },
    dashboard: dashboardUse(workload, plants, refreshSeconds),
  };
}

/** What the dashboard's users do a month. */
interface DashboardUse {
  readonly cdnBytes: number;
  readonly cdnRequests: number;
  readonly apiRequests: number;
}

/** What the dashboard's users do a month: CloudFront bytes and requests, API requests. */
function dashboardUse(
  workload: WorkloadAssumptions,
  plants: number,
  refreshSeconds: number,
): DashboardUse {
  const userDays = workload.dashboardUsersPerPlant * plants * workload.workingDaysPerMonth;
  const loads = userDays * workload.dashboardPageLoadsPerUserPerDay;
  const refreshes = userDays * ((workload.dashboardHoursOpenPerUserPerDay * 3600) / refreshSeconds);
  return {
    cdnBytes: loads * workload.dashboardMiBPerPageLoad * MIB,
    cdnRequests: loads * workload.dashboardRequestsPerPageLoad,
    apiRequests: refreshes * workload.dashboardApiCallsPerRefresh,
  };
}

/**
 * Invocations of an event source mapping a month: full batches when the records fill one within
 * the batching window, else one invocation per window while records arrive.
 */
function invocations(recordsPerMonth: number, batchSize: number, windowSeconds: number): number {
  const perSecond = recordsPerMonth / SECONDS_PER_MONTH;
  if (perSecond === 0) return 0;
  const perWindow = perSecond * windowSeconds;
  return perWindow >= batchSize ? recordsPerMonth / batchSize : SECONDS_PER_MONTH / windowSeconds;
}

/** Objects one stream writes for one site a month: a buffer of 128 MiB or 300 s, whichever fills first. */
function objectsPerSite(bytesPerMonth: number): number {
  return Math.max(
    bytesPerMonth / FIREHOSE_BUFFER_BYTES,
    SECONDS_PER_MONTH / FIREHOSE_BUFFER_SECONDS,
  );
}

const FLOW_NAMES = ['telemetry', 'scores', 'events'] as const;

function mapFlows<V, W>(flows: Flows<V>, fn: (value: V) => W): Flows<W> {
  return { telemetry: fn(flows.telemetry), scores: fn(flows.scores), events: fn(flows.events) };
}

export function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** The defined props of a settings object, so `undefined` does not override a default. */
export function definedOnly<T extends object>(settings: T | undefined): Partial<T> {
  return Object.fromEntries(
    Object.entries(settings ?? {}).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}
