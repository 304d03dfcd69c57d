import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { type Alerting, notify, notifyingAlarm } from '../alerts/alarms';
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
  /**
   * Where the KPI alarms notify, and the plants' own alarms ("no data", "spool growing").
   * @default - the gate's KPI alarms only, without actions (the gate reads their states).
   */
  readonly alerts?: Alerting;
}

/** The alarms of one site's KPIs. */
export interface SiteKpiAlarms {
  readonly siteId: string;
  /** The gate's alarms, one per {@link KPI_ALARMS}. */
  readonly alarms: readonly cloudwatch.Alarm[];
  /**
   * The plant's own alarms, not read by the gate (with `alerts`):
   * `<prefix>-plant-<site>-no-data` and `<prefix>-plant-<site>-spool-growing`.
   */
  readonly plantAlarms: readonly cloudwatch.Alarm[];
}

/**
 * The alarms on the edge KPIs, one per site and KPI, over the metrics that `EdgeKpiMetrics` (lib/streaming)
 * writes ({@link EDGE_KPI_NAMESPACE}, dimension `Site`). A KPI without data leaves its alarm in
 * INSUFFICIENT_DATA, which the rollout gate reads as missing, not as healthy.
 *
 * With `alerts`, the gate's alarms also notify the topic (an action changes no state, so the gate
 * reads them as before: they keep `TreatMissingData.MISSING`), and each plant gets two alarms of
 * its own that the gate does not read: "no data" (no bridge heartbeat for `plantSilentMinutes`,
 * missing data breaching: a silent plant is the failure) and "spool growing" (the bridge's spool
 * larger than in the period before, `spoolGrowingPeriods` periods in a row: the bridge cannot
 * deliver to MSK as fast as the plant produces).
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
      const gateAlarms = [
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
      ];
      if (props.alerts === undefined) return { siteId, alarms: gateAlarms, plantAlarms: [] };
      const { alerts } = props;
      for (const gateAlarm of gateAlarms) notify(gateAlarm, alerts);
      const silent = alerts.thresholds.plantSilentMinutes;
      const growing = alerts.thresholds.spoolGrowingPeriods;
      const plantAlarms = [
        notifyingAlarm(this, `${siteId}-no-data`, alerts, {
          name: `plant-${siteId}-no-data`,
          description: `${siteId}: no bridge heartbeat reached the cloud for ${silent} minutes. Check the plant's uns-kafka-bridge (Greengrass component state, its log), the plant's network path to MSK, then the edge-kpi-metrics function.`,
          metric: new cloudwatch.Metric({
            namespace: EDGE_KPI_NAMESPACE,
            metricName: 'BridgeHeartbeats',
            dimensionsMap: { Site: siteId },
            statistic: cloudwatch.Stats.SUM,
            period: Duration.minutes(silent),
          }),
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        }),
        notifyingAlarm(this, `${siteId}-spool-growing`, alerts, {
          name: `plant-${siteId}-spool-growing`,
          description: `${siteId}: a bridge's spool grew in ${growing} periods of ${limits.periodMinutes} minutes in a row; records wait at the plant. Check the bridge's log (MSK throttling or authorization), the MSK alarms, and the plant's uplink.`,
          metric: new cloudwatch.MathExpression({
            expression: 'DIFF(spool)',
            label: 'Spool growth (records)',
            period,
            usingMetrics: { spool: metric('BridgeSpoolRecords', 'Maximum') },
          }),
          threshold: 0,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: growing,
        }),
      ];
      return { siteId, alarms: gateAlarms, plantAlarms };
    });
  }
}
