import type { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { EdgeKpiThresholds, PlantConfig } from '../config/environment';
import type { MlPipelineResources, PlantResources } from './dashboard-props';
import { DASHBOARD_WIDTH, dashboardUrl, graph, heading } from './widgets';

/** What one plant's dashboard is made of. */
export interface PlantDashboardSources {
  readonly plant: PlantConfig;
  /** The environment's name and its dashboard's, linked from the plant's. */
  readonly environmentName: string;
  readonly environmentDashboardName: string;
  /** The AWS region of the environment, for the console links. */
  readonly region: string;
  /** Namespace of the edge KPIs (dimension `Site`). */
  readonly edgeKpiNamespace: string;
  /** The KPI limits the rollout gate alarms on, drawn as lines. */
  readonly kpiThresholds: Required<EdgeKpiThresholds>;
  /** The drift metrics of the plant's model (their `Site` is the plant's). */
  readonly mlPipeline: Pick<MlPipelineResources, 'driftNamespace' | 'modelName'>;
  /**
   * The plant's alarms.
   * @default - no alarm status widget.
   */
  readonly resources?: PlantResources;
  /**
   * The SSM parameter of the model version in service, named in the header.
   * @default - not named.
   */
  readonly servingModelVersionParameter?: string;
  /**
   * The hosted compliance dashboard, linked from the header.
   * @default - no link.
   */
  readonly complianceDashboardUrl?: string;
  /** Period of the graphs. */
  readonly period: Duration;
}

/**
 * The rows of one plant's dashboard: what the plant is (name, lines, thing group, links), its
 * alarms, then its edge components' health (bridge heartbeats, stalls, spool), throughput and
 * compliance (messages checked, valid share), and its model in service (windows scored,
 * anomaly rate, inference errors, drift). Every metric carries the plant's `Site` and no other.
 */
export function plantDashboardRows(sources: PlantDashboardSources): cloudwatch.IWidget[][] {
  const { plant, period, kpiThresholds: limits } = sources;
  const site = { Site: plant.siteId };
  const kpi = (metricName: string, statistic: string, label: string) =>
    new cloudwatch.Metric({
      namespace: sources.edgeKpiNamespace,
      metricName,
      dimensionsMap: site,
      statistic,
      period,
      label,
    });
  const { SUM, MAXIMUM, AVERAGE } = cloudwatch.Stats;
  const limit = (value: number, label: string): cloudwatch.HorizontalAnnotation => ({
    value,
    label,
    color: cloudwatch.Color.RED,
  });
  const { driftNamespace, modelName } = sources.mlPipeline;
  const { environmentName } = sources;
  const alarms = sources.resources?.alarms ?? [];
  return [
    [heading(plantDescription(sources), 5)],
    ...(alarms.length > 0
      ? [
          [
            new cloudwatch.AlarmStatusWidget({
              title: `${plant.siteId}: alarms`,
              alarms: [...alarms],
              width: DASHBOARD_WIDTH,
              height: 3,
              sortBy: cloudwatch.AlarmStatusWidgetSortBy.STATE_UPDATED_TIMESTAMP,
            }),
          ],
        ]
      : []),
    [heading("## Edge components' health: the bridge to MSK")],
    [
      graph('Bridge heartbeats', [kpi('BridgeHeartbeats', SUM, 'heartbeats')], { min: 0 }),
      graph('Bridge stalled (1 = a bridge stalled)', [kpi('BridgeStalled', MAXIMUM, 'stalled')], {
        min: 0,
      }),
      graph('Bridge spool', [kpi('BridgeSpoolRecords', MAXIMUM, 'records waiting')], {
        unit: 'records',
        min: 0,
        annotations: [limit(limits.maxSpoolRecords, 'rollout gate limit')],
      }),
    ],
    [heading('## Throughput and compliance: what the validator checked')],
    [
      graph(
        'UNS messages checked and valid',
        [kpi('MessagesChecked', SUM, 'checked'), kpi('MessagesValid', SUM, 'valid')],
        { perRow: 2, unit: 'messages', min: 0 },
      ),
      graph('Valid share', [kpi('ValidShare', AVERAGE, 'valid share')], {
        perRow: 2,
        unit: '%',
        annotations: [limit(limits.minValidSharePercent, 'rollout gate minimum')],
      }),
    ],
    [heading(`## Anomalies and the model in service (${modelName})`)],
    [
      graph(
        'Windows scored and anomalous',
        [kpi('WindowsScored', SUM, 'scored'), kpi('AnomalousWindows', SUM, 'anomalous')],
        { perRow: 4, unit: 'windows', min: 0 },
      ),
      graph('Anomaly rate', [kpi('AnomalyRate', AVERAGE, 'anomaly rate')], {
        perRow: 4,
        unit: '%',
        min: 0,
        annotations: [limit(limits.maxAnomalyRatePercent, 'rollout gate maximum')],
      }),
      graph('Inference errors (refused models)', [kpi('InferenceErrors', SUM, 'errors')], {
        perRow: 4,
        min: 0,
        annotations: [limit(limits.maxInferenceErrors, 'rollout gate maximum')],
      }),
      graph(
        'Drift (cloud check)',
        [
          new cloudwatch.Metric({
            namespace: driftNamespace,
            metricName: 'DriftedShare',
            dimensionsMap: { Environment: environmentName, Site: plant.siteId, Model: modelName },
            statistic: MAXIMUM,
            period,
            label: 'drifted share',
          }),
        ],
        { perRow: 4, min: 0 },
      ),
    ],
  ];
}

/** The plant's description: name, site, lines, thing group, and where to look further. */
function plantDescription(sources: PlantDashboardSources): string {
  const { plant, region } = sources;
  const console = `https://${region}.console.aws.amazon.com`;
  const lines = plant.lines.map(({ id, area }) => `\`${id}\` (${area})`).join(', ');
  const links = [
    `[${sources.environmentName} environment](${dashboardUrl(region, sources.environmentDashboardName)})`,
    `[thing group ${plant.greengrassThingGroup}](${console}/iot/home?region=${region}#/thinggroup/${encodeURIComponent(plant.greengrassThingGroup)})`,
    `[Greengrass core devices](${console}/iot/home?region=${region}#/greengrass/v2/cores)`,
    ...(sources.complianceDashboardUrl === undefined
      ? []
      : [`[compliance dashboard](${sources.complianceDashboardUrl})`]),
  ];
  return [
    `# ${plant.displayName} (site \`${plant.siteId}\`)`,
    `Lines: ${lines}. Greengrass thing group: \`${plant.greengrassThingGroup}\`.`,
    ...(sources.servingModelVersionParameter === undefined
      ? []
      : [
          `Model in service: the version in SSM parameter \`${sources.servingModelVersionParameter}\` (no metric carries it); the graphs below show how it scores.`,
        ]),
    `Links: ${links.join(' · ')}`,
  ].join('\n\n');
}
