import {
  GetBootstrapBrokersCommand,
  KafkaClient,
  ListClustersV2Command,
} from '@aws-sdk/client-kafka';
import type { Context } from './context';

/** The environment's MSK cluster as MSK reports it. */
export interface KafkaCluster {
  readonly arn: string;
  /** `ACTIVE`, `CREATING`, `UPDATING`, `MAINTENANCE`, `FAILED`, ... */
  readonly state: string;
  /** `PROVISIONED` or `SERVERLESS`. */
  readonly type?: string;
  /** The bootstrap brokers for IAM authentication (port 9098), comma-separated; only when active. */
  readonly brokers?: string;
}

/**
 * The environment's MSK cluster (named as `STREAMING_DEFAULTS` names it), with its bootstrap
 * brokers for IAM authentication when it is active; none when no cluster has that name.
 */
export async function environmentCluster(context: Context): Promise<KafkaCluster | undefined> {
  const { names, region } = context.target;
  const client = new KafkaClient({ region });
  const { ClusterInfoList: clusters = [] } = await client.send(
    new ListClustersV2Command({ ClusterNameFilter: names.kafkaCluster }),
  );
  const cluster = clusters.find((candidate) => candidate.ClusterName === names.kafkaCluster);
  if (!cluster?.ClusterArn) return undefined;
  const state = cluster.State ?? 'UNKNOWN';
  const brokers =
    state === 'ACTIVE'
      ? (await client.send(new GetBootstrapBrokersCommand({ ClusterArn: cluster.ClusterArn })))
          .BootstrapBrokerStringSaslIam
      : undefined;
  return {
    arn: cluster.ClusterArn,
    state,
    ...(cluster.ClusterType ? { type: cluster.ClusterType } : {}),
    ...(brokers ? { brokers } : {}),
  };
}
