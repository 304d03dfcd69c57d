import { CustomResource, Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { MSK_IAM_PORT, type UnsKafkaCluster } from './kafka-cluster';
import { vpcFunctionAccess, waitForPolicy, workspaceFunction } from './lambda-functions';
import { vpcProvider } from './vpc-provider';
import { UNS_KAFKA_TOPICS, type UnsKafkaTopic } from './topics';

/** CloudFormation type of the custom resource holding the UNS topics of an MSK Serverless cluster. */
export const SERVERLESS_TOPICS_RESOURCE_TYPE = 'Custom::UnsKafkaTopics';

/** Resolved settings of {@link ServerlessTopics}. */
export interface ServerlessTopicsProps {
  /** An MSK Serverless cluster. */
  readonly cluster: UnsKafkaCluster;
  /** The cluster's VPC: the functions and the MSK API endpoint go there. Required, no default. */
  readonly vpc: ec2.IVpc;
  /** The cluster's private subnets: the functions run there. */
  readonly subnets: ec2.SubnetSelection;
  /** Partitions of each UNS topic, from the environment configuration. Required, no default. */
  readonly partitions: Readonly<Record<UnsKafkaTopic, number>>;
  /** The KMS key encrypting the functions' log groups. Required, no default. */
  readonly logKey: kms.IKey;
  /** What happens to the log groups when the stack is deleted. Required, no default. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The UNS topics of an MSK Serverless cluster, where `AWS::MSK::Topic` is not available: a custom
 * resource (`Custom::UnsKafkaTopics`, CDK provider framework) whose function
 * (`lambdas/uns-kafka-topics`) runs in the cluster's private subnets, asks the MSK API for the
 * SASL/IAM brokers through an interface endpoint, connects on 9098 with an IAM token and creates
 * the topics the cluster lacks, with their partitions. Create and Update are idempotent; Delete
 * leaves the topics and their records on the cluster (data retention).
 */
export class ServerlessTopics extends Construct {
  readonly resource: CustomResource;
  /** The function that creates the topics. */
  readonly creator: nodejs.NodejsFunction;
  /** The MSK API (`kafka`) interface endpoint the creator reaches from the isolated subnets. */
  readonly mskApiEndpoint: ec2.InterfaceVpcEndpoint;

  constructor(scope: Construct, id: string, props: ServerlessTopicsProps) {
    super(scope, id);
    const { cluster, vpc, subnets } = props;

    const creatorSecurityGroup = new ec2.SecurityGroup(this, 'CreatorSecurityGroup', {
      vpc,
      description: 'uns-kafka-topics: SASL/IAM to the MSK brokers, HTTPS to the MSK API endpoint',
      allowAllOutbound: false,
    });
    creatorSecurityGroup.connections.allowTo(
      cluster.securityGroup,
      ec2.Port.tcp(MSK_IAM_PORT),
      'uns-kafka-topics creates the UNS topics',
    );
    // The subnets have no route out: GetBootstrapBrokers goes through an endpoint of the MSK API,
    // open to the creator only. (MSK Serverless exposes its brokers to CloudFormation as no
    // attribute, so they are looked up when the topics are created.)
    this.mskApiEndpoint = new ec2.InterfaceVpcEndpoint(this, 'MskApiEndpoint', {
      vpc,
      service: ec2.InterfaceVpcEndpointAwsService.KAFKA,
      subnets,
      privateDnsEnabled: true,
      open: false,
    });
    this.mskApiEndpoint.connections.allowFrom(
      creatorSecurityGroup,
      ec2.Port.tcp(443),
      'uns-kafka-topics looks up the bootstrap brokers',
    );

    const creator = vpcFunctionAccess(this, 'Creator', {
      ...props,
      roleDescription: 'uns-kafka-topics: creates the UNS topics on the MSK Serverless cluster',
      policyDescription:
        'uns-kafka-topics: find the brokers, connect, describe and create the uns.* topics only',
      statements: cluster.createTopicsStatements(UNS_KAFKA_TOPICS),
    });
    this.creator = workspaceFunction(this, 'Creator', {
      workspace: 'uns-kafka-topics',
      description:
        'Creates the UNS Kafka topics the MSK Serverless cluster lacks (custom resource)',
      // aws-msk-iam-sasl-signer-js imports SDK packages of its own versions: bundle them as tested.
      bundleAwsSdk: true,
      memorySize: 256,
      timeout: Duration.minutes(5),
      role: creator.role,
      logGroup: creator.logGroup,
      vpc,
      vpcSubnets: subnets,
      securityGroups: [creatorSecurityGroup],
      reservedConcurrentExecutions: 1,
      environment: { POWERTOOLS_SERVICE_NAME: 'uns-kafka-topics' },
    });
    waitForPolicy(this.creator, creator.policy);
    Validations.of(creator.policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Lambda creates and describes the network interfaces of the topic creator in the VPC before they exist; EC2 offers no narrower resource for these actions.',
    });
    Validations.of(this.creator).acknowledge({
      id: 'NIST.800.53.R5-LambdaDLQ',
      reason:
        'The topic creator is invoked synchronously by the custom resource provider framework, which reports a failure to CloudFormation; a dead-letter queue applies only to asynchronous invocations.',
    });

    const provider = vpcProvider(this, {
      name: 'uns-kafka-topics',
      deploys: 'the UNS topics',
      onEventHandler: this.creator,
      handlerNoun: 'topic creator',
      vpc,
      subnets,
      logKey: props.logKey,
      removalPolicy: props.removalPolicy,
    });
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: SERVERLESS_TOPICS_RESOURCE_TYPE,
      properties: {
        ClusterArn: cluster.clusterArn,
        Topics: UNS_KAFKA_TOPICS.map((topic) => ({
          Name: topic,
          Partitions: props.partitions[topic],
        })),
      },
    });
    // The creator reaches the endpoint and the brokers only once these rules exist.
    this.resource.node.addDependency(
      this.mskApiEndpoint,
      creatorSecurityGroup,
      cluster.securityGroup,
    );
  }
}
