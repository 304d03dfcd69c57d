import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { type Alerting, functionAlarms } from '../alerts/alarms';
import type { UnsKafkaCluster } from './kafka-cluster';
import { vpcFunctionAccess, waitForPolicy, workspaceFunction } from './lambda-functions';
import type { UnsKafkaTopic } from './topics';

/** CloudWatch namespace of the edge KPIs. */
export const EDGE_KPI_NAMESPACE = 'UnsMlops/Edge';

/** The topics whose records carry the edge KPIs: summaries, inference results, heartbeats. */
export const KPI_TOPICS: readonly UnsKafkaTopic[] = ['uns.validation', 'uns.ml', 'uns.heartbeat'];

/** Kafka consumer group of the KPI function's mapping of `topic` (Lambda needs one per mapping). */
export const kpiConsumerGroup = (topic: UnsKafkaTopic) => `uns-mlops-edge-kpis-${topic}`;

/** Properties of {@link EdgeKpiMetrics}. */
export interface EdgeKpiMetricsProps {
  /** The environment's MSK cluster the bridges produce to. */
  readonly cluster: UnsKafkaCluster;
  /** The VPC and subnets of the cluster. */
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  /** Key of the function's log group. */
  readonly logKey: kms.IKey;
  /** What happens to the log group when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
  /**
   * Where the function's alarms (errors, throttles, offset lag) and its consumer groups' lag
   * alarms go.
   * @default - no alarms.
   */
  readonly alerts?: Alerting;
}

/**
 * The edge KPIs in CloudWatch, over the one egress path: the validator's summaries, the inference
 * runtime's scores and model status, and the bridge's heartbeats travel UNS → bridge → MSK like all
 * plant data; the `edge-kpi-metrics` function (lambdas/edge-kpi-metrics) consumes them and writes
 * metrics per site into {@link EDGE_KPI_NAMESPACE} with the dimension `Site` (embedded metric
 * format, through its log group).
 */
export class EdgeKpiMetrics extends Construct {
  /** The `edge-kpi-metrics` function, behind one event source mapping per {@link KPI_TOPICS}. */
  readonly function: lambda.IFunction;

  constructor(scope: Construct, id: string, props: EdgeKpiMetricsProps) {
    super(scope, id);
    const { role, logGroup, policy } = vpcFunctionAccess(this, 'Metrics', {
      logKey: props.logKey,
      removalPolicy: props.removalPolicy,
      roleDescription: 'edge-kpi-metrics: reads the edge KPIs from MSK, writes them as metrics',
      policyDescription: `edge-kpi-metrics: consume ${KPI_TOPICS.join(', ')}`,
      statements: props.cluster.consumeStatements(KPI_TOPICS, KPI_TOPICS.map(kpiConsumerGroup)),
    });
    // Metrics leave through the log group (embedded metric format): the function needs no network.
    const securityGroup = new ec2.SecurityGroup(this, 'MetricsSecurityGroup', {
      vpc: props.vpc,
      description: 'edge-kpi-metrics: no network access; metrics leave through its log group',
      allowAllOutbound: false,
    });
    const fn = workspaceFunction(this, 'Metrics', {
      workspace: 'edge-kpi-metrics',
      description:
        "Turns the edge components' summaries, scores and heartbeats into KPI metrics per site",
      memorySize: 256,
      timeout: Duration.minutes(1),
      role,
      logGroup,
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [securityGroup],
      reservedConcurrentExecutions: 3,
      environment: {
        METRICS_NAMESPACE: EDGE_KPI_NAMESPACE,
        POWERTOOLS_SERVICE_NAME: 'edge-kpi-metrics',
        POWERTOOLS_METRICS_NAMESPACE: EDGE_KPI_NAMESPACE,
      },
    });
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Lambda and the MSK event source mappings create and describe their VPC network interfaces before they exist; EC2 offers no narrower resource for these actions.',
    });
    this.function = fn;
    waitForPolicy(fn, policy);
    Validations.of(fn).acknowledge({
      id: 'NIST.800.53.R5-LambdaDLQ',
      reason:
        'The function is invoked synchronously by the MSK event source mappings, which retry a failed batch; a dead-letter queue applies only to asynchronous invocations.',
    });
    for (const topic of KPI_TOPICS) {
      const mapping = fn.addEventSourceMapping(`Source-${topic}`, {
        eventSourceArn: props.cluster.clusterArn,
        kafkaTopic: topic,
        kafkaConsumerGroupId: kpiConsumerGroup(topic),
        startingPosition: lambda.StartingPosition.LATEST,
        batchSize: 500,
        maxBatchingWindow: Duration.seconds(10),
      });
      mapping.node.addDependency(policy);
      if (props.alerts !== undefined) {
        props.cluster.consumerLagAlarm(this, props.alerts, topic, kpiConsumerGroup(topic));
      }
    }
    if (props.alerts !== undefined) {
      functionAlarms(this, fn, props.alerts, 'edge-kpi-metrics', {
        kafkaConsumer: true,
        hint: "The plants' KPIs stop reaching CloudWatch while it fails (the rollout gate then sees missing data); see the function log.",
      });
    }
  }
}
