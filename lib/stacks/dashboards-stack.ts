import { Stack, type StackProps } from 'aws-cdk-lib';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import type { CfnDeliveryStream } from 'aws-cdk-lib/aws-kinesisfirehose';
import { Construct } from 'constructs';
import {
  COMPLIANCE_METRICS_NAMESPACE,
  type ComplianceIngest,
  type ComplianceStore,
  INGEST_CONSUMER_GROUP,
  INGEST_SERVICE_NAME,
  VALIDATION_SUMMARIES_CONSUMER_GROUP,
  VALIDATION_SUMMARIES_TABLE,
  VALIDATION_TOPIC,
  type ValidationSummariesDelivery,
} from '../compliance';
import type { ComplianceApi, HostedDashboard } from '../compliance-api';
import type { EnvironmentConfig } from '../config/environment';
import type { LakehouseCuration } from '../curation';
import { UnsDashboards, type KafkaConsumer } from '../dashboards';
import type { EdgeFleet } from '../delivery/edge-fleet';
import { edgeNamePrefix, servingModelVersionParameterName } from '../delivery/edge-names';
import type { Lakehouse } from '../lakehouse';
import type { MlPipeline } from '../ml-pipeline';
import { MODEL_DRIFT_NAMESPACE, type ModelDriftMonitor } from '../model-monitoring';
import type { ModelRollout } from '../model-rollout';
import {
  STREAMING_DEFAULTS,
  TELEMETRY_CONSUMER_GROUP,
  TELEMETRY_TOPIC,
  UNS_CLASS_FLATTENERS,
  UNS_KAFKA_TOPICS,
  type UnsStreaming,
} from '../streaming';
import { type EdgeKpiMetrics, KPI_TOPICS, kpiConsumerGroup } from '../streaming/edge-kpi-metrics';

/** Properties of a {@link DashboardsStack}: the environment and the constructs its stacks hold. */
export interface DashboardsStackProps extends StackProps {
  /** The environment whose plants get a dashboard each. */
  readonly config: EnvironmentConfig;
  /** From the Lakehouse stack: its buckets and Athena workgroup. */
  readonly lakehouse: Lakehouse;
  /** From the streaming stack: MSK, its topics, the Lakehouse deliveries. */
  readonly streaming: UnsStreaming;
  /** From the streaming stack: the function writing the edge KPIs. */
  readonly edgeKpiMetrics: EdgeKpiMetrics;
  /** From the compliance store stack. */
  readonly complianceStore: ComplianceStore;
  /** From the compliance API stack: the API and its function. */
  readonly complianceApi: ComplianceApi;
  /** From the compliance API stack: the hosted dashboard the plants' dashboards link to. */
  readonly complianceDashboard: HostedDashboard;
  /** From the compliance ingestion stack: the ingestion into the store. */
  readonly complianceIngest: ComplianceIngest;
  /** From the compliance ingestion stack: the summaries into the Lakehouse. */
  readonly summariesDelivery: ValidationSummariesDelivery;
  /** From the ML pipeline stack. */
  readonly mlPipeline: MlPipeline;
  /** From the curation stack: the workflow curating the training data. */
  readonly curation: LakehouseCuration;
  /** From the model monitoring stack: the drift check, retraining trigger and drift alarms. */
  readonly driftMonitor: ModelDriftMonitor;
  /** From the edge fleet stack: the rollout gate, the KPI and plant alarms per site. */
  readonly edgeFleet: EdgeFleet;
  /** From the model rollout stack. */
  readonly modelRollout: ModelRollout;
}

/**
 * The CloudWatch dashboards of one environment (lib/dashboards): one for the environment, one per
 * plant of its configuration, over the resources of its other stacks.
 */
export class DashboardsStack extends Stack {
  readonly dashboards: UnsDashboards;

  constructor(scope: Construct, id: string, props: DashboardsStackProps) {
    super(scope, id, props);
    const { config, streaming, lakehouse, summariesDelivery, driftMonitor } = props;
    const flatteners = streaming.classDeliveries.flatteners;
    const consumers: KafkaConsumer[] = [
      {
        label: 'telemetry flattener',
        function: streaming.telemetryDelivery.flattener,
        subscriptions: [{ topic: TELEMETRY_TOPIC, consumerGroup: TELEMETRY_CONSUMER_GROUP }],
      },
      ...UNS_CLASS_FLATTENERS.flatMap(({ serviceName, topic, consumerGroup }) => {
        const flattener = flatteners.get(topic);
        return flattener === undefined
          ? []
          : [
              {
                label: serviceName,
                function: flattener,
                subscriptions: [{ topic, consumerGroup }],
              },
            ];
      }),
      {
        label: 'validation summaries flattener',
        function: summariesDelivery.flattener,
        subscriptions: [
          { topic: VALIDATION_TOPIC, consumerGroup: VALIDATION_SUMMARIES_CONSUMER_GROUP },
        ],
      },
      {
        label: 'compliance ingestion',
        function: props.complianceIngest.function,
        subscriptions: [{ topic: VALIDATION_TOPIC, consumerGroup: INGEST_CONSUMER_GROUP }],
      },
      {
        label: 'edge KPIs',
        function: props.edgeKpiMetrics.function,
        subscriptions: KPI_TOPICS.map((topic) => ({
          topic,
          consumerGroup: kpiConsumerGroup(topic),
        })),
      },
    ];
    const streams = new Construct(this, 'Streams');
    const stream = (table: string, cfn: CfnDeliveryStream) => ({
      table,
      stream: firehose.DeliveryStream.fromDeliveryStreamName(streams, table, cfn.ref),
    });
    const fleet = props.edgeFleet;

    this.dashboards = new UnsDashboards(this, 'Dashboards', {
      environmentName: config.name,
      plants: config.plants,
      dataPath: {
        clusterName: streaming.cluster.clusterName,
        clusterMode: (config.streaming.cluster ?? STREAMING_DEFAULTS.cluster).mode,
        topics: UNS_KAFKA_TOPICS,
        consumers,
        streams: [
          stream('uns_telemetry', streaming.telemetryDelivery.deliveryStream),
          ...[...streaming.classDeliveries.deliveryStreams].map(([table, cfn]) =>
            stream(table, cfn),
          ),
          stream(VALIDATION_SUMMARIES_TABLE, summariesDelivery.deliveryStream),
        ],
        buckets: [
          { zone: 'raw', bucket: lakehouse.storage.rawBucket },
          { zone: 'curated', bucket: lakehouse.storage.curatedBucket },
        ],
        workGroup: lakehouse.analytics.workGroup,
      },
      mlPipeline: {
        pipelineName: props.mlPipeline.pipelineName,
        stateMachines: [
          { label: 'Lakehouse curation', stateMachine: props.curation.stateMachine },
          { label: 'Model rollout', stateMachine: props.modelRollout.stateMachine },
          { label: 'Edge rollout gate', stateMachine: fleet.gate.stateMachine },
        ],
        driftCheck: driftMonitor.checkFunction,
        retrainingTrigger: driftMonitor.retrainingFunction,
        driftNamespace: MODEL_DRIFT_NAMESPACE,
        modelName: driftMonitor.modelName,
      },
      compliance: {
        database: props.complianceStore.instance,
        api: props.complianceApi.httpApi,
        apiFunction: props.complianceApi.function,
        ingestFunction: props.complianceIngest.function,
        ingestNamespace: COMPLIANCE_METRICS_NAMESPACE,
        ingestService: INGEST_SERVICE_NAME,
      },
      kpiThresholds: config.edgeRollout.kpis,
      plantResources: new Map(
        config.plants.map(({ siteId }) => {
          const site = fleet.kpis.sites.find((candidate) => candidate.siteId === siteId);
          const driftAlarm = driftMonitor.driftAlarms.get(siteId);
          return [
            siteId,
            {
              alarms: [
                ...(site?.alarms ?? []),
                ...(site?.plantAlarms ?? []),
                ...(driftAlarm === undefined ? [] : [driftAlarm]),
              ],
            },
          ];
        }),
      ),
      servingModelVersionParameter: servingModelVersionParameterName(edgeNamePrefix(config)),
      complianceDashboardUrl: props.complianceDashboard.url,
    });
  }
}
