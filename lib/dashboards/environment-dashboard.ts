import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type {
  ComplianceResources,
  DataPathResources,
  KafkaConsumer,
  MlPipelineResources,
} from './dashboard-props';
import { dashboardUrl, graph, heading, searchTerm } from './widgets';

/** CloudWatch namespace of the SageMaker pipeline execution metrics. */
export const PIPELINE_NAMESPACE = 'AWS/Sagemaker/ModelBuildingPipeline';

/** Period of the ML pipeline's graphs: executions are hours or days apart. */
const ML_PERIOD = Duration.hours(1);
/** Period of the Lakehouse storage graphs: S3 publishes its storage metrics once a day. */
const STORAGE_PERIOD = Duration.days(1);

/** What the environment's dashboard is made of. */
export interface EnvironmentDashboardSources {
  /** The environment's name, in the dashboard's title. */
  readonly environmentName: string;
  /** The AWS region of the environment, for the links to the plants' dashboards. */
  readonly region: string;
  /** The plants, in order: their drift graphs, and the links to their dashboards. */
  readonly plants: readonly { readonly siteId: string; readonly dashboardName: string }[];
  readonly dataPath: DataPathResources;
  readonly mlPipeline: MlPipelineResources;
  readonly compliance: ComplianceResources;
  /** Period of the graphs of the data path and the compliance store. */
  readonly period: Duration;
}

/**
 * The rows of an environment's dashboard: a title with links to the plants' dashboards, then
 * (a) the data path from the plants to the Lakehouse, (b) the ML pipeline, (c) the compliance
 * store. Each row opens with a heading saying what it shows.
 */
export function environmentDashboardRows(
  sources: EnvironmentDashboardSources,
): cloudwatch.IWidget[][] {
  const plantLinks = sources.plants
    .map(
      ({ siteId, dashboardName }) => `[${siteId}](${dashboardUrl(sources.region, dashboardName)})`,
    )
    .join(' · ');
  return [
    [
      heading(
        [
          `# uns-mlops ${sources.environmentName}`,
          `Plants: ${plantLinks}. Rows: the data path from the plants to the Lakehouse, the ML pipeline, the compliance store.`,
        ].join('\n\n'),
        2,
      ),
    ],
    ...dataPathRows(sources.dataPath, sources.period),
    ...mlPipelineRows(sources, sources.period),
    ...complianceRows(sources.compliance, sources.period),
  ];
}

function dataPathRows(data: DataPathResources, period: Duration): cloudwatch.IWidget[][] {
  const topicThroughput = (metricName: string) =>
    data.topics.map((topic) => kafkaTopicMetric(data, metricName, topic, period));
  const subscriptions = data.consumers.flatMap(({ subscriptions: groups }) => groups);
  const lag = (metricName: string) =>
    subscriptions.map(
      ({ topic, consumerGroup }) =>
        new cloudwatch.Metric({
          namespace: 'AWS/Kafka',
          metricName,
          dimensionsMap: {
            'Cluster Name': data.clusterName,
            'Consumer Group': consumerGroup,
            Topic: topic,
          },
          statistic: cloudwatch.Stats.MAXIMUM,
          period,
          label: `${consumerGroup} (${topic})`,
        }),
    );
  const perConsumer = (
    metric: (consumer: KafkaConsumer) => cloudwatch.IMetric,
  ): cloudwatch.IMetric[] => data.consumers.map(metric);
  const sum = { statistic: cloudwatch.Stats.SUM, period };
  const perStream = (metricName: string, statistic: string) =>
    data.streams.map(({ table, stream }) =>
      stream.metric(metricName, { statistic, period, label: table }),
    );
  return [
    [heading('## Data path: plants → MSK → consumers → Firehose → Lakehouse')],
    [
      graph('MSK bytes in per topic', topicThroughput('BytesInPerSec'), {
        perRow: 2,
        unit: 'bytes/s',
      }),
      graph('MSK messages in per topic', topicThroughput('MessagesInPerSec'), {
        perRow: 2,
        unit: 'messages/s',
      }),
    ],
    [
      graph('Consumer lag (MaxOffsetLag) per consumer group', lag('MaxOffsetLag'), {
        perRow: 2,
        unit: 'records',
      }),
      graph('Consumer lag in time (EstimatedMaxTimeLag)', lag('EstimatedMaxTimeLag'), {
        perRow: 2,
        unit: 'seconds',
      }),
    ],
    [
      graph(
        'MSK consumers: invocations',
        perConsumer((c) => c.function.metricInvocations({ ...sum, label: c.label })),
        { perRow: 4, min: 0 },
      ),
      graph(
        'MSK consumers: errors',
        perConsumer((c) => c.function.metricErrors({ ...sum, label: c.label })),
        { perRow: 4, min: 0 },
      ),
      graph(
        'MSK consumers: duration (p99)',
        perConsumer((c) =>
          c.function.metricDuration({ statistic: cloudwatch.Stats.p(99), period, label: c.label }),
        ),
        { perRow: 4, unit: 'ms', min: 0 },
      ),
      graph(
        'MSK consumers: OffsetLag',
        perConsumer((c) =>
          c.function.metric('OffsetLag', {
            statistic: cloudwatch.Stats.MAXIMUM,
            period,
            label: c.label,
          }),
        ),
        { perRow: 4, unit: 'records', min: 0 },
      ),
    ],
    [
      graph('Firehose: records in', perStream('IncomingRecords', cloudwatch.Stats.SUM), {
        perRow: 4,
        min: 0,
      }),
      graph(
        'Firehose: records delivered to S3',
        perStream('DeliveryToS3.Records', cloudwatch.Stats.SUM),
        { perRow: 4, min: 0 },
      ),
      graph(
        'Firehose: delivery success (1 = all)',
        perStream('DeliveryToS3.Success', cloudwatch.Stats.AVERAGE),
        { perRow: 4, min: 0 },
      ),
      graph(
        'Firehose: data freshness',
        perStream('DeliveryToS3.DataFreshness', cloudwatch.Stats.MAXIMUM),
        { perRow: 4, unit: 'seconds', min: 0 },
      ),
    ],
    [
      graph(
        `Athena: bytes scanned (workgroup ${data.workGroup.name})`,
        [
          new cloudwatch.SearchExpression({
            // No dimension schema: Athena adds a Capacity dimension to queries on reserved capacity.
            expression: `SEARCH('Namespace="AWS/Athena" MetricName="ProcessedBytes" WorkGroup=${searchTerm(data.workGroup.name)}', 'Sum', ${period.toSeconds()})`,
            label: "${PROP('Dim.QueryType')} ${PROP('Dim.QueryState')}",
            period,
          }),
        ],
        { perRow: 2, unit: 'bytes', min: 0 },
      ),
      graph(
        'Lakehouse: bytes stored per zone',
        data.buckets.map(
          ({ zone, bucket }) =>
            new cloudwatch.MathExpression({
              expression: `SUM(SEARCH('{AWS/S3,BucketName,StorageType} MetricName="BucketSizeBytes" BucketName=${searchTerm(bucket.bucketName)}', 'Average', ${STORAGE_PERIOD.toSeconds()}))`,
              usingMetrics: {},
              label: zone,
              period: STORAGE_PERIOD,
            }),
        ),
        { perRow: 2, unit: 'bytes', min: 0 },
      ),
    ],
  ];
}

function mlPipelineRows(
  { mlPipeline: ml, plants, environmentName }: EnvironmentDashboardSources,
  period: Duration,
): cloudwatch.IWidget[][] {
  const sum = { statistic: cloudwatch.Stats.SUM, period: ML_PERIOD };
  const pipeline = (metricName: string, label: string) =>
    new cloudwatch.Metric({
      namespace: PIPELINE_NAMESPACE,
      metricName,
      dimensionsMap: { PipelineName: ml.pipelineName },
      ...sum,
      label,
    });
  const drift = (metricName: string, dimensionsMap: Record<string, string>, label: string) =>
    new cloudwatch.Metric({
      namespace: ml.driftNamespace,
      metricName,
      dimensionsMap: { Environment: environmentName, Model: ml.modelName, ...dimensionsMap },
      statistic: cloudwatch.Stats.MAXIMUM,
      period,
      label,
    });
  return [
    [heading(`## ML pipeline: ${ml.pipelineName}, its data, its drift and its rollouts`)],
    [
      graph(
        'SageMaker pipeline executions',
        [
          pipeline('ExecutionStarted', 'started'),
          pipeline('ExecutionSucceeded', 'succeeded'),
          pipeline('ExecutionFailed', 'failed'),
        ],
        { min: 0 },
      ),
      ...ml.stateMachines.map(({ label, stateMachine }) =>
        graph(
          `${label}: executions`,
          [
            stateMachine.metricStarted({ ...sum, label: 'started' }),
            stateMachine.metricSucceeded({ ...sum, label: 'succeeded' }),
            stateMachine.metricFailed({ ...sum, label: 'failed' }),
            stateMachine.metricTimedOut({ ...sum, label: 'timed out' }),
          ],
          { min: 0 },
        ),
      ),
    ],
    [
      graph(
        'Drift check and retraining trigger',
        [
          ml.driftCheck.metricInvocations({ ...sum, label: 'checks' }),
          ml.driftCheck.metricErrors({ ...sum, label: 'check errors' }),
          ml.retrainingTrigger.metricInvocations({ ...sum, label: 'trigger invocations' }),
          ml.retrainingTrigger.metricErrors({ ...sum, label: 'trigger errors' }),
        ],
        { min: 0 },
      ),
      graph(
        `Drifted share of ${ml.modelName} per plant`,
        plants.map(({ siteId }) => drift('DriftedShare', { Site: siteId }, siteId)),
        { min: 0 },
      ),
      graph(
        'Retrainings started and skipped (cooldown)',
        [
          drift('RetrainingStarted', {}, 'started').with(sum),
          drift('RetrainingSkipped', {}, 'skipped').with(sum),
        ],
        { min: 0 },
      ),
    ],
  ];
}

function complianceRows(compliance: ComplianceResources, period: Duration): cloudwatch.IWidget[][] {
  const { database, api } = compliance;
  const sum = { statistic: cloudwatch.Stats.SUM, period };
  return [
    [heading('## Compliance store: RDS for PostgreSQL, the compliance API, the ingestion')],
    [
      graph('RDS: CPU', [database.metricCPUUtilization({ period, label: 'CPU' })], {
        perRow: 4,
        unit: '%',
        min: 0,
      }),
      graph(
        'RDS: connections',
        [database.metricDatabaseConnections({ period, label: 'connections' })],
        { perRow: 4, min: 0 },
      ),
      graph(
        'RDS: free storage',
        [database.metricFreeStorageSpace({ period, label: 'free storage' })],
        { perRow: 4, unit: 'bytes', min: 0 },
      ),
      graph(
        'RDS: read and write latency',
        [
          database.metric('ReadLatency', { period, label: 'read' }),
          database.metric('WriteLatency', { period, label: 'write' }),
        ],
        { perRow: 4, unit: 'seconds', min: 0 },
      ),
    ],
    [
      graph(
        'Compliance API: 4xx and 5xx',
        [
          api.metricClientError({ ...sum, label: '4xx' }),
          api.metricServerError({ ...sum, label: '5xx' }),
        ],
        { perRow: 4, min: 0 },
      ),
      graph(
        'Compliance API: latency',
        [
          api.metricLatency({ statistic: cloudwatch.Stats.p(50), period, label: 'p50' }),
          api.metricLatency({ statistic: cloudwatch.Stats.p(99), period, label: 'p99' }),
        ],
        { perRow: 4, unit: 'ms', min: 0 },
      ),
      graph(
        'Function errors: API and ingestion',
        [
          compliance.apiFunction.metricErrors({ ...sum, label: 'API function' }),
          compliance.ingestFunction.metricErrors({ ...sum, label: 'ingestion (failed batches)' }),
        ],
        { perRow: 4, min: 0 },
      ),
      graph(
        'Ingestion: poison records per reason',
        [
          new cloudwatch.MathExpression({
            expression: `SELECT SUM(PoisonRecords) FROM SCHEMA("${compliance.ingestNamespace}", Reason, service) WHERE service = '${compliance.ingestService}' GROUP BY Reason`,
            // No label: CloudWatch names each series by its Reason.
            usingMetrics: {},
            period,
          }),
        ],
        { perRow: 4, min: 0 },
      ),
    ],
  ];
}

/**
 * A topic's `BytesInPerSec` or `MessagesInPerSec`: one metric on MSK Serverless (`Cluster Name,
 * Topic`); on a provisioned cluster the sum over its brokers (`Cluster Name, Broker ID, Topic`,
 * published at the per-topic-per-broker monitoring level the cluster is created with).
 */
function kafkaTopicMetric(
  data: DataPathResources,
  metricName: string,
  topic: string,
  period: Duration,
): cloudwatch.IMetric {
  if (data.clusterMode === 'serverless') {
    return new cloudwatch.Metric({
      namespace: 'AWS/Kafka',
      metricName,
      dimensionsMap: { 'Cluster Name': data.clusterName, Topic: topic },
      statistic: cloudwatch.Stats.AVERAGE,
      period,
      label: topic,
    });
  }
  return new cloudwatch.MathExpression({
    expression: `SUM(SEARCH('{AWS/Kafka,"Broker ID","Cluster Name",Topic} MetricName="${metricName}" "Cluster Name"=${searchTerm(data.clusterName)} Topic=${searchTerm(topic)}', 'Average', ${period.toSeconds()}))`,
    usingMetrics: {},
    label: topic,
    period,
  });
}
