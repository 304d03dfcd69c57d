import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { EdgeKpiThresholds } from '../config/environment';
import { EDGE_KPI_NAMESPACE } from '../streaming/edge-kpi-metrics';

/** The KPI limits used where an environment sets none. */
export const KPI_DEFAULTS: Required<EdgeKpiThresholds> = {
  minValidSharePercent: 95,
  maxAnomalyRatePercent: 20,
  maxInferenceErrors: 0,
  maxSpoolRecords: 10_000,
  periodMinutes: 5,
};

/** The KPIs with an alarm per site, as the alarm names end. */
export const KPI_ALARMS = [
  'valid-share',
  'anomaly-rate',
  'inference-errors',
  'bridge-spool',
  'bridge-stalled',
] as const;

/** Name of the alarm on one site's KPI. */
export const kpiAlarmName = (
  namePrefix: string,
  siteId: string,
  kpi: (typeof KPI_ALARMS)[number],
) => `${namePrefix}-edge-${siteId}-${kpi}`;

/** Properties of {@link EdgeKpis}. */
export interface EdgeKpiAlarmsProps {
  /** Prefix of the alarm names, e.g. `uns-mlops-dev`. */
  readonly namePrefix: string;
  /** The sites whose KPIs get alarms. */
  readonly siteIds: readonly string[];
  /** KPI limits; each unset limit takes its value from {@link KPI_DEFAULTS}. */
  readonly thresholds?: EdgeKpiThresholds;
}

/** The alarms of one site's KPIs. */
export interface SiteKpiAlarms {
  readonly siteId: string;
  readonly alarms: readonly cloudwatch.Alarm[];
}

/**
 * The alarms on the edge KPIs, one per site and KPI, over the metrics that `EdgeKpiMetrics` (lib/streaming)
 * writes ({@link EDGE_KPI_NAMESPACE}, dimension `Site`). A KPI without data leaves its alarm in
 * INSUFFICIENT_DATA, which the rollout gate reads as missing, not as healthy.
 */
export class EdgeKpiAlarms extends Construct {
  /** The alarms per site. */
  readonly sites: readonly SiteKpiAlarms[];

  constructor(scope: Construct, id: string, props: EdgeKpiAlarmsProps) {
    super(scope, id);
    const limits = { ...KPI_DEFAULTS, ...props.thresholds };
    const period = Duration.minutes(limits.periodMinutes);
    this.sites = props.siteIds.map((siteId) => {
      const metric = (metricName: string, statistic: string) =>
        new cloudwatch.Metric({
          namespace: EDGE_KPI_NAMESPACE,
          metricName,
          dimensionsMap: { Site: siteId },
          statistic,
          period,
        });
      const alarm = (
        kpi: (typeof KPI_ALARMS)[number],
        description: string,
        metricToWatch: cloudwatch.Metric,
        threshold: number,
        comparisonOperator: cloudwatch.ComparisonOperator,
      ) =>
        new cloudwatch.Alarm(this, `${siteId}-${kpi}`, {
          alarmName: kpiAlarmName(props.namePrefix, siteId, kpi),
          alarmDescription: `${siteId}: ${description}`,
          metric: metricToWatch,
          threshold,
          comparisonOperator,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.MISSING,
        });
      const { LESS_THAN_THRESHOLD: below, GREATER_THAN_THRESHOLD: above } =
        cloudwatch.ComparisonOperator;
      return {
        siteId,
        alarms: [
          alarm(
            'valid-share',
            `share of valid UNS messages below ${limits.minValidSharePercent} %`,
            metric('ValidShare', 'Average'),
            limits.minValidSharePercent,
            below,
          ),
          alarm(
            'anomaly-rate',
            `share of anomalous windows above ${limits.maxAnomalyRatePercent} %`,
            metric('AnomalyRate', 'Average'),
            limits.maxAnomalyRatePercent,
            above,
          ),
          alarm(
            'inference-errors',
            `more than ${limits.maxInferenceErrors} inference errors`,
            metric('InferenceErrors', 'Sum'),
            limits.maxInferenceErrors,
            above,
          ),
          alarm(
            'bridge-spool',
            `more than ${limits.maxSpoolRecords} records waiting in a bridge spool`,
            metric('BridgeSpoolRecords', 'Maximum'),
            limits.maxSpoolRecords,
            above,
          ),
          alarm(
            'bridge-stalled',
            'a bridge reports a stalled delivery to MSK',
            metric('BridgeStalled', 'Maximum'),
            0,
            above,
          ),
        ],
      };
    });
  }
}
