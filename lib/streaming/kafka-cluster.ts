import { Fn, ReferenceStrength, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as msk from 'aws-cdk-lib/aws-msk';
import { Construct } from 'constructs';
import { alarmPeriod, type Alerting, notifyingAlarm } from '../alerts/alarms';
import type { KafkaClusterSettings } from './streaming-props';
import { PROVISIONED_REPLICATION_FACTOR } from './validate-props';

/** The port of SASL/IAM over TLS on MSK brokers (the only listener this cluster opens). */
export const MSK_IAM_PORT = 9098;

/** Resolved settings of {@link UnsKafkaCluster}. */
export interface UnsKafkaClusterProps {
  readonly clusterName: string;
  readonly settings: KafkaClusterSettings;
  readonly kafkaVersion: string;
  readonly vpc: ec2.IVpc;
  /** The VPC's CIDR, literal where known (clients inside the VPC). */
  readonly vpcCidr: string;
  readonly subnets: ec2.SubnetSelection;
  /** Client networks outside the VPC (the plants) allowed on {@link MSK_IAM_PORT}. */
  readonly plantCidrs: readonly string[];
  readonly encryptionKey: kms.IKey;
  readonly logKey: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
  /**
   * Where the cluster's alarms go (broker disk and throttling, provisioned clusters only).
   * @default - no alarms.
   */
  readonly alerts?: Alerting;
}

/** CloudWatch namespace of MSK's metrics. */
export const MSK_NAMESPACE = 'AWS/Kafka';

/**
 * An MSK cluster, serverless or provisioned, reachable only from the VPC and the plant networks on
 * port 9098: IAM authentication (SASL/IAM) only, TLS between clients and brokers and inside the
 * cluster. A provisioned cluster encrypts its volumes with the customer-managed key, logs its
 * brokers to an encrypted log group, publishes per-topic metrics and refuses topic auto-creation;
 * MSK Serverless encrypts at rest with a key AWS manages.
 *
 * Alarms (with `alerts`): on a provisioned cluster, the fullest broker data disk
 * (`KafkaDataLogsDiskUsed`, percent) and the produce and request throttle times
 * (`ProduceThrottleTime`, `RequestThrottleTime`, ms, brokers' average), over every broker (a Metrics Insights
 * query, dimensions `Cluster Name`, `Broker ID`). MSK Serverless publishes neither disk nor
 * throttle metrics (AWS runs the storage, and its per-partition quotas show as producer errors:
 * the bridges' spool and stalled KPIs at the plants). For both kinds, each consumer adds the lag
 * of its group with {@link UnsKafkaCluster.consumerLagAlarm} (`EstimatedMaxTimeLag`, dimensions
 * `Cluster Name`, `Consumer Group`, `Topic`, published by provisioned and serverless clusters).
 */
export class UnsKafkaCluster extends Construct {
  /** ARN of the cluster (`arn:...:cluster/<name>/<uuid>`). */
  readonly clusterArn: string;
  readonly clusterName: string;
  readonly securityGroup: ec2.SecurityGroup;
  /** Broker logs (provisioned clusters only). */
  readonly brokerLogGroup?: logs.LogGroup;
  /** Replication factor of the topics (provisioned clusters; MSK Serverless fixes its own). */
  readonly replicationFactor: number;

  constructor(scope: Construct, id: string, props: UnsKafkaClusterProps) {
    super(scope, id);
    this.clusterName = props.clusterName;
    this.securityGroup = this.createSecurityGroup(props);
    const subnetIds = props.vpc.selectSubnets(props.subnets).subnetIds;

    if (props.settings.mode === 'serverless') {
      this.replicationFactor = PROVISIONED_REPLICATION_FACTOR;
      const cluster = new msk.CfnServerlessCluster(this, 'Cluster', {
        clusterName: props.clusterName,
        clientAuthentication: { sasl: { iam: { enabled: true } } },
        vpcConfigs: [{ subnetIds, securityGroups: [this.securityGroup.securityGroupId] }],
      });
      this.clusterArn = cluster.attrArn;
      return;
    }

    const settings = props.settings;
    this.replicationFactor = PROVISIONED_REPLICATION_FACTOR;
    this.brokerLogGroup = new logs.LogGroup(this, 'BrokerLogs', {
      encryptionKey: props.logKey,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: props.removalPolicy,
    });
    const configuration = new msk.CfnConfiguration(this, 'Configuration', {
      name: `${props.clusterName}-brokers`,
      description: 'uns-mlops brokers: durable writes, no topic auto-creation, no unclean leaders',
      kafkaVersionsList: [props.kafkaVersion],
      serverProperties: [
        'auto.create.topics.enable=false',
        `default.replication.factor=${PROVISIONED_REPLICATION_FACTOR}`,
        `min.insync.replicas=${PROVISIONED_REPLICATION_FACTOR - 1}`,
        'unclean.leader.election.enable=false',
        'log.retention.hours=168',
      ].join('\n'),
    });
    const cluster = new msk.CfnCluster(this, 'Cluster', {
      clusterName: props.clusterName,
      kafkaVersion: props.kafkaVersion,
      numberOfBrokerNodes: settings.brokerCount,
      brokerNodeGroupInfo: {
        instanceType: settings.brokerInstanceType,
        clientSubnets: subnetIds,
        securityGroups: [this.securityGroup.securityGroupId],
        storageInfo: { ebsStorageInfo: { volumeSize: settings.brokerStorageGiB } },
        connectivityInfo: { publicAccess: { type: 'DISABLED' } },
      },
      clientAuthentication: {
        sasl: { iam: { enabled: true }, scram: { enabled: false } },
        unauthenticated: { enabled: false },
      },
      encryptionInfo: {
        encryptionAtRest: { dataVolumeKmsKeyId: props.encryptionKey.keyArn },
        encryptionInTransit: { clientBroker: 'TLS', inCluster: true },
      },
      configurationInfo: { arn: configuration.attrArn, revision: 1 },
      enhancedMonitoring: 'PER_TOPIC_PER_BROKER',
      loggingInfo: {
        brokerLogs: {
          cloudWatchLogs: { enabled: true, logGroup: this.brokerLogGroup.logGroupName },
        },
      },
    });
    this.clusterArn = cluster.attrArn;
    if (props.alerts !== undefined) this.brokerAlarms(props.alerts);
  }

  /**
   * The alarm on how far one consumer group is behind one topic, in seconds
   * (`EstimatedMaxTimeLag`, the largest of the topic's partitions), above
   * `maxConsumerTimeLagSeconds` for two periods. MSK publishes it for groups in a STABLE or EMPTY
   * state; a group that never committed has no lag metric, which does not breach. In `scope` (the
   * consumer's), id `<group>-lag`, named `<prefix>-msk-<group>-lag`.
   */
  consumerLagAlarm(
    scope: Construct,
    alerts: Alerting,
    topic: string,
    consumerGroup: string,
  ): cloudwatch.Alarm {
    const limit = alerts.thresholds.maxConsumerTimeLagSeconds;
    return notifyingAlarm(scope, `${consumerGroup}-lag`, alerts, {
      name: `msk-${consumerGroup}-lag`,
      description: `MSK ${this.clusterName}: consumer group ${consumerGroup} is more than ${limit} s behind ${topic}. Look at the consumer's errors and throttles (its function alarms), then at the topic's incoming rate.`,
      metric: new cloudwatch.Metric({
        namespace: MSK_NAMESPACE,
        metricName: 'EstimatedMaxTimeLag',
        dimensionsMap: {
          'Cluster Name': this.clusterName,
          'Consumer Group': consumerGroup,
          Topic: topic,
        },
        statistic: cloudwatch.Stats.MAXIMUM,
        period: alarmPeriod(alerts),
      }),
      threshold: limit,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 2,
    });
  }

  /** Broker disk (the fullest broker) and throttling (brokers' average) of a provisioned cluster. */
  private brokerAlarms(alerts: Alerting): void {
    const period = alarmPeriod(alerts);
    // Metrics Insights over every broker: no alarm to change when brokers are added.
    const overBrokers = (aggregate: 'MAX' | 'AVG', metricName: string, label: string) =>
      new cloudwatch.MathExpression({
        expression: `SELECT ${aggregate}(${metricName}) FROM SCHEMA("${MSK_NAMESPACE}", "Cluster Name", "Broker ID") WHERE "Cluster Name" = '${this.clusterName}'`,
        label,
        period,
        usingMetrics: {},
      });
    const { thresholds } = alerts;
    const above = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
    notifyingAlarm(this, 'BrokerDiskAlarm', alerts, {
      name: 'msk-broker-disk',
      description: `MSK ${this.clusterName}: a broker's data disk is more than ${thresholds.maxBrokerDiskUsedPercent} % full; at 100 % it stops accepting writes. Add broker storage (brokerStorageGiB) or shorten the topics' retention.`,
      metric: overBrokers('MAX', 'KafkaDataLogsDiskUsed', 'Fullest broker data disk (%)'),
      threshold: thresholds.maxBrokerDiskUsedPercent,
      comparisonOperator: above,
    });
    for (const [id, metricName, what] of [
      ['ProduceThrottleAlarm', 'ProduceThrottleTime', 'produce'],
      ['RequestThrottleAlarm', 'RequestThrottleTime', 'request'],
    ] as const) {
      notifyingAlarm(this, id, alerts, {
        name: `msk-${what}-throttling`,
        description: `MSK ${this.clusterName}: brokers throttle ${what}s by more than ${thresholds.maxThrottleTimeMs} ms on average; clients (the plants' bridges, the consumers) are slowed by the broker quotas. Check the brokers' CPU and network, then size up the brokers.`,
        metric: overBrokers('AVG', metricName, `${metricName}, brokers' average (ms)`),
        threshold: thresholds.maxThrottleTimeMs,
        comparisonOperator: above,
        evaluationPeriods: 2,
      });
    }
  }

  /** ARN of one topic of this cluster. */
  topicArn(topic: string): string {
    return this.dataPlaneArn('topic', topic);
  }

  /** ARN of one consumer group of this cluster. */
  groupArn(group: string): string {
    return this.dataPlaneArn('group', group);
  }

  /**
   * IAM statements of a producer: connect, write idempotently, and describe and write the given
   * topics only.
   */
  produceStatements(topics: readonly string[]): iam.PolicyStatement[] {
    return this.clusterAndTopicStatements(
      {
        sid: 'ConnectAndProduceIdempotently',
        actions: ['kafka-cluster:Connect', 'kafka-cluster:WriteDataIdempotently'],
      },
      {
        sid: 'WriteUnsTopics',
        actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'],
      },
      topics,
    );
  }

  /**
   * IAM statements of the topic creator (MSK Serverless, where `AWS::MSK::Topic` is unavailable):
   * find the SASL/IAM brokers, connect, and describe and create the given topics only. Nothing
   * that alters, writes, reads or deletes a topic.
   */
  createTopicsStatements(topics: readonly string[]): iam.PolicyStatement[] {
    return this.clusterAndTopicStatements(
      {
        sid: 'LocateBrokersAndConnect',
        actions: ['kafka:GetBootstrapBrokers', 'kafka-cluster:Connect'],
      },
      {
        sid: 'DescribeAndCreateUnsTopics',
        actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:CreateTopic'],
      },
      topics,
    );
  }

  /**
   * IAM statements of a consumer of the given topics in the given consumer groups (what the Lambda
   * MSK event source mapping needs: the cluster's brokers and configuration, the topics, the
   * groups; one group per mapping, as Lambda requires).
   */
  consumeStatements(
    topics: readonly string[],
    groups: string | readonly string[],
  ): iam.PolicyStatement[] {
    return [
      ...this.clusterAndTopicStatements(
        {
          sid: 'ConnectAndLocateBrokers',
          actions: [
            'kafka-cluster:Connect',
            'kafka-cluster:DescribeClusterDynamicConfiguration',
            'kafka:DescribeCluster',
            'kafka:DescribeClusterV2',
            'kafka:GetBootstrapBrokers',
          ],
        },
        { sid: 'ReadTopics', actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'] },
        topics,
      ),
      new iam.PolicyStatement({
        sid: 'CommitConsumerGroupOffsets',
        actions: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
        resources: (typeof groups === 'string' ? [groups] : groups).map((group) =>
          this.groupArn(group),
        ),
      }),
    ];
  }

  /** One statement on this cluster and one on the given topics of it. */
  private clusterAndTopicStatements(
    onCluster: { sid: string; actions: string[] },
    onTopics: { sid: string; actions: string[] },
    topics: readonly string[],
  ): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({ ...onCluster, resources: [this.clusterArn] }),
      new iam.PolicyStatement({
        ...onTopics,
        resources: topics.map((topic) => this.topicArn(topic)),
      }),
    ];
  }

  /** `arn:...:<type>/<cluster name>/<cluster uuid>/<name>`, the ARN form of MSK data-plane resources. */
  private dataPlaneArn(type: 'topic' | 'group', name: string): string {
    // Another stack imports the ARN with Fn::ImportValue: CloudFormation documents Fn::Split over
    // it, not over the project's default weak references (Fn::GetStackOutput).
    const clusterArn = Stack.consumeReference(this.clusterArn, ReferenceStrength.STRONG);
    const clusterUuid = Fn.select(2, Fn.split('/', clusterArn));
    return Stack.of(this).formatArn({
      service: 'kafka',
      resource: type,
      resourceName: `${this.clusterName}/${clusterUuid}/${name}`,
    });
  }

  private createSecurityGroup(props: UnsKafkaClusterProps): ec2.SecurityGroup {
    const securityGroup = new ec2.SecurityGroup(this, 'Brokers', {
      vpc: props.vpc,
      description: `MSK ${props.clusterName}: SASL/IAM over TLS (9098) from the VPC and the plants`,
      allowAllOutbound: false,
    });
    const iamPort = ec2.Port.tcp(MSK_IAM_PORT);
    securityGroup.addIngressRule(
      ec2.Peer.ipv4(props.vpcCidr),
      iamPort,
      'Kafka clients inside the VPC',
    );
    for (const cidr of props.plantCidrs) {
      securityGroup.addIngressRule(ec2.Peer.ipv4(cidr), iamPort, `Plant network ${cidr}`);
    }
    // The Lambda event source mapping's pollers use this group too: they reach the brokers and
    // the STS and Lambda endpoints of the VPC.
    securityGroup.addEgressRule(ec2.Peer.ipv4(props.vpcCidr), iamPort, 'Brokers');
    securityGroup.addEgressRule(
      ec2.Peer.ipv4(props.vpcCidr),
      ec2.Port.tcp(443),
      'STS and Lambda VPC endpoints',
    );
    return securityGroup;
  }
}
