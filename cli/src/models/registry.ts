import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeModelPackageCommand,
  type DescribeModelPackageCommandOutput,
  paginateListModelPackages,
  SageMakerClient,
  UpdateModelPackageCommand,
  type ModelApprovalStatus,
} from '@aws-sdk/client-sagemaker';
import { EVALUATION_REPORT } from '../../../lib/ml-pipeline/anomaly-pipeline';
import { ML_PIPELINE_DEFAULTS } from '../../../lib/ml-pipeline/ml-pipeline-props';
import type { Context } from '../context';
import { CliError, UsageError } from '../errors';

/** The longest approval description (the reason of a decision) the model registry keeps. */
export const MAX_REASON_LENGTH = 1024;

/** A version of the environment's model package group, with its evaluation metrics. */
export interface ModelVersion {
  readonly version: number;
  readonly arn: string;
  /** `PendingManualApproval`, `Approved` or `Rejected`. */
  readonly status: string;
  readonly created?: Date;
  /** Why it was approved or rejected, as the approver wrote it. */
  readonly approvalDescription?: string;
  /** The pipeline execution that registered it. */
  readonly generatedBy?: string;
  /** The pipeline's `CustomerMetadataProperties`: architecture, channels, window, stride. */
  readonly metadata: Readonly<Record<string, string>>;
  /** S3 URI of the evaluation report (`ModelMetrics.ModelQuality.Statistics`). */
  readonly evaluationReport?: string;
  /** The report's test metrics by name (`roc_auc`, `f1`, ...); `null` where not computable. */
  readonly metrics?: Readonly<Record<string, number | null>>;
  /** Why the metrics could not be read, when they could not. */
  readonly metricsProblem?: string;
}

/** A metric the pipeline's quality gate requires, and its minimum in the environment. */
export interface GateMetric {
  /** Its name in the evaluation report's `metrics`. */
  readonly metric: string;
  readonly minimum: number;
}

/** The quality gate of the environment's pipeline: ROC-AUC and F1 minimums. */
export function qualityGate(context: Context): readonly GateMetric[] {
  const settings = context.target.config.mlPipeline;
  const metricName = (path: string) => path.split('.')[1] ?? path;
  return [
    {
      metric: metricName(EVALUATION_REPORT.rocAuc),
      minimum: settings.minRocAuc ?? ML_PIPELINE_DEFAULTS.minRocAuc,
    },
    {
      metric: metricName(EVALUATION_REPORT.f1),
      minimum: settings.minF1 ?? ML_PIPELINE_DEFAULTS.minF1,
    },
  ];
}

/** The newest versions of the group, newest first, optionally only those of one status. */
export async function listModelVersions(
  context: Context,
  options: { readonly status?: ModelApprovalStatus; readonly max: number },
): Promise<ModelVersion[]> {
  const client = new SageMakerClient({ region: context.target.region });
  const arns: string[] = [];
  const pages = paginateListModelPackages(
    { client, pageSize: Math.min(options.max, 100) },
    {
      ModelPackageGroupName: context.target.names.modelPackageGroup,
      ModelPackageType: 'Versioned',
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      ...(options.status ? { ModelApprovalStatus: options.status } : {}),
    },
  );
  for await (const page of pages) {
    for (const summary of page.ModelPackageSummaryList ?? []) {
      if (arns.length < options.max && summary.ModelPackageArn) arns.push(summary.ModelPackageArn);
    }
    if (arns.length >= options.max) break;
  }
  return Promise.all(arns.map((arn) => describeModelVersion(context, arn)));
}

/**
 * One version, by its number in the group or its ARN, with its metrics.
 * @throws CliError when the group has no such version.
 */
export async function describeModelVersion(
  context: Context,
  versionOrArn: string,
): Promise<ModelVersion> {
  const { names } = context.target;
  const arn = versionOrArn.startsWith('arn:')
    ? versionOrArn
    : modelPackageArn(context, versionOrArn);
  const client = new SageMakerClient({ region: context.target.region });
  let described: DescribeModelPackageCommandOutput;
  try {
    described = await client.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
  } catch (error) {
    if (!(error instanceof Error && /does not exist|not found/i.test(error.message))) throw error;
    throw new CliError(
      `Model package group ${names.modelPackageGroup} has no version ${versionOrArn}.`,
      `List its versions: uns-mlops models list -c env=${context.target.config.name}`,
    );
  }
  const reportUri = described.ModelMetrics?.ModelQuality?.Statistics?.S3Uri;
  const base = {
    version: described.ModelPackageVersion ?? 0,
    arn: described.ModelPackageArn ?? arn,
    status: described.ModelApprovalStatus ?? 'unknown',
    created: described.CreationTime,
    approvalDescription: described.ApprovalDescription,
    generatedBy: described.MetadataProperties?.GeneratedBy,
    metadata: described.CustomerMetadataProperties ?? {},
    evaluationReport: reportUri,
  };
  if (!reportUri) return { ...base, metricsProblem: 'registered without an evaluation report' };
  try {
    return { ...base, metrics: await readMetrics(context, reportUri) };
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { ...base, metricsProblem: `cannot read ${reportUri} (${reason})` };
  }
}

/** Sets a version's approval status with the reason, which the registry keeps. */
export async function setApproval(
  context: Context,
  version: ModelVersion,
  status: 'Approved' | 'Rejected',
  reason: string,
): Promise<void> {
  const client = new SageMakerClient({ region: context.target.region });
  await client.send(
    new UpdateModelPackageCommand({
      ModelPackageArn: version.arn,
      ModelApprovalStatus: status,
      ApprovalDescription: reason,
    }),
  );
}

async function readMetrics(context: Context, uri: string): Promise<Record<string, number | null>> {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match?.[1] || !match[2]) throw new Error(`not an S3 URI`);
  const client = new S3Client({ region: context.target.region });
  const object = await client.send(new GetObjectCommand({ Bucket: match[1], Key: match[2] }));
  const report = JSON.parse((await object.Body?.transformToString()) ?? '{}') as {
    metrics?: Record<string, { value?: number | null } | undefined>;
  };
  if (!report.metrics) throw new Error('the report has no metrics');
  return Object.fromEntries(
    Object.entries(report.metrics).map(([name, metric]) => [name, metric?.value ?? null]),
  );
}

function modelPackageArn(context: Context, version: string): string {
  if (!/^[1-9]\d*$/.test(version)) {
    throw new UsageError(
      `"${version}" is neither a version number nor a model package ARN.`,
      `Name the version as models list shows it, e.g. 3.`,
    );
  }
  const { region, config, names } = context.target;
  const partition = region.startsWith('cn-')
    ? 'aws-cn'
    : region.startsWith('us-gov-')
      ? 'aws-us-gov'
      : 'aws';
  return `arn:${partition}:sagemaker:${region}:${config.account}:model-package/${names.modelPackageGroup}/${version}`;
}
