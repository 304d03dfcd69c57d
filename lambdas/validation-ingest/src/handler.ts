import type { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { SqlClient } from '@uns-mlops/validation-store';
import type { MSKEvent, MSKRecord } from 'aws-lambda';
import { SERVICE_NAME } from './config';
import { writeBatch } from './batch-store';
import type { SiteContracts } from './contracts-store';
import type { CountRow } from './count-rows';
import { PoisonRecordError, type PoisonReason } from './poison';
import { type RecordSettings, readValidationRecord } from './validation-record';
import type { ViolationSampleRow } from './violation-sample';

/** Dimension of `PoisonRecords`: the {@link PoisonReason}. */
const REASON_DIMENSION = 'Reason';
/** Poison records named in each reason's log line; the metric counts them all. */
const LOGGED_POISON_PER_REASON = 10;

/** The Metrics instance of the function: the configured namespace, dimension `service`. */
export function createIngestMetrics(namespace: string): Metrics {
  return new Metrics({ namespace, serviceName: SERVICE_NAME });
}

/** Dependencies of {@link createIngestHandler}, so that tests pass a real database of their own. */
export interface IngestDependencies {
  readonly settings: RecordSettings;
  /** The compliance store (validation-store schema). */
  readonly store: SqlClient;
  readonly logger: Logger;
  /** As {@link createIngestMetrics} makes it. */
  readonly metrics: Metrics;
  /** @default - no subsegments (tests; Powertools disables tracing outside Lambda anyway) */
  readonly tracer?: Tracer;
}

/** A record of the batch, as Lambda's Kafka partial batch response names it. */
export interface KafkaItemIdentifier {
  /** `<topic>-<partition>`, the key of the record's group in the event. */
  readonly partition: string;
  readonly offset: number;
}

/**
 * The function's answer: the poison records of the batch. With `ReportBatchItemFailures` on the
 * event source mapping, Lambda retries from each named record and, once the retries are spent,
 * hands the records to the mapping's on-failure destination (the dead letter); without it, Lambda
 * ignores the answer.
 */
export interface KafkaBatchResponse {
  readonly batchItemFailures: { readonly itemIdentifier: KafkaItemIdentifier }[];
}

/** A record that could not be ingested: where it is and why (never its payload). */
export interface PoisonRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly reason: PoisonReason;
  readonly detail: string;
}

/** What one batch did. */
export interface IngestOutcome {
  readonly records: number;
  readonly summaries: number;
  /** Rows written (one per key of `validation_counts`). */
  readonly rows: number;
  /** Rows inserted or given other counts (0 when the batch was all redelivery). */
  readonly rowsChanged: number;
  /** Violation samples read, and of them those new to the store. */
  readonly violationSamples: number;
  readonly samplesInserted: number;
  /** Contracts messages read, and sites whose contracts in force they replaced. */
  readonly contractsMessages: number;
  readonly contractsInForceChanged: number;
  readonly quarantineCopies: number;
  readonly sites: readonly string[];
  readonly poison: readonly PoisonRecord[];
}

/**
 * The Lambda handler for batches of the MSK event source mapping on `uns.validation`: writes the
 * compliance summaries of every plant into `validation_counts` (upserts that set the counts, never
 * add), their violation samples into `violation_samples` (each sample id once) and their
 * contracts in force into `contracts_in_force` (only when newer) and `contracts`, all of the batch
 * in one transaction, so that redelivery, retries and batches out of order leave the same store as
 * one delivery in order.
 *
 * Quarantine copies are skipped and counted (`QuarantineCopiesSkipped`). A poison record never
 * holds back the rest of the batch: it is counted (`PoisonRecords` by `Reason`), logged with its
 * topic, partition and offset, and named in the answer's `batchItemFailures`. A database error
 * fails the invocation (it throws, nothing of the batch is committed), so that the event source
 * mapping retries the whole batch; the upserts make that safe.
 */
export function createIngestHandler(
  deps: IngestDependencies,
): (event: MSKEvent) => Promise<KafkaBatchResponse> {
  return async (event) => {
    const outcome = await ingestBatch(deps, event);
    return {
      batchItemFailures: outcome.poison.map(({ topic, partition, offset }) => ({
        itemIdentifier: { partition: `${topic}-${partition}`, offset },
      })),
    };
  };
}

/** The work of {@link createIngestHandler}, with everything the batch did. */
export async function ingestBatch(
  deps: IngestDependencies,
  event: MSKEvent,
): Promise<IngestOutcome> {
  const { tracer } = deps;
  if (tracer?.isTracingEnabled()) {
    tracer.annotateColdStart();
    tracer.addServiceNameAnnotation();
  }
  const records = Object.values(event.records).flat();
  const rows: CountRow[] = [];
  const samples: ViolationSampleRow[] = [];
  const contracts: SiteContracts[] = [];
  const sites = new Set<string>();
  const poison: PoisonRecord[] = [];
  let summaries = 0;
  let quarantineCopies = 0;
  for (const record of records) {
    try {
      const read = readValidationRecord(record, deps.settings);
      if (read.kind === 'quarantine') {
        quarantineCopies += 1;
        continue;
      }
      sites.add(read.site);
      if (read.kind === 'summary') {
        summaries += 1;
        for (const row of read.rows) rows.push(row);
      } else if (read.kind === 'violation') samples.push(read.sample);
      else contracts.push(read.contracts);
    } catch (error) {
      if (!(error instanceof PoisonRecordError)) throw error;
      poison.push(poisonRecord(record, error));
    }
  }

  let written;
  try {
    written = await traced(tracer, '### write the batch', () =>
      writeBatch(deps.store, { counts: rows, samples, contracts }),
    );
  } catch (error) {
    deps.logger.error('Writing the batch to the compliance store failed; the batch is retried', {
      records: records.length,
      rows: rows.length,
      samples: samples.length,
      contracts: contracts.length,
      error,
    });
    throw error;
  }

  const outcome: IngestOutcome = {
    records: records.length,
    summaries,
    rows: written.counts.rows,
    rowsChanged: written.counts.changed,
    violationSamples: samples.length,
    samplesInserted: written.samplesInserted,
    contractsMessages: contracts.length,
    contractsInForceChanged: written.contractsInForceChanged,
    quarantineCopies,
    sites: [...sites],
    poison,
  };
  if (tracer?.isTracingEnabled()) {
    tracer.putAnnotation('summaries', summaries);
    tracer.putAnnotation('violationSamples', samples.length);
    tracer.putAnnotation('contractsMessages', contracts.length);
    tracer.putAnnotation('poisonRecords', poison.length);
  }
  publish(deps, outcome);
  return outcome;
}

function poisonRecord(record: MSKRecord, error: PoisonRecordError): PoisonRecord {
  const { topic, partition, offset } = record;
  return { topic, partition, offset, reason: error.reason, detail: error.detail };
}

/** One EMF document with the batch's counts; per poison reason, one log line and one document. */
function publish(deps: IngestDependencies, outcome: IngestOutcome): void {
  const { metrics, logger } = deps;
  const { Count } = MetricUnit;
  metrics.addMetric('SummariesIngested', Count, outcome.summaries);
  metrics.addMetric('RowsUpserted', Count, outcome.rows);
  metrics.addMetric('RowsChanged', Count, outcome.rowsChanged);
  metrics.addMetric('ViolationSamplesIngested', Count, outcome.violationSamples);
  metrics.addMetric('ViolationSamplesInserted', Count, outcome.samplesInserted);
  metrics.addMetric('ContractsMessagesIngested', Count, outcome.contractsMessages);
  metrics.addMetric('ContractsInForceChanged', Count, outcome.contractsInForceChanged);
  metrics.addMetric('QuarantineCopiesSkipped', Count, outcome.quarantineCopies);
  metrics.publishStoredMetrics();

  const byReason = new Map<PoisonReason, PoisonRecord[]>();
  for (const record of outcome.poison) {
    const records = byReason.get(record.reason) ?? [];
    records.push(record);
    byReason.set(record.reason, records);
  }
  for (const [reason, records] of byReason) {
    logger.warn(`Poison record(s) not ingested: ${reason}`, {
      reason,
      count: records.length,
      records: records
        .slice(0, LOGGED_POISON_PER_REASON)
        .map(({ topic, partition, offset, detail }) => ({ topic, partition, offset, detail })),
    });
    metrics.addDimension(REASON_DIMENSION, reason);
    metrics.addMetric('PoisonRecords', Count, records.length);
    metrics.publishStoredMetrics();
  }
  logger.info('Batch ingested', {
    records: outcome.records,
    summaries: outcome.summaries,
    rows: outcome.rows,
    rowsChanged: outcome.rowsChanged,
    violationSamples: outcome.violationSamples,
    samplesInserted: outcome.samplesInserted,
    contractsMessages: outcome.contractsMessages,
    contractsInForceChanged: outcome.contractsInForceChanged,
    quarantineCopies: outcome.quarantineCopies,
    poisonRecords: outcome.poison.length,
    sites: outcome.sites,
  });
}

/** Runs `work` in an X-Ray subsegment when tracing is on. */
async function traced<T>(
  tracer: Tracer | undefined,
  name: string,
  work: () => Promise<T>,
): Promise<T> {
  const parent = tracer?.isTracingEnabled() ? tracer.getSegment() : undefined;
  if (tracer === undefined || parent === undefined) return work();
  const subsegment = parent.addNewSubsegment(name);
  tracer.setSegment(subsegment);
  try {
    return await work();
  } catch (error) {
    subsegment.addError(error as Error);
    throw error;
  } finally {
    subsegment.close();
    tracer.setSegment(parent);
  }
}
