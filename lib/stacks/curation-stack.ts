import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Alerting } from '../alerts';
import type { EnvironmentConfig } from '../config/environment';
import { LakehouseCuration } from '../curation';
import type { Lakehouse } from '../lakehouse';
import type { UnsNetwork } from '../network';

/** Properties of a {@link CurationStack}. */
export interface CurationStackProps extends StackProps {
  /** The environment whose curation settings shape the workflow. */
  readonly config: EnvironmentConfig;
  /** The environment's Lakehouse (from its LakehouseStack): raw zone read, curated zone written. */
  readonly lakehouse: Lakehouse;
  /** The environment's network: its log key encrypts the workflow's log groups. */
  readonly network: UnsNetwork;
  /** The environment's alert topic and limits: every alarm of the stack notifies it. */
  readonly alerts: Alerting;
}

/** The scheduled curation of one environment's Lakehouse into its training table. */
export class CurationStack extends Stack {
  readonly curation: LakehouseCuration;

  constructor(scope: Construct, id: string, props: CurationStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.curation = new LakehouseCuration(this, 'Curation', {
      ...config.curation,
      lakehouse: props.lakehouse,
      alerts: props.alerts,
      namePrefix: `uns-mlops-${config.name}`,
      logKey: props.network.logKey,
      removalPolicy: config.allowDestroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
  }
}
