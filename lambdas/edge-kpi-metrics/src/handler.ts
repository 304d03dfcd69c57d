import type { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MSKEvent, MSKRecord } from 'aws-lambda';
import { type KpiConfig, SERVICE_NAME } from './config';
import { RejectedRecord, type RejectReason } from './kafka-record';
import { observe } from './observe';
import { type KpiValue, SiteKpis } from './site-kpis';

/** Dimension of every KPI: the ISA-95 site id. */
const SITE_DIMENSION = 'Site';
/** Dimension of `RecordsRejected`: the {@link RejectReason}. */
const REASON_DIMENSION = 'Reason';
/** Rejected records named in each reason's log line; the count covers them all. */
const LOGGED_REJECTS_PER_REASON = 10;

/**
 * The Metrics instance the KPIs go through: the configured namespace, and no default dimension
 * (Powertools adds `service`), so that each KPI has exactly the dimension its alarm names, `Site`.
 */
export function createKpiMetrics(config: KpiConfig): Metrics {
  const metrics = new Metrics({ namespace: config.namespace, serviceName: SERVICE_NAME });
  metrics.clearDefaultDimensions();
  return metrics;
}

/** Dependencies of {@link createHandler}, so that tests pass their own logger and metrics. */
export interface HandlerDependencies {
  readonly config: KpiConfig;
  readonly logger: Logger;
  /** Where the KPIs go (EMF on standard output), as {@link createKpiMetrics} makes it. */
  readonly metrics: Metrics;
}

/** The outcome of one invocation. */
export interface KpiResult {
  readonly records: number;
  readonly rejected: number;
  /** Sites the batch had KPIs for. */
  readonly sites: readonly string[];
}

/** A record that yielded no measurement, as its reason's log line names it. */
interface RejectEntry {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly detail: string;
}

/**
 * The Lambda handler for batches of the MSK event source mappings on `uns.validation`, `uns.ml`
 * and `uns.heartbeat`: turns the batch's validation summaries, inference messages and bridge
 * heartbeats into KPIs per site, one EMF document per site (dimension `Site`). A record that
 * cannot be measured is counted (`RecordsRejected` by `Reason`) and logged, one line per reason;
 * the rest of the batch is measured all the same, and the invocation does not fail for it, so
 * the event source mapping never retries a batch because of a malformed record.
 */
export function createHandler(deps: HandlerDependencies): (event: MSKEvent) => Promise<KpiResult> {
  return (event) => {
    const kpis = new SiteKpis(deps.config.stallAfterMs);
    const rejects = new Map<RejectReason, RejectEntry[]>();
    const records = Object.values(event.records).flat();
    for (const record of records) {
      try {
        kpis.add(observe(record, deps.config.mqttTopicHeader));
      } catch (error) {
        if (!(error instanceof RejectedRecord)) throw error;
        const entries = rejects.get(error.reason) ?? [];
        entries.push(rejectEntry(record, error.detail));
        rejects.set(error.reason, entries);
      }
    }
    const bySite = kpis.bySite();
    publishKpis(deps.metrics, bySite);
    reportRejects(deps, rejects);
    const rejected = [...rejects.values()].reduce((sum, entries) => sum + entries.length, 0);
    return Promise.resolve({ records: records.length, rejected, sites: [...bySite.keys()] });
  };
}

function rejectEntry(record: MSKRecord, detail: string): RejectEntry {
  return { topic: record.topic, partition: record.partition, offset: record.offset, detail };
}

/**
 * One EMF document per site: EMF carries one value per metric name and document, so the values
 * of several sites cannot share one.
 */
function publishKpis(metrics: Metrics, bySite: ReadonlyMap<string, readonly KpiValue[]>): void {
  for (const [site, values] of bySite) {
    metrics.addDimension(SITE_DIMENSION, site);
    for (const { name, unit, value } of values) metrics.addMetric(name, unit, value);
    metrics.publishStoredMetrics();
  }
}

/** Per reason: one log line naming the first records, and `RecordsRejected` with its count. */
function reportRejects(
  deps: HandlerDependencies,
  rejects: ReadonlyMap<RejectReason, readonly RejectEntry[]>,
): void {
  for (const [reason, entries] of rejects) {
    deps.logger.warn(`Rejected ${entries.length} record(s) that cannot be measured: ${reason}`, {
      reason,
      count: entries.length,
      records: entries.slice(0, LOGGED_REJECTS_PER_REASON),
    });
    deps.metrics.addDimension(REASON_DIMENSION, reason);
    deps.metrics.addMetric('RecordsRejected', MetricUnit.Count, entries.length);
    deps.metrics.publishStoredMetrics();
  }
}
