import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Alerting } from '../alerts';
import type { EnvironmentConfig } from '../config/environment';
import type { Lakehouse } from '../lakehouse';
import type { MlPipeline } from '../ml-pipeline';
import { ModelDriftMonitor } from '../model-monitoring';
import type { UnsNetwork } from '../network';

/** Properties of a {@link ModelMonitoringStack}. */
export interface ModelMonitoringStackProps extends StackProps {
  /** The environment: its plants, `modelMonitoring` settings and what is kept when the stack goes. */
  readonly config: EnvironmentConfig;
  /** The Lakehouse whose raw `model_drift` table the drift check queries. */
  readonly lakehouse: Lakehouse;
  /** The pipeline that retrains the monitored model. */
  readonly mlPipeline: MlPipeline;
  /** The environment's network: its log key encrypts the functions' log groups. */
  readonly network: UnsNetwork;
  /** The environment's alert topic and limits: every alarm of the stack notifies it. */
  readonly alerts: Alerting;
}

/** The drift check of one environment's model, its alarms and its rate-limited retraining. */
export class ModelMonitoringStack extends Stack {
  readonly monitor: ModelDriftMonitor;

  constructor(scope: Construct, id: string, props: ModelMonitoringStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.monitor = new ModelDriftMonitor(this, 'DriftMonitor', {
      ...config.modelMonitoring,
      environmentName: config.name,
      lakehouse: props.lakehouse,
      mlPipeline: props.mlPipeline,
      siteIds: config.plants.map((plant) => plant.siteId),
      logKey: props.network.logKey,
      alerts: props.alerts,
      removalPolicy: config.allowDestroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    // The trigger names the pipeline by its name, which is no reference: deploy after it anyway.
    this.addStackDependency(Stack.of(props.mlPipeline));
  }
}
