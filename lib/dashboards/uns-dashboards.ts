import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { KPI_DEFAULTS } from '../delivery/edge-kpis';
import { EDGE_KPI_NAMESPACE } from '../streaming/edge-kpi-metrics';
import type { UnsDashboardsProps } from './dashboard-props';
import { environmentDashboardRows } from './environment-dashboard';
import { plantDashboardRows } from './plant-dashboard';

/** CloudWatch's rule for dashboard names. */
const DASHBOARD_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/**
 * The CloudWatch dashboards of one environment, generated from its configuration:
 *
 * - **the environment's** (`<namePrefix>`): the data path from the plants to the Lakehouse (MSK
 *   per topic, consumer lag per group, the MSK consumers, Firehose, Athena and S3), the ML
 *   pipeline (SageMaker executions, the workflows around it, drift and retraining) and the
 *   compliance store (RDS, the compliance API, the ingestion's failures);
 * - **one per plant** (`<namePrefix>-<siteId>`): what the plant is, its alarms, and its edge KPIs
 *   (`Site` = the plant): bridge health, throughput and valid share, anomalies, inference errors
 *   and drift of the model in service.
 *
 * A plant added to the configuration gets its dashboard and its line on the environment's.
 * Children: `Environment`, and `Plants/<siteId>`.
 */
export class UnsDashboards extends Construct {
  readonly environmentDashboard: cloudwatch.Dashboard;
  /** By site id. */
  readonly plantDashboards: ReadonlyMap<string, cloudwatch.Dashboard>;

  constructor(scope: Construct, id: string, props: UnsDashboardsProps) {
    super(scope, id);
    const namePrefix = props.namePrefix ?? `uns-mlops-${props.environmentName}`;
    const problems = dashboardsPropsProblems(props, namePrefix);
    if (problems.length > 0) {
      throw new Error(
        [`${this.node.path}: invalid dashboards props:`, ...problems.map((p) => `  - ${p}`)].join(
          '\n',
        ),
      );
    }
    const period = props.period ?? Duration.minutes(5);
    const { region } = Stack.of(this);
    const plantDashboardName = (siteId: string) => `${namePrefix}-${siteId}`;

    this.environmentDashboard = new cloudwatch.Dashboard(this, 'Environment', {
      dashboardName: namePrefix,
      defaultInterval: Duration.days(1),
      widgets: environmentDashboardRows({
        environmentName: props.environmentName,
        region,
        plants: props.plants.map(({ siteId }) => ({
          siteId,
          dashboardName: plantDashboardName(siteId),
        })),
        dataPath: props.dataPath,
        mlPipeline: props.mlPipeline,
        compliance: props.compliance,
        period,
      }),
    });

    const plants = new Construct(this, 'Plants');
    this.plantDashboards = new Map(
      props.plants.map((plant) => [
        plant.siteId,
        new cloudwatch.Dashboard(plants, plant.siteId, {
          dashboardName: plantDashboardName(plant.siteId),
          defaultInterval: Duration.hours(6),
          widgets: plantDashboardRows({
            plant,
            environmentName: props.environmentName,
            environmentDashboardName: namePrefix,
            region,
            edgeKpiNamespace: props.edgeKpiNamespace ?? EDGE_KPI_NAMESPACE,
            kpiThresholds: { ...KPI_DEFAULTS, ...props.kpiThresholds },
            mlPipeline: props.mlPipeline,
            resources: props.plantResources?.get(plant.siteId),
            servingModelVersionParameter: props.servingModelVersionParameter,
            complianceDashboardUrl: props.complianceDashboardUrl,
            period,
          }),
        }),
      ]),
    );
  }
}

/** Every problem of `props`, as one sentence each; empty when they are valid. */
export function dashboardsPropsProblems(props: UnsDashboardsProps, namePrefix: string): string[] {
  const problems: string[] = [];
  const siteIds = props.plants.map((plant) => plant.siteId);
  if (siteIds.length === 0) problems.push('plants is empty: at least one plant is needed');
  const duplicates = siteIds.filter((siteId, index) => siteIds.indexOf(siteId) !== index);
  if (duplicates.length > 0) {
    problems.push(`plants repeat the site id(s) ${[...new Set(duplicates)].join(', ')}`);
  }
  if (!Token.isUnresolved(namePrefix)) {
    for (const name of [namePrefix, ...siteIds.map((siteId) => `${namePrefix}-${siteId}`)]) {
      if (!DASHBOARD_NAME.test(name)) {
        problems.push(
          `dashboard name ${JSON.stringify(name)} must be 1-255 letters, digits, - or _`,
        );
      }
    }
  }
  for (const consumer of props.dataPath.consumers) {
    if (consumer.subscriptions.length === 0) {
      problems.push(`consumer ${JSON.stringify(consumer.label)} has no subscription`);
    }
  }
  for (const siteId of props.plantResources?.keys() ?? []) {
    if (!siteIds.includes(siteId)) {
      problems.push(`plantResources names ${siteId}, which is no plant`);
    }
  }
  return problems;
}
