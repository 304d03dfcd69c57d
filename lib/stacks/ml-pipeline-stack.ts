import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Alerting } from '../alerts';
import type { EnvironmentConfig } from '../config/environment';
import type { Lakehouse } from '../lakehouse';
import { MlPipeline } from '../ml-pipeline';

/** Properties of an {@link MlPipelineStack}. */
export interface MlPipelineStackProps extends StackProps {
  /** The environment whose ML pipeline settings shape the pipeline. */
  readonly config: EnvironmentConfig;
  /** The environment's Lakehouse (from its LakehouseStack), whose telemetry the pipeline reads. */
  readonly lakehouse: Lakehouse;
  /** The environment's alert topic and limits: every alarm of the stack notifies it. */
  readonly alerts: Alerting;
}

/** The SageMaker Pipeline of one environment, training on its Lakehouse. */
export class MlPipelineStack extends Stack {
  readonly mlPipeline: MlPipeline;

  constructor(scope: Construct, id: string, props: MlPipelineStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.mlPipeline = new MlPipeline(this, 'MlPipeline', {
      ...config.mlPipeline,
      lakehouse: props.lakehouse,
      alerts: props.alerts,
      removalPolicy: config.allowDestroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
  }
}
