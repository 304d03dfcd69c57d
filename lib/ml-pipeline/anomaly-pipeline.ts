import {
  Compare,
  ConditionStep,
  Execution,
  FailStep,
  join,
  Parameter,
  PipelineDefinition,
  ProcessingStep,
  RegisterModelStep,
  TrainingStep,
  type JobResources,
  type ProcessingInput,
  type TextValue,
} from './definition';
import type { ModelApprovalStatus } from './ml-pipeline-props';
import { TRAINING_DEFAULTS } from './training-defaults';

/** The step code's entry scripts (at the root of the step-code tarball). */
export const ENTRY_SCRIPTS = {
  preprocess: 'preprocess.py',
  train: 'train.py',
  evaluate: 'evaluate.py',
} as const;

/** Paths of the processing containers, as the step code expects them. */
export const PROCESSING_PATHS = {
  code: '/opt/ml/processing/input/code',
  data: '/opt/ml/processing/input/data',
  train: '/opt/ml/processing/output/train',
  validation: '/opt/ml/processing/output/validation',
  test: '/opt/ml/processing/output/test',
  model: '/opt/ml/processing/model',
  evaluationValidation: '/opt/ml/processing/validation',
  evaluationTest: '/opt/ml/processing/test',
  evaluation: '/opt/ml/processing/evaluation',
  bundle: '/opt/ml/processing/bundle',
} as const;

/** Where the training toolkit finds a channel's files (`/opt/ml/input/data/<channel>`). */
const TRAINING_CHANNEL_PATH = '/opt/ml/input/data';
/** The name of the evaluation's property file, its file and its JSON paths. */
export const EVALUATION_REPORT = {
  propertyFile: 'evaluation',
  fileName: 'evaluation.json',
  rocAuc: 'metrics.roc_auc.value',
  f1: 'metrics.f1.value',
} as const;

/**
 * The label of samples whose seam has not been inspected yet (the curated `labelled_telemetry`
 * table's `label` column): neither normal nor a defect, so preprocessing leaves them out.
 */
export const UNKNOWN_LABEL = 'uninspected';

/** The Lakehouse source of the preprocessing step, resolved. */
export type AnomalyPipelineInput =
  | { readonly kind: 's3'; readonly defaultUri: string }
  | {
      readonly kind: 'athena';
      readonly database: string;
      readonly table: string;
      readonly workGroup: string;
      readonly outputS3Uri: string;
      readonly kmsKeyArn: string;
    };

/** Everything the anomaly pipeline's definition is made of, resolved by the construct. */
export interface AnomalyPipelineOptions {
  readonly pipelineName: string;
  readonly region: string;
  readonly jobRoleArn: string;
  readonly kmsKeyArn: string;
  readonly artifactBucketName: string;
  readonly trainingImageUri: string;
  readonly inferenceImageUri: string;
  readonly modelPackageGroupName: string;
  readonly stepCode: { readonly s3Url: string; readonly fileName: string };
  readonly trainingNetworkIsolation: boolean;
  readonly input: AnomalyPipelineInput;
  readonly defaults: {
    readonly modelApprovalStatus: ModelApprovalStatus;
    readonly processingInstanceType: string;
    readonly trainingInstanceType: string;
    readonly minRocAuc: number;
    readonly minF1: number;
    readonly window: number;
    readonly stride: number;
    readonly epochs: number;
    readonly channels: readonly string[];
  };
}

/** The pipeline's parameters, by name, with their defaults. */
export function anomalyPipelineParameters(options: AnomalyPipelineOptions) {
  const { defaults, input } = options;
  return {
    input:
      input.kind === 's3'
        ? Parameter.string('InputDataUri', input.defaultUri)
        : Parameter.string('AthenaQuery', defaultAthenaQuery(input)),
    channels: Parameter.string('Channels', defaults.channels.join(',')),
    timeColumn: Parameter.string('TimeColumn', TRAINING_DEFAULTS.timeColumn),
    labelColumn: Parameter.string('LabelColumn', 'label'),
    unknownLabel: Parameter.string('UnknownLabel', UNKNOWN_LABEL),
    seriesColumns: Parameter.string('SeriesColumns', 'site,line,cell,asset'),
    window: Parameter.integer('Window', defaults.window),
    stride: Parameter.integer('Stride', defaults.stride),
    architecture: Parameter.string('Architecture', TRAINING_DEFAULTS.architecture),
    epochs: Parameter.integer('Epochs', defaults.epochs),
    batchSize: Parameter.integer('BatchSize', TRAINING_DEFAULTS.batchSize),
    learningRate: Parameter.float('LearningRate', TRAINING_DEFAULTS.learningRate),
    patience: Parameter.integer('Patience', TRAINING_DEFAULTS.patience),
    seed: Parameter.integer('Seed', TRAINING_DEFAULTS.seed),
    latentDim: Parameter.integer('LatentDim', TRAINING_DEFAULTS.latentDim),
    centreWindows: Parameter.string('CentreWindows', String(TRAINING_DEFAULTS.centreWindows)),
    thresholdRule: Parameter.string('ThresholdRule', TRAINING_DEFAULTS.thresholdRule),
    thresholdQuantile: Parameter.float('ThresholdQuantile', TRAINING_DEFAULTS.thresholdQuantile),
    thresholdRisk: Parameter.float('ThresholdRisk', TRAINING_DEFAULTS.thresholdRisk),
    modelName: Parameter.string('ModelName', TRAINING_DEFAULTS.modelName),
    processingInstanceType: Parameter.string(
      'ProcessingInstanceType',
      defaults.processingInstanceType,
    ),
    trainingInstanceType: Parameter.string('TrainingInstanceType', defaults.trainingInstanceType),
    minRocAuc: Parameter.float('MinRocAuc', defaults.minRocAuc),
    minF1: Parameter.float('MinF1', defaults.minF1),
    modelApprovalStatus: Parameter.string('ModelApprovalStatus', defaults.modelApprovalStatus),
  };
}

/**
 * The anomaly autoencoder pipeline: Preprocess (Lakehouse → windows) → Train (PyTorch) → Evaluate
 * (threshold, metrics, model bundle) → CheckQuality: RegisterModel when ROC-AUC and F1 reach their
 * thresholds, QualityGateFailed otherwise.
 */
export function anomalyPipelineDefinition(options: AnomalyPipelineOptions): PipelineDefinition {
  const p = anomalyPipelineParameters(options);
  const artifactUri = (...parts: string[]): TextValue =>
    join('/', [
      `s3://${options.artifactBucketName}/${options.pipelineName}`,
      Execution.pipelineExecutionId,
      ...parts,
    ]);
  const resources = (instanceType: TextValue, networkIsolation: boolean): JobResources => ({
    imageUri: options.trainingImageUri,
    roleArn: options.jobRoleArn,
    instanceType,
    volumeSizeInGb: 30,
    kmsKeyArn: options.kmsKeyArn,
    maxRuntimeSeconds: 3 * 60 * 60,
    networkIsolation,
  });
  const codeInput: ProcessingInput = {
    kind: 's3',
    name: 'code',
    s3Uri: options.stepCode.s3Url,
    localPath: PROCESSING_PATHS.code,
  };
  // Processing jobs may pip-install the step code's requirements, so they keep network access.
  const processing = resources(p.processingInstanceType.ref, false);
  const entrypoint = (script: string) => frameworkEntrypoint(options.stepCode.fileName, script);

  const preprocess = new ProcessingStep('Preprocess', {
    ...processing,
    entrypoint: entrypoint(ENTRY_SCRIPTS.preprocess),
    arguments: [
      '--channels',
      p.channels.ref,
      '--time-column',
      p.timeColumn.ref,
      '--label-column',
      p.labelColumn.ref,
      '--unknown-label',
      p.unknownLabel.ref,
      '--series-columns',
      p.seriesColumns.ref,
      '--channel-column',
      'channel',
      '--value-column',
      'value',
      '--window',
      p.window.asText(),
      '--stride',
      p.stride.asText(),
    ],
    inputs: [codeInput, dataInput(options.input, p.input.ref)],
    outputs: {
      train: { localPath: PROCESSING_PATHS.train, s3Uri: artifactUri('Preprocess', 'train') },
      validation: {
        localPath: PROCESSING_PATHS.validation,
        s3Uri: artifactUri('Preprocess', 'validation'),
      },
      test: { localPath: PROCESSING_PATHS.test, s3Uri: artifactUri('Preprocess', 'test') },
    },
  });

  const isolated = options.trainingNetworkIsolation;
  const train = new TrainingStep('Train', {
    ...resources(p.trainingInstanceType.ref, isolated),
    channels: {
      train: preprocess.outputUri('train'),
      validation: preprocess.outputUri('validation'),
      // Without network the container cannot download its code: it comes as an input channel.
      ...(isolated ? { code: options.stepCode.s3Url } : {}),
    },
    hyperparameters: {
      sagemaker_program: JSON.stringify(ENTRY_SCRIPTS.train),
      sagemaker_submit_directory: JSON.stringify(
        isolated
          ? `${TRAINING_CHANNEL_PATH}/code/${options.stepCode.fileName}`
          : options.stepCode.s3Url,
      ),
      sagemaker_region: JSON.stringify(options.region),
      sagemaker_container_log_level: '20',
      architecture: p.architecture.asHyperparameter(),
      epochs: p.epochs.asHyperparameter(),
      'batch-size': p.batchSize.asHyperparameter(),
      'learning-rate': p.learningRate.asHyperparameter(),
      patience: p.patience.asHyperparameter(),
      seed: p.seed.asHyperparameter(),
      'latent-dim': p.latentDim.asHyperparameter(),
      'centre-windows': p.centreWindows.asHyperparameter(),
    },
    outputS3Uri: artifactUri('Train'),
  });

  const evaluate = new ProcessingStep('Evaluate', {
    ...processing,
    entrypoint: entrypoint(ENTRY_SCRIPTS.evaluate),
    arguments: [
      '--threshold-rule',
      p.thresholdRule.ref,
      '--threshold-quantile',
      p.thresholdQuantile.asText(),
      '--threshold-risk',
      p.thresholdRisk.asText(),
      '--model-name',
      p.modelName.ref,
      '--model-version',
      Execution.pipelineExecutionId,
    ],
    inputs: [
      codeInput,
      { kind: 's3', name: 'model', s3Uri: train.modelArtifacts, localPath: PROCESSING_PATHS.model },
      {
        kind: 's3',
        name: 'validation',
        s3Uri: preprocess.outputUri('validation'),
        localPath: PROCESSING_PATHS.evaluationValidation,
      },
      {
        kind: 's3',
        name: 'test',
        s3Uri: preprocess.outputUri('test'),
        localPath: PROCESSING_PATHS.evaluationTest,
      },
    ],
    outputs: {
      evaluation: {
        localPath: PROCESSING_PATHS.evaluation,
        s3Uri: artifactUri('Evaluate', 'evaluation'),
      },
      bundle: { localPath: PROCESSING_PATHS.bundle, s3Uri: artifactUri('Evaluate', 'bundle') },
    },
    propertyFiles: {
      [EVALUATION_REPORT.propertyFile]: {
        output: 'evaluation',
        filePath: EVALUATION_REPORT.fileName,
      },
    },
  });

  const register = new RegisterModelStep('RegisterModel', {
    modelPackageGroupName: options.modelPackageGroupName,
    approvalStatus: p.modelApprovalStatus.ref,
    description:
      'Anomaly autoencoder bundle (model.onnx + manifest.json) that passed the quality gate',
    inferenceImageUri: options.inferenceImageUri,
    modelDataUrl: join('/', [evaluate.outputUri('bundle'), 'model.tar.gz']),
    contentTypes: ['application/json'],
    modelQualityStatisticsUri: join('/', [
      evaluate.outputUri('evaluation'),
      EVALUATION_REPORT.fileName,
    ]),
    metadata: {
      channels: p.channels.ref,
      window: p.window.asText(),
      stride: p.stride.asText(),
      architecture: p.architecture.ref,
    },
  });

  const fail = new FailStep(
    'QualityGateFailed',
    join('', [
      'The model missed the quality gate (ROC-AUC >= ',
      p.minRocAuc.ref,
      ' and F1 >= ',
      p.minF1.ref,
      '); see ',
      EVALUATION_REPORT.fileName,
      ' of execution ',
      Execution.pipelineExecutionId,
    ]),
  );

  const checkQuality = new ConditionStep('CheckQuality', {
    conditions: [
      Compare.greaterThanOrEqualTo(
        evaluate.jsonGet(EVALUATION_REPORT.propertyFile, EVALUATION_REPORT.rocAuc),
        p.minRocAuc.ref,
      ),
      Compare.greaterThanOrEqualTo(
        evaluate.jsonGet(EVALUATION_REPORT.propertyFile, EVALUATION_REPORT.f1),
        p.minF1.ref,
      ),
    ],
    ifSteps: [register],
    elseSteps: [fail],
  });

  return new PipelineDefinition(Object.values(p), [preprocess, train, evaluate, checkQuality]);
}

/**
 * The container entrypoint of a processing step, as the SageMaker SDK's FrameworkProcessor builds
 * it: unpack the step-code tarball, install its requirements when it has them, run the script with
 * the job's arguments (`bash -c <script> -- <args>` passes them as "$@").
 */
export function frameworkEntrypoint(tarballName: string, script: string): string[] {
  return [
    '/bin/bash',
    '-c',
    [
      'set -euo pipefail',
      `cd ${PROCESSING_PATHS.code}`,
      `tar -xzf ${tarballName}`,
      'if [ -f requirements.txt ]; then python3 -m pip install --quiet --no-cache-dir -r requirements.txt; fi',
      `exec python3 ${script} "$@"`,
    ].join(' && '),
    '--',
  ];
}

function dataInput(input: AnomalyPipelineInput, source: TextValue): ProcessingInput {
  return input.kind === 's3'
    ? { kind: 's3', name: 'data', s3Uri: source, localPath: PROCESSING_PATHS.data }
    : {
        kind: 'athena',
        name: 'data',
        localPath: PROCESSING_PATHS.data,
        database: input.database,
        queryString: source,
        workGroup: input.workGroup,
        outputS3Uri: input.outputS3Uri,
        kmsKeyArn: input.kmsKeyArn,
      };
}

function defaultAthenaQuery(input: Extract<AnomalyPipelineInput, { kind: 'athena' }>): string {
  return [
    'SELECT site, line, cell, asset, channel, sample_time, value, label',
    `FROM "${input.database}"."${input.table}"`,
    "WHERE dt >= date_format(current_date - interval '90' day, '%Y-%m-%d') AND quality = 'good'",
  ].join(' ');
}
