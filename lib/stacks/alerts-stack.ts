import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { EnvironmentAlerts } from '../alerts';
import type { EnvironmentConfig } from '../config/environment';

/** Properties of an {@link AlertsStack}. */
export interface AlertsStackProps extends StackProps {
  /** The environment whose `alerts` settings shape the topic and the alarms. */
  readonly config: EnvironmentConfig;
}

/**
 * The notification topic of one environment, which every alarm of its stacks notifies: created
 * first, passed to the stacks as `alerts`.
 */
export class AlertsStack extends Stack {
  readonly alerts: EnvironmentAlerts;

  constructor(scope: Construct, id: string, props: AlertsStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.alerts = new EnvironmentAlerts(this, 'Alerts', {
      ...config.alerts,
      namePrefix: `uns-mlops-${config.name}`,
      removalPolicy: config.allowDestroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    new CfnOutput(this, 'TopicArn', {
      description: 'Every alarm of the environment notifies this topic; subscribe here',
      value: this.alerts.topic.topicArn,
    });
  }
}
