import { type App, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { delivery as deliveryConfig, type DeliveryConfig } from './config/delivery';
import type { EnvironmentConfig } from './config/environment';
import { resolveEnvironment } from './config/resolve';
import { plantComponents } from './delivery/components';
import { publishedVersions, type PublishedVersion } from './delivery/published-components';
import { rolloutPlan, savePlan } from './delivery/rollout-plan';
import { type RolloutStep, rolloutSteps } from './delivery/rollout-steps';
import { addComplianceChecks } from './quality/compliance';
import { AlertsStack } from './stacks/alerts-stack';
import { ComplianceApiStack } from './stacks/compliance-api-stack';
import { ComplianceIngestStack } from './stacks/compliance-ingest-stack';
import { ComplianceStoreStack } from './stacks/compliance-store-stack';
import { CurationStack } from './stacks/curation-stack';
import { DashboardsStack } from './stacks/dashboards-stack';
import { DeliveryPipelineStack } from './stacks/delivery-pipeline-stack';
import { EdgeDeploymentStack } from './stacks/edge-deployment-stack';
import { EdgeFleetStack } from './stacks/edge-fleet-stack';
import { LakehouseStack } from './stacks/lakehouse-stack';
import { MlPipelineStack } from './stacks/ml-pipeline-stack';
import { ModelMonitoringStack } from './stacks/model-monitoring-stack';
import { ModelRolloutStack } from './stacks/model-rollout-stack';
import { NetworkStack } from './stacks/network-stack';
import { StreamingStack } from './stacks/streaming-stack';

/** The stacks of one environment that do not depend on the rollout order. */
export interface PlatformStacks {
  readonly config: EnvironmentConfig;
  /** The environment's notification topic, which every alarm of the other stacks notifies. */
  readonly alerts: AlertsStack;
  readonly lakehouse: LakehouseStack;
  readonly network: NetworkStack;
  readonly curation: CurationStack;
  readonly complianceStore: ComplianceStoreStack;
  readonly complianceApi: ComplianceApiStack;
  readonly streaming: StreamingStack;
  readonly complianceIngest: ComplianceIngestStack;
  readonly mlPipeline: MlPipelineStack;
  readonly modelMonitoring: ModelMonitoringStack;
  readonly edgeFleet: EdgeFleetStack;
  readonly modelRollout: ModelRolloutStack;
  /** The CloudWatch dashboards of the environment and of each plant, over all the above. */
  readonly dashboards: DashboardsStack;
}

/** The stacks of one environment, and the delivery pipeline. */
export interface UnsMlopsStacks extends PlatformStacks {
  /** The Greengrass deployment stacks, per rollout step in order. */
  readonly edgeDeployments: readonly EdgeDeploymentStack[];
  readonly delivery: DeliveryPipelineStack;
}

/** `UnsMlops-<Env>-<part>`, the name of an environment's stack. */
export function stackName(config: EnvironmentConfig, part: string): string {
  return `UnsMlops-${capitalize(config.name)}-${part}`;
}

/**
 * Adds an environment's platform stacks (alerts first, whose topic every other stack's alarms
 * notify; then Lakehouse, network, Lakehouse curation, compliance store and API, streaming,
 * compliance ingestion, ML pipeline, model monitoring, edge fleet, model rollout; the dashboards
 * last, over all of them) to `scope`: the app itself, or a pipeline stage.
 */
export function addPlatformStacks(
  scope: Construct,
  config: EnvironmentConfig,
  pipelineAccount: string,
): PlatformStacks {
  const env = { account: config.account, region: config.region };
  const common = (part: string) => ({
    env,
    config,
    stackName: stackName(config, part),
    terminationProtection: !config.allowDestroy,
  });

  const alertsStack = new AlertsStack(scope, stackName(config, 'Alerts'), {
    ...common('Alerts'),
    description: `uns-mlops alerts (${config.name}): the notification topic every alarm of the environment notifies`,
  });
  const { alerts } = alertsStack;
  const lakehouse = new LakehouseStack(scope, stackName(config, 'Lakehouse'), {
    ...common('Lakehouse'),
    alerts,
    description: `uns-mlops Lakehouse (${config.name}): S3 zones, Glue catalog, Athena, Lake Formation`,
  });
  const network = new NetworkStack(scope, stackName(config, 'Network'), {
    ...common('Network'),
    description: `uns-mlops network (${config.name}): private VPC, flow logs, VPC endpoints`,
  });
  const curation = new CurationStack(scope, stackName(config, 'Curation'), {
    ...common('Curation'),
    alerts,
    lakehouse: lakehouse.lakehouse,
    network: network.network,
    description: `uns-mlops Lakehouse curation (${config.name}): raw to curated labelled telemetry, daily, with Step Functions and Athena`,
  });
  const complianceStore = new ComplianceStoreStack(scope, stackName(config, 'ComplianceStore'), {
    ...common('ComplianceStore'),
    alerts,
    network: network.network,
    description: `uns-mlops compliance store (${config.name}): RDS for PostgreSQL validation store, RDS Proxy, schema migrations`,
  });
  const complianceApi = new ComplianceApiStack(scope, stackName(config, 'ComplianceApi'), {
    ...common('ComplianceApi'),
    alerts,
    network: network.network,
    store: complianceStore.store,
    description: `uns-mlops compliance API (${config.name}): Cognito users, HTTP API with JWT authorizer, dashboard on S3 and CloudFront`,
  });
  const streaming = new StreamingStack(scope, stackName(config, 'Streaming'), {
    ...common('Streaming'),
    alerts,
    network: network.network,
    lakehouse: lakehouse.lakehouse,
    description: `uns-mlops streaming (${config.name}): MSK, UNS topics, every UNS data class into the Lakehouse`,
  });
  const complianceIngest = new ComplianceIngestStack(scope, stackName(config, 'ComplianceIngest'), {
    ...common('ComplianceIngest'),
    alerts,
    network: network.network,
    streaming: streaming.streaming,
    store: complianceStore.store,
    lakehouse: lakehouse.lakehouse,
    description: `uns-mlops compliance ingestion (${config.name}): uns.validation into the compliance store and the Lakehouse, dead letters, alarms`,
  });
  const mlPipeline = new MlPipelineStack(scope, stackName(config, 'MlPipeline'), {
    ...common('MlPipeline'),
    alerts,
    lakehouse: lakehouse.lakehouse,
    description: `uns-mlops ML pipeline (${config.name}): SageMaker Pipeline, model registry, schedule`,
  });
  const modelMonitoring = new ModelMonitoringStack(scope, stackName(config, 'ModelMonitoring'), {
    ...common('ModelMonitoring'),
    alerts,
    lakehouse: lakehouse.lakehouse,
    mlPipeline: mlPipeline.mlPipeline,
    network: network.network,
    description: `uns-mlops model monitoring (${config.name}): drift check over the Lakehouse, drift alarms, rate-limited retraining`,
  });
  const edgeFleet = new EdgeFleetStack(scope, stackName(config, 'EdgeFleet'), {
    ...common('EdgeFleet'),
    alerts,
    network: network.network,
    streaming: streaming.streaming,
    pipelineAccount,
    description: `uns-mlops edge fleet (${config.name}): component versions, core device IAM, edge KPIs, rollout gate`,
  });
  const modelRollout = new ModelRolloutStack(scope, stackName(config, 'ModelRollout'), {
    ...common('ModelRollout'),
    alerts,
    mlPipeline: mlPipeline.mlPipeline,
    edgeFleet: edgeFleet.fleet,
    lakehouse: lakehouse.lakehouse,
    network: network.network,
    description: `uns-mlops model rollout (${config.name}): approved models checked against the UNS contract, in shadow at the canary, promoted wave by wave or rejected`,
  });
  const dashboards = new DashboardsStack(scope, stackName(config, 'Dashboards'), {
    ...common('Dashboards'),
    lakehouse: lakehouse.lakehouse,
    streaming: streaming.streaming,
    edgeKpiMetrics: streaming.edgeKpiMetrics,
    complianceStore: complianceStore.store,
    complianceApi: complianceApi.api,
    complianceDashboard: complianceApi.dashboard,
    complianceIngest: complianceIngest.ingest,
    summariesDelivery: complianceIngest.summariesDelivery,
    mlPipeline: mlPipeline.mlPipeline,
    curation: curation.curation,
    driftMonitor: modelMonitoring.monitor,
    edgeFleet: edgeFleet.fleet,
    modelRollout: modelRollout.rollout,
    description: `uns-mlops dashboards (${config.name}): one CloudWatch dashboard for the environment, one per plant`,
  });
  for (const stack of [
    alertsStack,
    lakehouse,
    network,
    curation,
    complianceStore,
    complianceApi,
    streaming,
    complianceIngest,
    mlPipeline,
    modelMonitoring,
    edgeFleet,
    modelRollout,
    dashboards,
  ]) {
    Tags.of(stack).add('environment', config.name);
  }
  return {
    config,
    alerts: alertsStack,
    lakehouse,
    network,
    curation,
    complianceStore,
    complianceApi,
    streaming,
    complianceIngest,
    mlPipeline,
    modelMonitoring,
    edgeFleet,
    modelRollout,
    dashboards,
  };
}

/** Adds the Greengrass deployment stack of each target of one rollout step to `scope`. */
export function addRolloutStepStacks(
  scope: Construct,
  config: EnvironmentConfig,
  step: RolloutStep,
  components: readonly PublishedVersion[],
): EdgeDeploymentStack[] {
  return step.targets.map((target) => {
    const stack = new EdgeDeploymentStack(scope, stackName(config, `Edge-${target.name}`), {
      env: { account: config.account, region: config.region },
      stackName: stackName(config, `Edge-${target.name}`),
      description: `uns-mlops edge deployment (${config.name}, ${step.name}): the components on ${target.thingGroup}`,
      config,
      target,
      components,
    });
    Tags.of(stack).add('environment', config.name);
    return stack;
  });
}

/**
 * Adds to the app the delivery pipeline (`UnsMlops-Delivery`) and the stacks of the environment
 * selected with `-c env=<name>` (default `dev`) for a direct `cdk deploy`, with the compliance
 * checks that make synthesis fail on an unacknowledged finding. Deployed directly, the edge
 * deployments of all rollout steps go out together; the pipeline orders them canary first.
 *
 * @throws EnvironmentConfigError when the environment is unknown or invalid.
 */
export function buildUnsMlopsApp(
  app: App,
  delivery: DeliveryConfig = deliveryConfig,
): UnsMlopsStacks {
  const config = resolveEnvironment(app.node.tryGetContext('env'));
  const platform = addPlatformStacks(app, config, delivery.account);
  const components = publishedVersions(plantComponents());
  const edgeDeployments = rolloutSteps(config).flatMap((step) =>
    addRolloutStepStacks(app, config, step, components),
  );
  for (const deployment of edgeDeployments) deployment.addStackDependency(platform.edgeFleet);
  const pipeline = new DeliveryPipelineStack(app, 'UnsMlops-Delivery', {
    env: { account: delivery.account, region: delivery.region },
    delivery,
    components,
    description:
      'uns-mlops delivery: self-mutating pipeline deploying the environments and the edge rollouts',
  });

  for (const stage of delivery.stages) {
    savePlan(app.outdir, rolloutPlan(resolveEnvironment(stage.environment), components));
  }

  Tags.of(app).add('project', 'uns-mlops');
  addComplianceChecks(app);
  return { ...platform, edgeDeployments, delivery: pipeline };
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
