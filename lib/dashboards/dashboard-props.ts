import type { Duration } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as athena from 'aws-cdk-lib/aws-athena';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as rds from 'aws-cdk-lib/aws-rds';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { EdgeKpiThresholds, PlantConfig } from '../config/environment';

/** One consumer group of a {@link KafkaConsumer}: the topic it reads. */
export interface KafkaSubscription {
  /** The Kafka topic, e.g. `uns.telemetry`. */
  readonly topic: string;
  /** The consumer group the event source mapping commits, e.g. `uns-mlops-lakehouse-telemetry`. */
  readonly consumerGroup: string;
}

/** A Lambda function that reads MSK topics through event source mappings. */
export interface KafkaConsumer {
  /** What the function does, as the graphs label it, e.g. `telemetry flattener`. */
  readonly label: string;
  readonly function: lambda.IFunction;
  /** Its event source mappings: one topic and consumer group each. At least one. */
  readonly subscriptions: readonly KafkaSubscription[];
}

/** A Firehose stream into one Lakehouse table. */
export interface LakehouseStream {
  /** The raw-zone table the stream fills, as the graphs label it. */
  readonly table: string;
  readonly stream: firehose.IDeliveryStream;
}

/** A Step Functions workflow shown with its executions. */
export interface DashboardStateMachine {
  /** What the workflow does, as the graphs label it, e.g. `Lakehouse curation`. */
  readonly label: string;
  readonly stateMachine: sfn.IStateMachine;
}

/** The data path from the plants to the Lakehouse: MSK, its consumers, Firehose, S3 and Athena. */
export interface DataPathResources {
  /** Name of the MSK cluster (the `Cluster Name` dimension of `AWS/Kafka`). */
  readonly clusterName: string;
  /**
   * The cluster's kind: MSK Serverless publishes per-topic throughput by `Cluster Name, Topic`,
   * a provisioned cluster (per topic per broker monitoring) by `Cluster Name, Broker ID, Topic`,
   * which the graphs add up over the brokers.
   */
  readonly clusterMode: 'serverless' | 'provisioned';
  /** The UNS topics whose bytes and messages in are graphed. */
  readonly topics: readonly string[];
  /** Every function that consumes MSK, with its consumer groups. */
  readonly consumers: readonly KafkaConsumer[];
  /** Every Firehose stream into the Lakehouse raw zone. */
  readonly streams: readonly LakehouseStream[];
  /** The Lakehouse buckets whose object counts are graphed (the raw and curated zones). */
  readonly buckets: readonly { readonly zone: string; readonly bucket: s3.IBucket }[];
  /** The Lakehouse's Athena workgroup (its `ProcessedBytes`). */
  readonly workGroup: athena.CfnWorkGroup;
}

/** The ML pipeline: training, curation, drift check, model and edge rollouts. */
export interface MlPipelineResources {
  /** Name of the SageMaker pipeline (`PipelineName` of `AWS/Sagemaker/ModelBuildingPipeline`). */
  readonly pipelineName: string;
  /** The workflows around it: the curation of its training data, the model and edge rollouts. */
  readonly stateMachines: readonly DashboardStateMachine[];
  /** The scheduled drift check (lambdas/model-drift-check). */
  readonly driftCheck: lambda.IFunction;
  /** The retraining trigger the drift alarms start. */
  readonly retrainingTrigger: lambda.IFunction;
  /** CloudWatch namespace of the drift metrics (`UnsMlops/ModelDrift`, dimension `Environment` too). */
  readonly driftNamespace: string;
  /** The model bundle whose drift is checked (the `Model` dimension of the drift metrics). */
  readonly modelName: string;
}

/** The compliance store, its API and the ingestion of `uns.validation` into it. */
export interface ComplianceResources {
  /** The RDS for PostgreSQL instance of the validation store. */
  readonly database: rds.IDatabaseInstance;
  /** The compliance API the dashboard reads. */
  readonly api: apigwv2.IHttpApi;
  /** The API's function. */
  readonly apiFunction: lambda.IFunction;
  /** The ingestion function (its errors are failed batches). */
  readonly ingestFunction: lambda.IFunction;
  /** Namespace of the ingestion's `PoisonRecords` (dimensions `Reason`, `service`). */
  readonly ingestNamespace: string;
  /** The `service` dimension of the ingestion's metrics. */
  readonly ingestService: string;
}

/** What a plant's dashboard shows beside its edge KPIs. */
export interface PlantResources {
  /** The plant's alarms (edge KPIs, drift) shown as one status widget. */
  readonly alarms: readonly cloudwatch.IAlarm[];
}

/** Properties of {@link UnsDashboards}. */
export interface UnsDashboardsProps {
  /**
   * The environment's name (`EnvironmentConfig.name`): in the titles, and the `Environment`
   * dimension of the drift metrics.
   */
  readonly environmentName: string;
  /**
   * Prefix of the dashboard names: the environment's dashboard is named the prefix itself, each
   * plant's `<namePrefix>-<siteId>`. Letters, digits, `-` and `_`.
   * @default 'uns-mlops-<environmentName>'
   */
  readonly namePrefix?: string;
  /** The plants (`EnvironmentConfig.plants`): one dashboard each. At least one. */
  readonly plants: readonly PlantConfig[];
  readonly dataPath: DataPathResources;
  readonly mlPipeline: MlPipelineResources;
  readonly compliance: ComplianceResources;
  /**
   * Namespace of the edge KPIs (dimension `Site`), as lib/streaming/edge-kpi-metrics.ts writes them.
   * @default 'UnsMlops/Edge'
   */
  readonly edgeKpiNamespace?: string;
  /**
   * The KPI limits of the rollout gate (`EnvironmentConfig.edgeRollout.kpis`), drawn as red lines
   * on the plants' graphs; each unset limit takes its value from `KPI_DEFAULTS`.
   * @default - the limits of `KPI_DEFAULTS` (lib/delivery/edge-kpis.ts).
   */
  readonly kpiThresholds?: EdgeKpiThresholds;
  /**
   * What each plant's dashboard shows beside its KPIs, by site id.
   * @default - no alarm status widget on any plant's dashboard.
   */
  readonly plantResources?: ReadonlyMap<string, PlantResources>;
  /**
   * Name of the SSM parameter holding the model component version in service, named on each
   * plant's dashboard (no metric carries the version).
   * @default - the plant dashboards do not name it.
   */
  readonly servingModelVersionParameter?: string;
  /**
   * URL of the hosted compliance dashboard, linked from each plant's dashboard.
   * @default - no link.
   */
  readonly complianceDashboardUrl?: string;
  /**
   * Period of every graph.
   * @default Duration.minutes(5) - the edge KPIs' evaluation period.
   */
  readonly period?: Duration;
}
