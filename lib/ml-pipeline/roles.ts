import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { bucketObjectsWildcardFinding, wildcardFinding } from '../quality/nag-findings';
import { dlcRepositoryArn } from './images';

/** Resolved settings of {@link MlPipelineRoles}. */
export interface MlPipelineRolesProps {
  readonly pipelineName: string;
  readonly modelPackageGroupName: string;
  readonly artifactBucket: s3.IBucket;
  readonly encryptionKey: kms.IKey;
  readonly stepCode: s3assets.Asset;
  /**
   * The Lakehouse's managed policy that lets the jobs read the telemetry: its direct S3 read of the
   * curated table, or its query policy when reading through Athena (Lake Formation grants then
   * decide the rows).
   */
  readonly dataAccessPolicy: iam.IManagedPolicy;
}

/** Log groups SageMaker jobs write to. */
const JOB_LOG_GROUPS = ['/aws/sagemaker/ProcessingJobs', '/aws/sagemaker/TrainingJobs'];
/** Prefix SageMaker Pipelines gives the names of the jobs it starts. */
const PIPELINE_JOB_PREFIX = 'pipelines-';

/**
 * The two roles of the pipeline, each with one managed policy and nothing more:
 * - the pipeline role, which SageMaker Pipelines uses to start and watch the jobs, read the
 *   evaluation property file and register the model in its group;
 * - the job role, which the processing and training jobs run as: read the Lakehouse telemetry, the
 *   step code and the artifacts of the same pipeline, write artifacts, use the keys, write logs.
 */
export class MlPipelineRoles extends Construct {
  readonly pipelineRole: iam.Role;
  readonly jobRole: iam.Role;
  /** The roles' managed policies (a job can start only once they exist). */
  readonly policies: readonly iam.ManagedPolicy[];

  constructor(scope: Construct, id: string, props: MlPipelineRolesProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const artifactObjects = `${props.pipelineName}/*`;
    const keyUse = (sid: string, key: kms.IKey) =>
      new iam.PolicyStatement({
        sid,
        actions: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
        resources: [key.keyArn],
      });
    // SageMaker encrypts the jobs' volumes through grants it creates for the job's AWS resources.
    const volumeGrants = new iam.PolicyStatement({
      sid: 'GrantVolumeEncryption',
      actions: ['kms:CreateGrant'],
      resources: [props.encryptionKey.keyArn],
      conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    });

    this.jobRole = new iam.Role(this, 'JobRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: `Processing and training jobs of the SageMaker pipeline ${props.pipelineName}`,
    });
    const jobPolicy = new iam.ManagedPolicy(this, 'JobPolicy', {
      description: `Least privilege of the jobs of ${props.pipelineName}`,
      roles: [this.jobRole],
      statements: [
        new iam.PolicyStatement({
          sid: 'ReadStepCode',
          actions: ['s3:GetObject'],
          resources: [props.stepCode.bucket.arnForObjects(props.stepCode.s3ObjectKey)],
        }),
        new iam.PolicyStatement({
          sid: 'ListArtifacts',
          actions: ['s3:ListBucket', 's3:GetBucketLocation'],
          resources: [props.artifactBucket.bucketArn],
        }),
        new iam.PolicyStatement({
          sid: 'ReadWriteArtifacts',
          actions: [
            's3:GetObject',
            's3:PutObject',
            's3:AbortMultipartUpload',
            's3:ListMultipartUploadParts',
          ],
          resources: [props.artifactBucket.arnForObjects(artifactObjects)],
        }),
        keyUse('UseArtifactKey', props.encryptionKey),
        volumeGrants,
        new iam.PolicyStatement({
          sid: 'PullFrameworkImages',
          actions: [
            'ecr:BatchGetImage',
            'ecr:GetDownloadUrlForLayer',
            'ecr:BatchCheckLayerAvailability',
          ],
          resources: (['pytorch-training', 'pytorch-inference'] as const).map((repository) =>
            dlcRepositoryArn(stack.partition, stack.region, repository),
          ),
        }),
        new iam.PolicyStatement({
          sid: 'AuthenticateToRegistries',
          actions: ['ecr:GetAuthorizationToken'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'WriteJobLogs',
          actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: JOB_LOG_GROUPS.flatMap((group) => [
            logGroupArn(stack, group),
            `${logGroupArn(stack, group)}:log-stream:*`,
          ]),
        }),
        new iam.PolicyStatement({
          sid: 'PublishJobMetrics',
          actions: ['cloudwatch:PutMetricData'],
          resources: ['*'],
          conditions: { StringLike: { 'cloudwatch:namespace': '/aws/sagemaker/*' } },
        }),
      ],
    });
    this.jobRole.addManagedPolicy(props.dataAccessPolicy);

    this.pipelineRole = new iam.Role(this, 'PipelineRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: `SageMaker Pipelines runs ${props.pipelineName} with this role`,
    });
    const sagemakerArn = (resource: string, resourceName: string) =>
      stack.formatArn({ service: 'sagemaker', resource, resourceName });
    const pipelinePolicy = new iam.ManagedPolicy(this, 'PipelinePolicy', {
      description: `Start, watch and register the jobs of ${props.pipelineName}`,
      roles: [this.pipelineRole],
      statements: [
        new iam.PolicyStatement({
          sid: 'RunPipelineJobs',
          actions: [
            'sagemaker:CreateProcessingJob',
            'sagemaker:DescribeProcessingJob',
            'sagemaker:StopProcessingJob',
            'sagemaker:CreateTrainingJob',
            'sagemaker:DescribeTrainingJob',
            'sagemaker:StopTrainingJob',
            'sagemaker:AddTags',
          ],
          resources: [
            sagemakerArn('processing-job', `${PIPELINE_JOB_PREFIX}*`),
            sagemakerArn('training-job', `${PIPELINE_JOB_PREFIX}*`),
          ],
        }),
        new iam.PolicyStatement({
          sid: 'RegisterModelVersions',
          actions: [
            'sagemaker:CreateModelPackage',
            'sagemaker:DescribeModelPackage',
            'sagemaker:DescribeModelPackageGroup',
            'sagemaker:AddTags',
          ],
          resources: [
            sagemakerArn('model-package-group', props.modelPackageGroupName),
            sagemakerArn('model-package', `${props.modelPackageGroupName}/*`),
          ],
        }),
        new iam.PolicyStatement({
          sid: 'PassJobRole',
          actions: ['iam:PassRole'],
          resources: [this.jobRole.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
        }),
        new iam.PolicyStatement({
          sid: 'ReadPropertyFiles',
          actions: ['s3:GetObject'],
          resources: [props.artifactBucket.arnForObjects(artifactObjects)],
        }),
        keyUse('UseArtifactKey', props.encryptionKey),
        volumeGrants,
      ],
    });

    this.policies = [jobPolicy, pipelinePolicy];
    const artifactsFinding = bucketObjectsWildcardFinding(props.artifactBucket, artifactObjects);
    const artifactsReason = `Job outputs are keyed by execution id, step and job name under the pipeline's own prefix ${artifactObjects}, so the prefix is the narrowest resource that covers them.`;
    Validations.of(jobPolicy).acknowledge(
      { id: artifactsFinding, reason: artifactsReason },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'ecr:GetAuthorizationToken has no resource-level scoping, and cloudwatch:PutMetricData is limited to the SageMaker namespaces by a condition instead.',
      },
      ...JOB_LOG_GROUPS.map((group) => ({
        id: wildcardFinding(this, `${logGroupArn(stack, group)}:log-stream:*`),
        reason: `SageMaker names each log stream in ${group} after the job and instance it runs, so streams are only known when a job starts.`,
      })),
    );
    Validations.of(pipelinePolicy).acknowledge(
      { id: artifactsFinding, reason: artifactsReason },
      ...['processing-job', 'training-job'].map((resource) => ({
        id: wildcardFinding(this, sagemakerArn(resource, `${PIPELINE_JOB_PREFIX}*`)),
        reason: `SageMaker Pipelines names every ${resource} it starts ${PIPELINE_JOB_PREFIX}<execution>-<step>-<suffix>, so the prefix is all that is known before a run.`,
      })),
      {
        id: wildcardFinding(
          this,
          sagemakerArn('model-package', `${props.modelPackageGroupName}/*`),
        ),
        reason:
          'Each registration creates the next numbered version of the one model package group, so its versions are covered by the group prefix.',
      },
    );
  }
}

function logGroupArn(stack: Stack, group: string): string {
  return `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:${group}`;
}
