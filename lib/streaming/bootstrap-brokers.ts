import { Duration, Validations } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { UnsKafkaCluster } from './kafka-cluster';

/** Name of the SSM parameter holding an environment's bootstrap brokers. */
export const bootstrapBrokersParameterName = (namePrefix: string) =>
  `/${namePrefix}/msk/bootstrap-brokers-iam`;

/** Properties of {@link BootstrapBrokersParameter}. */
export interface BootstrapBrokersParameterProps {
  /** The cluster whose brokers are published. */
  readonly cluster: UnsKafkaCluster;
  /** Name of the SSM parameter. */
  readonly parameterName: string;
  /** Log group of the lookup's provider function. */
  readonly logGroup: logs.ILogGroup;
}

/**
 * The cluster's bootstrap brokers for IAM authentication (port 9098), looked up when the stack
 * deploys (MSK offers no CloudFormation attribute for them) and kept in an SSM parameter, where
 * stacks of other stages, such as the edge deployments that configure the plants' bridges, read
 * them by name.
 */
export class BootstrapBrokersParameter extends Construct {
  readonly parameter: ssm.StringParameter;

  constructor(scope: Construct, id: string, props: BootstrapBrokersParameterProps) {
    super(scope, id);
    const clusterArn = props.cluster.clusterArn;
    const lookup = new cr.AwsCustomResource(this, 'Lookup', {
      onUpdate: {
        service: 'Kafka',
        action: 'getBootstrapBrokers',
        parameters: { ClusterArn: clusterArn },
        physicalResourceId: cr.PhysicalResourceId.of(props.parameterName),
        outputPaths: ['BootstrapBrokerStringSaslIam'],
      },
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: [clusterArn] }),
      installLatestAwsSdk: false,
      timeout: Duration.minutes(2),
      logGroup: props.logGroup,
    });
    Validations.of(lookup).acknowledge({
      id: 'NIST.800.53.R5-IAMNoInlinePolicy',
      reason:
        "aws-cdk-lib attaches the lookup's one statement (kafka:GetBootstrapBrokers on this cluster) inline to its provider role; the project cannot shape it.",
    });
    this.parameter = new ssm.StringParameter(this, 'Parameter', {
      parameterName: props.parameterName,
      description:
        'MSK bootstrap brokers (IAM, port 9098) merged into the bridge by edge deployments',
      stringValue: lookup.getResponseField('BootstrapBrokerStringSaslIam'),
    });
  }
}
