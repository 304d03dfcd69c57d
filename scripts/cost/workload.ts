/**
 * The workload the cost model prices, in one place: what is assumed (each value explained) and
 * what is measured by running the project's own code (the welding simulator's messages, the
 * bridge's gzip, the telemetry flattener's rows and Firehose records).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { mskRecord } from '@uns-mlops/msk-records';
import { type CellAddress, defaultCells, WeldingCellSimulator } from '@uns-mlops/welding-simulator';
import { parse } from 'yaml';
import { assetStatesFlattener } from '../../lambdas/uns-telemetry-flattener/src/asset-states';
import { packRows, type PartitionedRow } from '../../lambdas/uns-telemetry-flattener/src/delivery';
import { telemetryFlattener } from '../../lambdas/uns-telemetry-flattener/src/flatten';
import type { Flattener } from '../../lambdas/uns-telemetry-flattener/src/flattener';
import { mlFlattener } from '../../lambdas/uns-telemetry-flattener/src/ml-messages';
import { seamInspectionsFlattener } from '../../lambdas/uns-telemetry-flattener/src/seam-inspections';
import type { HeaderNames } from '../../lambdas/uns-telemetry-flattener/src/record';
import { ML_PIPELINE_DEFAULTS } from '../../lib/ml-pipeline/ml-pipeline-props';
import { UNS_RECORD_HEADERS } from '../../lib/streaming/topics';

/** What a plant and its users do, and how the data behaves: the assumptions, each explained. */
export interface WorkloadAssumptions {
  /**
   * Welding cells per plant (one welder asset each). 4 is the local plant's default
   * (`local-plant/src/config.ts`, `simulator.cells`), what one body-shop line runs.
   */
  readonly cellsPerPlant: number;
  /**
   * Share of the month the lines stream. 1: around the clock (the bridge forwards every block,
   * idle cells included, so this is the upper bound; a two-shift plant streams about 0.67).
   */
  readonly streamingShare: number;
  /** Simulated seconds the measurement runs (deterministic: seed 42, the simulator's defaults). */
  readonly measuredSeconds: number;
  /**
   * UNS messages per plant per second besides telemetry, scores, states and inspections, at the
   * events' mean size: bridge heartbeats (every 10 s), validation summaries (per minute) with up
   * to 20 violation samples a minute, drift statistics (per asset per minute), model status.
   */
  readonly minorMessagesPerPlantPerSecond: number;
  /**
   * Bytes per `uns_telemetry` row in the Parquet objects Firehose writes (Snappy). Not measured
   * here: the simulator's own Parquet (`npx tsx simulator/src/main.ts dataset --seconds 60
   * --cells 4`: 5,328,187 bytes for 1,440,000 rows, 3.7 B/row) is sorted by cell and channel and
   * lacks three columns, so it is a lower bound; Firehose converts rows in arrival order with
   * Hive's Parquet writer, where the 8-byte time and the 8-byte value dominate. 12 B/row is the
   * planning figure; check it after a day: the bytes under `uns_telemetry/site=…/dt=…` ÷ rows.
   */
  readonly parquetBytesPerTelemetryRow: number;
  /** Bytes per `inference_results` row in Parquet: ~8 numeric and boolean columns. */
  readonly parquetBytesPerScoreRow: number;
  /** Bytes per row of the small tables (states, inspections) in Parquet. */
  readonly parquetBytesPerEventRow: number;
  /**
   * Share of the raw telemetry rows the curation copies into `labelled_telemetry` (curated zone):
   * the arc-on samples of inspected seams, about half of a cell's cycle in the simulator.
   */
  readonly curatedShareOfTelemetry: number;
  /** Months the Lakehouse has been filling when the storage is priced (S3 grows until expiry). */
  readonly storageHorizonMonths: number;
  /**
   * Ad-hoc Athena queries per plant per day (analysts, plant engineers, the `uns-mlops query`
   * command) and what each scans after partition pruning (about a day of one plant's telemetry).
   */
  readonly adHocQueriesPerPlantPerDay: number;
  readonly adHocScanGiBPerQuery: number;
  /**
   * Wall-clock hours of each SageMaker job of one pipeline run (Preprocess and Evaluate are
   * processing jobs, Train a training job), instance start-up included. Not measured in AWS:
   * the local `npm run ml` trains on the simulator's data in minutes on a laptop CPU; an hour of
   * training leaves room for several plants' weeks. Re-measure from the first runs' billable
   * seconds: a run's hours grow with the plants' data.
   */
  readonly preprocessHoursPerRun: number;
  readonly trainingHoursPerRun: number;
  readonly evaluateHoursPerRun: number;
  /**
   * Retraining runs per plant per month started by the drift alarm, besides the schedule; the
   * cooldown (`modelMonitoring.retrainingCooldownHours`) caps the environment's total.
   */
  readonly driftRetrainingsPerPlantPerMonth: number;
  /**
   * Lambda milliseconds per 1,000 rows at 512 MB (decode, flatten, JSON, pack): a few µs of a
   * full core per row, at the ~0.29 vCPU Lambda gives 512 MB.
   */
  readonly flattenerMsPer1000Rows: number;
  /** Milliseconds per flattener invocation waiting for Firehose (a PutRecordBatch round trip). */
  readonly firehosePutMs: number;
  /** Milliseconds per invocation of the small functions (KPI metrics, drift check, curation steps, API). */
  readonly smallFunctionMs: number;
  /** Firehose JQ time per row (the stream extracts `site` and `dt` from every de-aggregated row). */
  readonly jqMicrosecondsPerRow: number;
  /** CloudWatch Logs bytes each Lambda invocation writes (the REPORT line and a summary line). */
  readonly logBytesPerInvocation: number;
  /** Access-log bytes per API request. */
  readonly accessLogBytesPerRequest: number;
  /** RDS Enhanced Monitoring logs per month (60 s interval). */
  readonly rdsMonitoringGiBPerMonth: number;
  /** Broker logs per provisioned broker per month. */
  readonly brokerLogGiBPerBrokerMonth: number;
  /**
   * VPC flow log bytes per month (all traffic): the bridges' long-lived Kafka connections, the
   * pollers' and functions' connections to the brokers and endpoints; a fixed part and one per
   * plant. A rough figure: check the log group's `IncomingBytes` after a week.
   */
  readonly flowLogGiBPerMonth: number;
  readonly flowLogGiBPerPlantPerMonth: number;
  /**
   * KMS requests a month: data keys for the log groups, the streams, the buckets (S3 bucket keys
   * keep those few), the functions' environment and the secret; a fixed part and one per plant.
   */
  readonly kmsRequestsPerMonth: number;
  readonly kmsRequestsPerPlantPerMonth: number;
  /** Secrets Manager calls a month (functions' cold starts, the proxy, rotation). */
  readonly secretCallsPerMonth: number;
  /** Step Functions transitions: per curation run, per curated partition, per edge rollout, per model rollout. */
  readonly curationTransitionsPerRun: number;
  readonly curationTransitionsPerPartition: number;
  readonly rolloutsPerMonth: number;
  readonly transitionsPerRollout: number;
  readonly transitionsPerModelRollout: number;
  /**
   * Compliance dashboard use per plant: people, hours each keeps it open a working day (it
   * refreshes every `refreshSeconds`, 30 s by default, a few API calls each), page loads, and
   * bytes and requests per load (the built dashboard, ~1.5 MiB in ~10 files).
   */
  readonly dashboardUsersPerPlant: number;
  readonly dashboardHoursOpenPerUserPerDay: number;
  readonly dashboardApiCallsPerRefresh: number;
  readonly dashboardPageLoadsPerUserPerDay: number;
  readonly dashboardMiBPerPageLoad: number;
  readonly dashboardRequestsPerPageLoad: number;
  readonly workingDaysPerMonth: number;
  /** Greengrass core devices per plant (one per line in the reference plant). */
  readonly coreDevicesPerPlant: number;
}

/** The assumptions the README's table is computed with. */
export const WORKLOAD: WorkloadAssumptions = {
  cellsPerPlant: 4,
  streamingShare: 1,
  measuredSeconds: 30,
  minorMessagesPerPlantPerSecond: 0.5,
  parquetBytesPerTelemetryRow: 12,
  parquetBytesPerScoreRow: 40,
  parquetBytesPerEventRow: 60,
  curatedShareOfTelemetry: 0.5,
  storageHorizonMonths: 12,
  adHocQueriesPerPlantPerDay: 20,
  adHocScanGiBPerQuery: 0.3,
  preprocessHoursPerRun: 0.5,
  trainingHoursPerRun: 1,
  evaluateHoursPerRun: 0.25,
  driftRetrainingsPerPlantPerMonth: 1,
  flattenerMsPer1000Rows: 12,
  firehosePutMs: 30,
  smallFunctionMs: 100,
  jqMicrosecondsPerRow: 10,
  logBytesPerInvocation: 600,
  accessLogBytesPerRequest: 400,
  rdsMonitoringGiBPerMonth: 0.5,
  brokerLogGiBPerBrokerMonth: 1,
  flowLogGiBPerMonth: 2,
  flowLogGiBPerPlantPerMonth: 1,
  kmsRequestsPerMonth: 1_000_000,
  kmsRequestsPerPlantPerMonth: 500_000,
  secretCallsPerMonth: 100_000,
  curationTransitionsPerRun: 10,
  curationTransitionsPerPartition: 6,
  rolloutsPerMonth: 4,
  transitionsPerRollout: 300,
  transitionsPerModelRollout: 60,
  dashboardUsersPerPlant: 5,
  dashboardHoursOpenPerUserPerDay: 2,
  dashboardApiCallsPerRefresh: 3,
  dashboardPageLoadsPerUserPerDay: 4,
  dashboardMiBPerPageLoad: 1.5,
  dashboardRequestsPerPageLoad: 10,
  workingDaysPerMonth: 21,
  coreDevicesPerPlant: 1,
};

/** One kind of UNS message of a plant, as measured. */
export interface MessageFlow {
  /** Messages per second per plant. */
  readonly perSecond: number;
  /**
   * Mean bytes per Kafka record as MSK stores it: the value gzipped at the bridge's level (each
   * record alone: at these rates a produce request holds about one record per partition), the
   * key and the three headers.
   */
  readonly kafkaBytes: number;
  /** Lakehouse rows per message. */
  readonly rowsPerMessage: number;
  /** Mean bytes of one row as the flattener hands it to Firehose (newline-delimited JSON). */
  readonly rowBytes: number;
  /**
   * Mean rows per Firehose record: the flattener packs the rows of one invocation (a batch of
   * up to 100 Kafka records) into records of at most 500 rows of one site and day.
   */
  readonly rowsPerFirehoseRecord: number;
}

/** What one plant sends to the cloud, per kind of message, measured by running the code. */
export interface PlantTraffic {
  /** `uns.telemetry`: one block per cell, signal and 100 ms. */
  readonly telemetry: MessageFlow;
  /** `uns.ml` anomaly scores: one per window stride per asset. */
  readonly scores: MessageFlow;
  /**
   * `uns.state` and `uns.inspection` (a few per seam and cell, measured), and the minor messages
   * (heartbeats, validation summaries, drift statistics) at their mean size.
   */
  readonly events: MessageFlow;
}

/** The bridge's gzip level (`kafka.gzipLevel` of uns-kafka-bridge, default 1). */
const BRIDGE_GZIP_LEVEL = 1;
/** Records per invocation of a flattener (the event source mappings' batch size). */
const RECORDS_PER_INVOCATION = 100;
/** Header names as the streaming stack configures the flatteners. */
const HEADERS: HeaderNames = {
  mqttTopic: UNS_RECORD_HEADERS.mqttTopic,
  receivedAt: UNS_RECORD_HEADERS.receivedAt,
  contractVersion: UNS_RECORD_HEADERS.contractVersion,
};
const CONTRACT_FILE = join(__dirname, '..', '..', 'asyncapi', 'uns-welding.asyncapi.yaml');
/** The inference runtime's model name in the plants' topics (`…/{asset}/_ml/{model}`). */
const MODEL_NAME = 'weld-seam-anomaly';

/** The version of the UNS contract in force, from the AsyncAPI document. */
export function contractVersion(): string {
  const document = parse(readFileSync(CONTRACT_FILE, 'utf8')) as { info: { version: string } };
  return document.info.version;
}

/** One UNS message as the bridge produces it to Kafka. */
interface UnsMessage {
  readonly mqttTopic: string;
  readonly key: string;
  readonly value: string;
  readonly at: number;
}

/**
 * Runs the welding simulator (seed 42, `cellsPerPlant` cells, its defaults: 1 kHz in 100 ms
 * blocks) for `measuredSeconds` and measures what reaches the cloud: message rates, the bytes MSK
 * stores, the rows the project's flatteners make of each record and the Firehose records they
 * pack. Anomaly scores (which the simulator does not make) are contract `AnomalyScore`s, one per
 * `stride` samples per asset.
 *
 * @param stride the ML pipeline's window stride in samples (the served bundle's geometry).
 */
export function measurePlantTraffic(workload: WorkloadAssumptions, stride: number): PlantTraffic {
  const version = contractVersion();
  const cells = defaultCells(workload.cellsPerPlant);
  const simulator = new WeldingCellSimulator({
    seed: 42,
    cells,
    start: '2025-01-01T00:00:00Z',
  });
  const tally = {
    telemetry: new FlowTally(telemetryFlattener, version),
    scores: new FlowTally(mlFlattener, version),
    states: new FlowTally(assetStatesFlattener, version),
    inspections: new FlowTally(seamInspectionsFlattener, version),
  };
  const blockMs = simulator.samplesPerBlock * simulator.dtMs;
  const steps = Math.round((workload.measuredSeconds * 1000) / blockMs);
  let nextWindowEnd = simulator.nextBlockTimeMs + stride * simulator.dtMs;
  for (let step = 0; step < steps; step++) {
    const t0 = simulator.nextBlockTimeMs;
    for (const block of simulator.next()) {
      const key = assetPath(block.address);
      tally.telemetry.add({
        mqttTopic: block.topic,
        key,
        value: JSON.stringify(block.payload),
        at: t0 + blockMs,
      });
    }
    // Windows end every `stride` samples on a grid running across blocks.
    const blockEnd = t0 + blockMs;
    for (; nextWindowEnd <= blockEnd; nextWindowEnd += stride * simulator.dtMs) {
      for (const address of cells) {
        const key = assetPath(address);
        tally.scores.add({
          mqttTopic: `${key}/_ml/${MODEL_NAME}`,
          key,
          value: JSON.stringify({
            windowStart: new Date(
              nextWindowEnd - ML_PIPELINE_DEFAULTS.window * simulator.dtMs,
            ).toISOString(),
            windowEnd: new Date(nextWindowEnd).toISOString(),
            score: 0.018734,
            threshold: 0.052113,
            anomaly: false,
            modelName: MODEL_NAME,
            modelVersion: '1.0.7',
            latencyMs: 0.412,
          }),
          at: nextWindowEnd,
        });
      }
    }
    for (const state of simulator.takeStateMessages()) {
      tally.states.add(simulatedMessage(state, t0 + blockMs));
    }
    for (const inspection of simulator.takeInspectionMessages()) {
      tally.inspections.add(simulatedMessage(inspection, t0 + blockMs));
    }
  }
  const seconds = workload.measuredSeconds;
  return {
    telemetry: tally.telemetry.flow(seconds),
    scores: tally.scores.flow(seconds),
    events: withExtraRate(
      FlowTally.combined([tally.states, tally.inspections], seconds),
      workload.minorMessagesPerPlantPerSecond,
    ),
  };
}

/** A flow with `extra` more messages per second of the same mean shape. */
function withExtraRate(flow: MessageFlow, extra: number): MessageFlow {
  return { ...flow, perSecond: flow.perSecond + extra };
}

function simulatedMessage(
  message: { topic: string; address: CellAddress; payload: object },
  at: number,
): UnsMessage {
  return {
    mqttTopic: message.topic,
    key: assetPath(message.address),
    value: JSON.stringify(message.payload),
    at,
  };
}

function assetPath(address: CellAddress): string {
  const { enterprise, site, area, line, cell, asset } = address;
  return [enterprise, site, area, line, cell, asset].join('/');
}

/** Sums over the measurement of one kind of message, run through its flattener. */
class FlowTally {
  messages = 0;
  kafkaBytes = 0;
  rows = 0;
  rowBytes = 0;
  firehoseRecords = 0;
  private batch: PartitionedRow[] = [];
  private batchRecords = 0;
  private offset = 0;

  constructor(
    private readonly flattener: Flattener,
    private readonly version: string,
  ) {}

  /** Sums of several tallies as one flow. */
  static combined(tallies: readonly FlowTally[], seconds: number): MessageFlow {
    const sum = new FlowTally(tallies[0]?.flattener ?? telemetryFlattener, '');
    for (const tally of tallies) {
      tally.flush();
      sum.messages += tally.messages;
      sum.kafkaBytes += tally.kafkaBytes;
      sum.rows += tally.rows;
      sum.rowBytes += tally.rowBytes;
      sum.firehoseRecords += tally.firehoseRecords;
    }
    return sum.flow(seconds);
  }

  add(message: UnsMessage): void {
    const headers = {
      [HEADERS.mqttTopic]: message.mqttTopic,
      [HEADERS.receivedAt]: String(message.at),
      [HEADERS.contractVersion]: this.version,
    };
    const record = mskRecord({
      topic: 'uns',
      key: message.key,
      value: message.value,
      headers,
      partition: 0,
      offset: this.offset++,
      timestamp: message.at,
    });
    const { rows } = this.flattener.flatten(record, HEADERS);
    this.messages += 1;
    this.kafkaBytes +=
      gzipSync(message.value, { level: BRIDGE_GZIP_LEVEL }).length +
      Buffer.byteLength(message.key) +
      Object.entries(headers).reduce(
        (sum, [name, text]) => sum + Buffer.byteLength(name) + Buffer.byteLength(text),
        0,
      );
    this.rows += rows.length;
    for (const row of rows) this.rowBytes += Buffer.byteLength(JSON.stringify(row)) + 1;
    this.batch.push(...rows);
    this.batchRecords += 1;
    if (this.batchRecords === RECORDS_PER_INVOCATION) this.flush();
  }

  flow(seconds: number): MessageFlow {
    this.flush();
    return {
      perSecond: this.messages / seconds,
      kafkaBytes: this.kafkaBytes / this.messages,
      rowsPerMessage: this.rows / this.messages,
      rowBytes: this.rowBytes / this.rows,
      rowsPerFirehoseRecord: this.rows / this.firehoseRecords,
    };
  }

  private flush(): void {
    if (this.batch.length > 0) this.firehoseRecords += packRows(this.batch).length;
    this.batch = [];
    this.batchRecords = 0;
  }
}
