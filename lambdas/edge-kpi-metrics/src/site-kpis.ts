import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Observation } from './observe';

/** One metric value of one site, ready for CloudWatch. */
export interface KpiValue {
  readonly name: string;
  readonly unit: typeof MetricUnit.Count | typeof MetricUnit.Percent;
  readonly value: number;
}

/** What one batch reported for one site. */
interface SiteTally {
  summaries: number;
  messagesChecked: number;
  messagesValid: number;
  inferenceMessages: number;
  windowsScored: number;
  anomalousWindows: number;
  refusals: number;
  heartbeats: number;
  maxSpoolRecords: number;
  stalled: boolean;
}

/**
 * Adds up the observations of one batch per site and turns them into the site's KPIs. A KPI is
 * only there when the batch had data for it: a missing value stays missing, so that alarms see
 * missing data rather than a made-up zero.
 */
export class SiteKpis {
  private readonly sites = new Map<string, SiteTally>();

  /**
   * @param stallAfterMs a heartbeat whose `stalledForMs` reaches this marks its bridge stalled.
   */
  constructor(private readonly stallAfterMs: number) {}

  /** Counts one observation towards its site. */
  add(observation: Observation): void {
    switch (observation.kind) {
      case 'verdicts': {
        const tally = this.tally(observation.site);
        tally.summaries += 1;
        tally.messagesChecked += observation.checked;
        tally.messagesValid += observation.valid;
        return;
      }
      case 'serving-window': {
        const tally = this.tally(observation.site);
        tally.inferenceMessages += 1;
        tally.windowsScored += 1;
        if (observation.anomaly) tally.anomalousWindows += 1;
        return;
      }
      case 'refusal':
      case 'inference-message': {
        const tally = this.tally(observation.site);
        tally.inferenceMessages += 1;
        if (observation.kind === 'refusal') tally.refusals += 1;
        return;
      }
      case 'heartbeat': {
        const { site, spoolRecords, stalledForMs } = observation.heartbeat;
        const tally = this.tally(site);
        tally.heartbeats += 1;
        tally.maxSpoolRecords = Math.max(tally.maxSpoolRecords, spoolRecords);
        if (stalledForMs >= this.stallAfterMs) tally.stalled = true;
        return;
      }
      case 'not-measured':
        return;
    }
  }

  /** The KPIs of every site the batch had data for, by site. */
  bySite(): Map<string, KpiValue[]> {
    return new Map([...this.sites].map(([site, tally]) => [site, kpisOf(tally)]));
  }

  private tally(site: string): SiteTally {
    let tally = this.sites.get(site);
    if (tally === undefined) {
      tally = {
        summaries: 0,
        messagesChecked: 0,
        messagesValid: 0,
        inferenceMessages: 0,
        windowsScored: 0,
        anomalousWindows: 0,
        refusals: 0,
        heartbeats: 0,
        maxSpoolRecords: 0,
        stalled: false,
      };
      this.sites.set(site, tally);
    }
    return tally;
  }
}

const { Count, Percent } = MetricUnit;

function kpisOf(tally: SiteTally): KpiValue[] {
  const kpis: KpiValue[] = [];
  const add = (name: string, unit: KpiValue['unit'], value: number) => {
    kpis.push({ name, unit, value });
  };
  if (tally.summaries > 0) {
    add('MessagesChecked', Count, tally.messagesChecked);
    add('MessagesValid', Count, tally.messagesValid);
    if (tally.messagesChecked > 0) {
      add('ValidShare', Percent, (100 * tally.messagesValid) / tally.messagesChecked);
    }
  }
  if (tally.inferenceMessages > 0) add('InferenceErrors', Count, tally.refusals);
  if (tally.windowsScored > 0) {
    add('WindowsScored', Count, tally.windowsScored);
    add('AnomalousWindows', Count, tally.anomalousWindows);
    add('AnomalyRate', Percent, (100 * tally.anomalousWindows) / tally.windowsScored);
  }
  if (tally.heartbeats > 0) {
    add('BridgeHeartbeats', Count, tally.heartbeats);
    add('BridgeSpoolRecords', Count, tally.maxSpoolRecords);
    add('BridgeStalled', Count, tally.stalled ? 1 : 0);
  }
  return kpis;
}
