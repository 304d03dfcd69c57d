import { join } from 'node:path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { type Alerting, notifyingAlarm } from '../alerts/alarms';
import { createAccessLogsBucket, createEncryptedBucket } from '../lakehouse/storage';
import {
  anomalyPipelineDefinition,
  ENTRY_SCRIPTS,
  type AnomalyPipelineInput,
} from './anomaly-pipeline';
import type { PipelineDefinition } from './definition';
import { dlcImageUri, PYTORCH_IMAGE_TAGS } from './images';
import { resolveMlPipelineSettings, type MlPipelineProps } from './ml-pipeline-props';
import { MlPipelineRoles } from './roles';
import { StepCode } from './step-code';
import { mlPipelinePropsProblems } from './validate-props';

/** `pipelines/src` of this repository: the step code the pipeline runs by default. */
export const DEFAULT_STEP_CODE_DIRECTORY = join(__dirname, '..', '..', 'pipelines', 'src');
/**
 * The curated Lakehouse table the pipeline trains on: telemetry labelled from seam inspections
 * (column `label`), written by the Lakehouse curation (lib/curation).
 */
export const TRAINING_TABLE = 'labelled_telemetry';
/** Prefix of Athena's output for the pipeline in the Lakehouse results bucket (under the workgroup's). */
const ATHENA_OUTPUT_PREFIX = 'athena/sagemaker-datasets/';

const NO_REPLICATION_REASON =
  'Model artifacts are re-created by re-running the pipeline, and registered models are kept by the model registry; replication is a per-environment disaster-recovery decision.';

/**
 * The SageMaker Pipeline that turns the Lakehouse's labelled telemetry (the curated
 * `labelled_telemetry` table) into a registered anomaly model:
 * Preprocess → Train (PyTorch) → Evaluate → CheckQuality → RegisterModel or QualityGateFailed.
 *
 * Around it: the step code as a deterministic `sourcedir.tar.gz` asset, a model package group, an
 * encrypted, versioned, TLS-only artifact bucket with access logs, a pipeline role and a job role
 * with least privilege (and a Lake Formation grant when reading through Athena), and an
 * EventBridge Scheduler schedule with its own role. Jobs encrypt volumes and outputs with the
 * pipeline's key and traffic between their containers; training runs without network access when
 * the step code needs no packages installed.
 *
 * Alarm (with `alerts`): executions failed (`AWS/Sagemaker/ModelBuildingPipeline`
 * `ExecutionFailed`, dimension `PipelineName`), a step's error or a model that failed the quality
 * gate (the `QualityGateFailed` step fails the execution).
 */
export class MlPipeline extends Construct {
  readonly pipeline: sagemaker.CfnPipeline;
  readonly pipelineName: string;
  /** The definition SageMaker runs, as typed steps and parameters (before CDK resolves tokens). */
  readonly definition: PipelineDefinition;
  readonly modelPackageGroup: sagemaker.CfnModelPackageGroup;
  readonly artifactBucket: s3.Bucket;
  readonly encryptionKey: kms.IKey;
  readonly stepCode: StepCode;
  readonly pipelineRole: iam.Role;
  readonly jobRole: iam.Role;
  readonly schedule: scheduler.CfnSchedule;
  readonly scheduleRole: iam.Role;
  /** Lake Formation grant of the training table to the job role (Athena input only). */
  readonly trainingDataGrant?: lakeformation.CfnPrincipalPermissions;

  constructor(scope: Construct, id: string, props: MlPipelineProps) {
    super(scope, id);
    const problems = mlPipelinePropsProblems(props);
    if (problems.length > 0) {
      throw new Error(
        `Invalid ML pipeline props at ${this.node.path}:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      );
    }
    const settings = resolveMlPipelineSettings(props);
    const stack = Stack.of(this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const { lakehouse } = props;
    this.pipelineName = settings.pipelineName;
    const trainingImageUri = dlcImageUri(
      stack.region,
      'pytorch-training',
      PYTORCH_IMAGE_TAGS.training,
    );
    const inferenceImageUri = dlcImageUri(
      stack.region,
      'pytorch-inference',
      PYTORCH_IMAGE_TAGS.inference,
    );

    this.stepCode = new StepCode(this, 'StepCode', {
      directory: props.stepCodeDirectory ?? DEFAULT_STEP_CODE_DIRECTORY,
      entryScripts: Object.values(ENTRY_SCRIPTS),
    });
    const trainingNetworkIsolation =
      props.trainingNetworkIsolation ?? !this.stepCode.hasRequirements;
    if (trainingNetworkIsolation && this.stepCode.hasRequirements) {
      throw new Error(
        `trainingNetworkIsolation cannot be true at ${this.node.path}: the step code has a requirements.txt, which the training toolkit installs from PyPI and so needs network access.`,
      );
    }

    this.encryptionKey =
      props.encryptionKey ??
      new kms.Key(this, 'Key', {
        description: `uns-mlops ML pipeline ${this.pipelineName}: artifacts, job volumes and outputs`,
        enableKeyRotation: true,
        removalPolicy,
      });

    this.artifactBucket = this.createArtifactBucket(props, removalPolicy);

    this.modelPackageGroup = new sagemaker.CfnModelPackageGroup(this, 'ModelPackageGroup', {
      modelPackageGroupName: this.pipelineName,
      modelPackageGroupDescription:
        'Anomaly autoencoder bundles (model.onnx + manifest.json) that passed the quality gate',
    });

    if (lakehouse.catalog.curated.tables[TRAINING_TABLE] === undefined) {
      throw new Error(`The Lakehouse has no curated ${TRAINING_TABLE} table.`);
    }
    const roles = new MlPipelineRoles(this, 'Roles', {
      pipelineName: this.pipelineName,
      modelPackageGroupName: this.pipelineName,
      artifactBucket: this.artifactBucket,
      encryptionKey: this.encryptionKey,
      stepCode: this.stepCode.asset,
      dataAccessPolicy:
        settings.inputSource === 's3'
          ? lakehouse.curatedTableReadPolicy(TRAINING_TABLE)
          : lakehouse.queryAccessPolicy,
    });
    this.pipelineRole = roles.pipelineRole;
    this.jobRole = roles.jobRole;

    if (settings.inputSource === 'athena') {
      this.trainingDataGrant = new lakeformation.CfnPrincipalPermissions(
        this,
        'TrainingDataGrant',
        {
          principal: { dataLakePrincipalIdentifier: this.jobRole.roleArn },
          resource: {
            table: {
              catalogId: stack.account,
              databaseName: lakehouse.catalog.curated.database.databaseName,
              name: TRAINING_TABLE,
            },
          },
          permissions: ['SELECT', 'DESCRIBE'],
          permissionsWithGrantOption: [],
        },
      );
    }
    const input: AnomalyPipelineInput =
      settings.inputSource === 's3'
        ? {
            kind: 's3',
            defaultUri: lakehouse.storage.curatedBucket.s3UrlForObject(`${TRAINING_TABLE}/`),
          }
        : {
            kind: 'athena',
            database: lakehouse.catalog.curated.database.databaseName,
            table: TRAINING_TABLE,
            workGroup: lakehouse.analytics.workGroup.ref,
            outputS3Uri: lakehouse.storage.athenaResultsBucket.s3UrlForObject(ATHENA_OUTPUT_PREFIX),
            kmsKeyArn: lakehouse.encryptionKey.keyArn,
          };

    this.definition = anomalyPipelineDefinition({
      pipelineName: this.pipelineName,
      region: stack.region,
      jobRoleArn: this.jobRole.roleArn,
      kmsKeyArn: this.encryptionKey.keyArn,
      artifactBucketName: this.artifactBucket.bucketName,
      trainingImageUri,
      inferenceImageUri,
      modelPackageGroupName: this.pipelineName,
      stepCode: { s3Url: this.stepCode.asset.s3ObjectUrl, fileName: this.stepCode.fileName },
      trainingNetworkIsolation,
      input,
      defaults: settings,
    });

    this.pipeline = new sagemaker.CfnPipeline(this, 'Pipeline', {
      pipelineName: this.pipelineName,
      pipelineDisplayName: this.pipelineName,
      pipelineDescription:
        'Lakehouse telemetry to a registered anomaly autoencoder: preprocess, train, evaluate, quality gate, register',
      roleArn: this.pipelineRole.roleArn,
      pipelineDefinition: {
        PipelineDefinitionBody: stack.toJsonString(this.definition.toJson()),
      },
    });
    // The role's policy must exist before SageMaker validates the definition with it.
    this.pipeline.node.addDependency(...roles.policies);
    this.pipeline.node.addDependency(this.modelPackageGroup);
    if (this.trainingDataGrant !== undefined) {
      this.pipeline.node.addDependency(this.trainingDataGrant);
    }
    if (props.alerts !== undefined) this.executionsFailedAlarm(props.alerts);

    const pipelineArn = stack.formatArn({
      service: 'sagemaker',
      resource: 'pipeline',
      resourceName: this.pipelineName,
    });
    this.scheduleRole = new iam.Role(this, 'ScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: `EventBridge Scheduler starts the SageMaker pipeline ${this.pipelineName}`,
    });
    new iam.ManagedPolicy(this, 'SchedulePolicy', {
      description: `Start executions of ${this.pipelineName} only`,
      roles: [this.scheduleRole],
      statements: [
        new iam.PolicyStatement({
          sid: 'StartPipeline',
          actions: ['sagemaker:StartPipelineExecution'],
          resources: [pipelineArn],
        }),
      ],
    });
    this.schedule = new scheduler.CfnSchedule(this, 'Schedule', {
      description: `Starts ${this.pipelineName} with its default parameters`,
      scheduleExpression: settings.scheduleExpression,
      scheduleExpressionTimezone: settings.scheduleTimeZone,
      flexibleTimeWindow: { mode: 'FLEXIBLE', maximumWindowInMinutes: 60 },
      state: 'ENABLED',
      target: {
        arn: pipelineArn,
        roleArn: this.scheduleRole.roleArn,
        sageMakerPipelineParameters: { pipelineParameterList: [] },
        retryPolicy: {
          maximumEventAgeInSeconds: Duration.hours(6).toSeconds(),
          maximumRetryAttempts: 3,
        },
      },
    });
    this.schedule.node.addDependency(this.pipeline);
  }

  private createArtifactBucket(props: MlPipelineProps, removalPolicy: RemovalPolicy): s3.Bucket {
    const accessLogs =
      props.serverAccessLogsBucket ??
      createAccessLogsBucket(this, 'AccessLogs', {
        expireAfterDays: 365,
        removalPolicy,
        noReplicationReason: NO_REPLICATION_REASON,
      });
    return createEncryptedBucket(this, 'Artifacts', {
      encryptionKey: this.encryptionKey,
      accessLogs,
      accessLogsPrefix: 'artifacts/',
      lifecycleRules: [
        {
          id: 'abort-incomplete-multipart-uploads',
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
        { id: 'expire-noncurrent-versions', noncurrentVersionExpiration: Duration.days(30) },
      ],
      removalPolicy,
      noReplicationReason: NO_REPLICATION_REASON,
    });
  }

  /** Executions failed in a period (each failed run notifies once). */
  private executionsFailedAlarm(alerts: Alerting): void {
    notifyingAlarm(this, 'ExecutionsFailedAlarm', alerts, {
      name: 'ml-pipeline-failed',
      description: `SageMaker pipeline ${this.pipelineName}: an execution failed, at a step's error or because the new model failed the quality gate (QualityGateFailed). Open the execution in SageMaker Studio (or \`uns-mlops status\`) for the failed step and its job's logs.`,
      metric: new cloudwatch.Metric({
        namespace: 'AWS/Sagemaker/ModelBuildingPipeline',
        metricName: 'ExecutionFailed',
        dimensionsMap: { PipelineName: this.pipelineName },
        statistic: cloudwatch.Stats.SUM,
        period: Duration.minutes(alerts.thresholds.periodMinutes),
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      notifyOk: false,
    });
  }
}
