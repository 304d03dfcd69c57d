import type { RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Alerting } from '../alerts/alarms';
import { withDefaults } from '../defaults';
import type { Lakehouse } from '../lakehouse';
import { TRAINING_DEFAULTS } from './training-defaults';

/** Status a newly registered model version gets in the model registry. */
export type ModelApprovalStatus = 'PendingManualApproval' | 'Approved';
export const MODEL_APPROVAL_STATUSES: readonly ModelApprovalStatus[] = [
  'PendingManualApproval',
  'Approved',
];

/**
 * Where the preprocessing step reads the telemetry from:
 * - `s3`: the curated `labelled_telemetry` Parquet files, by S3 URI (parameter `InputDataUri`);
 * - `athena`: the rows an Athena query over the curated catalog returns (parameter `AthenaQuery`),
 *   read through Lake Formation with a grant on the `labelled_telemetry` table.
 */
export type MlPipelineInputSource = 's3' | 'athena';
export const ML_PIPELINE_INPUT_SOURCES: readonly MlPipelineInputSource[] = ['s3', 'athena'];

/** Properties of an {@link MlPipeline}. */
export interface MlPipelineProps {
  /** The Lakehouse whose curated, labelled telemetry (`labelled_telemetry`) the pipeline trains on. */
  readonly lakehouse: Lakehouse;

  /**
   * Directory of the step code (`preprocess.py`, `train.py` and `evaluate.py` at its root).
   * @default - `pipelines/src` of this repository.
   */
  readonly stepCodeDirectory?: string;

  /**
   * Name of the SageMaker pipeline; also the name of its model package group and the S3 prefix
   * of its artifacts. Unique per account and region.
   * @default 'uns-mlops-anomaly-autoencoder'
   */
  readonly pipelineName?: string;

  /**
   * How the preprocessing step reads the Lakehouse (see {@link MlPipelineInputSource}).
   * @default 's3' - the curated Parquet files, with IAM read access to the `labelled_telemetry`
   *   prefix only.
   */
  readonly inputSource?: MlPipelineInputSource;

  /**
   * Status of a model version the pipeline registers after it passed the quality gate.
   * @default 'PendingManualApproval' - a person approves each model before it can be deployed.
   */
  readonly modelApprovalStatus?: ModelApprovalStatus;

  /**
   * When EventBridge Scheduler starts the pipeline: `rate(...)`, `cron(...)` or `at(...)`.
   * @default 'cron(0 2 ? * MON *)' - every Monday at 02:00 in `scheduleTimeZone`.
   */
  readonly scheduleExpression?: string;

  /**
   * IANA time zone of `scheduleExpression`.
   * @default 'UTC'
   */
  readonly scheduleTimeZone?: string;

  /**
   * Default instance type of the preprocessing and evaluation jobs (parameter `ProcessingInstanceType`).
   * @default 'ml.m5.xlarge'
   */
  readonly processingInstanceType?: string;

  /**
   * Default instance type of the training job (parameter `TrainingInstanceType`).
   * @default 'ml.m5.xlarge' - the autoencoders train on CPU in minutes.
   */
  readonly trainingInstanceType?: string;

  /**
   * Default lowest ROC-AUC on the test period for a model to be registered (parameter `MinRocAuc`).
   * @default 0.97
   */
  readonly minRocAuc?: number;

  /**
   * Default lowest F1 score at the chosen threshold for a model to be registered (parameter `MinF1`).
   * @default 0.9
   */
  readonly minF1?: number;

  /**
   * Default window length in samples (parameter `Window`).
   * @default 128 - as `npm run ml` (`pipelines/src/uns_anomaly/defaults.json`).
   */
  readonly window?: number;

  /**
   * Default step between window starts in samples, at most the window (parameter `Stride`): the
   * stride of the test windows and of the scores at the edge (training windows overlap more when the
   * data are few).
   * @default 64 - as `npm run ml` (`pipelines/src/uns_anomaly/defaults.json`).
   */
  readonly stride?: number;

  /**
   * Default maximum number of training epochs; early stopping may end sooner (parameter `Epochs`).
   * @default 60 - as `npm run ml` (`pipelines/src/uns_anomaly/defaults.json`).
   */
  readonly epochs?: number;

  /**
   * Default channels the model reads, in order (parameter `Channels`).
   * @default - the welding signals arc_current, arc_voltage, wire_feed_speed and gas_flow, as `npm run
   * ml` (`pipelines/src/uns_anomaly/defaults.json`).
   */
  readonly channels?: readonly string[];

  /**
   * Run the training job without network access. The training toolkit installs the step code's
   * `requirements.txt` with pip, which needs the network; so isolation requires step code without one.
   * @default - true when the step code has no `requirements.txt`, false otherwise.
   */
  readonly trainingNetworkIsolation?: boolean;

  /**
   * Customer-managed key of the artifact bucket, the jobs' volumes and outputs.
   * @default - a new key with yearly automatic rotation.
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Destination of the artifact bucket's S3 server access logs.
   * @default - a new access-log bucket (SSE-S3, as S3 server access logging requires).
   */
  readonly serverAccessLogsBucket?: s3.IBucket;

  /**
   * What happens to the artifact bucket and the key when they leave the stack.
   * @default RemovalPolicy.RETAIN - model artifacts and evaluation reports outlive the stack.
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Where the pipeline's alarm goes: executions failed (a step's error, or a model that failed
   * the quality gate).
   * @default - no alarm.
   */
  readonly alerts?: Alerting;
}

/** The defaults documented on {@link MlPipelineProps}, in one place. */
export const ML_PIPELINE_DEFAULTS = {
  pipelineName: 'uns-mlops-anomaly-autoencoder',
  inputSource: 's3' as MlPipelineInputSource,
  modelApprovalStatus: 'PendingManualApproval' as ModelApprovalStatus,
  scheduleExpression: 'cron(0 2 ? * MON *)',
  scheduleTimeZone: 'UTC',
  processingInstanceType: 'ml.m5.xlarge',
  trainingInstanceType: 'ml.m5.xlarge',
  minRocAuc: 0.97,
  minF1: 0.9,
  window: TRAINING_DEFAULTS.window,
  stride: TRAINING_DEFAULTS.stride,
  epochs: TRAINING_DEFAULTS.epochs,
  channels: TRAINING_DEFAULTS.channels as readonly string[],
} as const;

/** The props with every default filled in. */
export function resolveMlPipelineSettings(props: MlPipelineProps) {
  return withDefaults(props, ML_PIPELINE_DEFAULTS);
}
