import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { Alerting } from '../alerts';
import type { EnvironmentConfig } from '../config/environment';
import { Lakehouse } from '../lakehouse';

/** Properties of a {@link LakehouseStack}. */
export interface LakehouseStackProps extends StackProps {
  /** The environment whose plants and sizes shape the Lakehouse. */
  readonly config: EnvironmentConfig;
  /** The environment's alert topic and limits: every alarm of the stack notifies it. */
  readonly alerts: Alerting;
}

/** The Lakehouse of one environment, shaped by its configuration. */
export class LakehouseStack extends Stack {
  readonly lakehouse: Lakehouse;

  constructor(scope: Construct, id: string, props: LakehouseStackProps) {
    super(scope, id, props);
    const { config } = props;
    const { lakeFormationAdminRoleArns, ...lakehouseSizes } = config.lakehouse;
    this.lakehouse = new Lakehouse(this, 'Lakehouse', {
      ...lakehouseSizes,
      siteIds: config.plants.map((plant) => plant.siteId),
      alerts: props.alerts,
      removalPolicy: config.allowDestroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      lakeFormationAdmins: lakeFormationAdminRoleArns.map((arn, index) =>
        iam.Role.fromRoleArn(this, `LakeFormationAdmin${index}`, arn, { mutable: false }),
      ),
    });
  }
}
