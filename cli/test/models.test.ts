/**
 * `uns-mlops models`: the registry of the environment's pipeline, its versions' evaluation
 * metrics, and approving or rejecting a version only after its metrics were shown.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeModelPackageCommand,
  ListModelPackagesCommand,
  SageMakerClient,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { awsError, cli, cloudformation, deployAllStacks } from './support';

const sagemaker = mockClient(SageMakerClient);
const s3 = mockClient(S3Client);

const GROUP = 'uns-mlops-anomaly-autoencoder';
const arn = (version: number) =>
  `arn:aws:sagemaker:eu-central-1:222222222222:model-package/${GROUP}/${version}`;
const report = (version: number) =>
  `s3://uns-mlops-artifacts/${GROUP}/run-${version}/Evaluate/evaluation/evaluation.json`;

/** The evaluation.json the pipeline's Evaluate step writes (its metrics part). */
function evaluation(rocAuc: number, f1: number) {
  return JSON.stringify({
    metrics: {
      roc_auc: { value: rocAuc },
      pr_auc: { value: 0.91 },
      f1: { value: f1 },
      precision: { value: 0.93 },
      recall: { value: 0.9 },
      matthews_corrcoef: { value: null },
    },
    threshold: { value: 0.0123, rule: 'quantile' },
  });
}

/** Registers versions (newest first) with their status and metrics, as the pipeline does. */
function registry(versions: { version: number; status: string; rocAuc?: number; f1?: number }[]) {
  sagemaker.on(ListModelPackagesCommand).resolves({
    ModelPackageSummaryList: versions.map(({ version, status }) => ({
      ModelPackageArn: arn(version),
      ModelPackageGroupName: GROUP,
      ModelPackageVersion: version,
      ModelApprovalStatus: status as 'Approved',
      CreationTime: new Date(`2026-11-${10 + version}T02:40:00Z`),
      ModelPackageStatus: 'Completed',
    })),
  });
  for (const { version, status, rocAuc, f1 } of versions) {
    sagemaker.on(DescribeModelPackageCommand, { ModelPackageName: arn(version) }).resolves({
      ModelPackageArn: arn(version),
      ModelPackageGroupName: GROUP,
      ModelPackageVersion: version,
      ModelApprovalStatus: status as 'Approved',
      CreationTime: new Date(`2026-11-${10 + version}T02:40:00Z`),
      MetadataProperties: {
        GeneratedBy: `arn:aws:sagemaker:eu-central-1:222222222222:pipeline/${GROUP}/execution/run${version}`,
      },
      CustomerMetadataProperties: { architecture: 'conv1d', window: '64', stride: '16' },
      ...(rocAuc === undefined
        ? {}
        : {
            ModelMetrics: {
              ModelQuality: {
                Statistics: { ContentType: 'application/json', S3Uri: report(version) },
              },
            },
          }),
    });
    if (rocAuc !== undefined && f1 !== undefined) {
      const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(report(version))!;
      s3.on(GetObjectCommand, { Bucket: bucket, Key: key }).resolves({
        Body: { transformToString: () => Promise.resolve(evaluation(rocAuc, f1)) } as never,
      });
    }
  }
}

const updates = () =>
  sagemaker.commandCalls(UpdateModelPackageCommand).map((call) => call.args[0].input);

beforeEach(() => {
  cloudformation.reset();
  sagemaker.reset();
  s3.reset();
  deployAllStacks();
  sagemaker
    .on(DescribeModelPackageCommand)
    .rejects(awsError('ValidationException', 'Model Package arn:... does not exist.'));
  sagemaker.on(UpdateModelPackageCommand).resolves({});
});

describe('models list', () => {
  it('lists the versions newest first with status, date and the evaluation metrics', async () => {
    registry([
      { version: 3, status: 'PendingManualApproval', rocAuc: 0.9912, f1: 0.9431 },
      { version: 2, status: 'Approved', rocAuc: 0.982, f1: 0.92 },
    ]);
    const { code, stdout } = await cli(['models', 'list', '-c', 'env=prod']);
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        `Model package group ${GROUP} (prod, eu-central-1): 2 versions, newest first`,
        'VERSION  STATUS                 CREATED            ROC_AUC  F1      PR_AUC  PRECISION  RECALL',
        '3        PendingManualApproval  2026-11-13 02:40Z  0.9912   0.9431  0.9100  0.9300     0.9000',
        '2        Approved               2026-11-12 02:40Z  0.9820   0.9200  0.9100  0.9300     0.9000',
        '',
      ].join('\n'),
    );
    expect(sagemaker.commandCalls(ListModelPackagesCommand)[0]!.args[0].input).toMatchObject({
      ModelPackageGroupName: GROUP,
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
    });
  });

  it('says which versions have no readable metrics, and why', async () => {
    registry([{ version: 4, status: 'PendingManualApproval' }]);
    const { code, stdout } = await cli(['models', 'list', '-c', 'env=prod']);
    expect(code).toBe(0);
    expect(stdout).toContain('4        PendingManualApproval  2026-11-14 02:40Z  -        -');
    expect(stdout).toContain('version 4: no metrics, registered without an evaluation report');
  });

  it('filters by status and stops at --max', async () => {
    registry([
      { version: 3, status: 'PendingManualApproval', rocAuc: 0.99, f1: 0.95 },
      { version: 1, status: 'PendingManualApproval', rocAuc: 0.98, f1: 0.94 },
    ]);
    const { stdout } = await cli([
      'models',
      'list',
      '--status',
      'PendingManualApproval',
      '--max',
      '1',
      '-c',
      'env=prod',
    ]);
    expect(stdout).toContain('1 version, newest first');
    expect(sagemaker.commandCalls(ListModelPackagesCommand)[0]!.args[0].input).toMatchObject({
      ModelApprovalStatus: 'PendingManualApproval',
      MaxResults: 1,
    });
    expect(sagemaker.commandCalls(DescribeModelPackageCommand)).toHaveLength(1);
  });

  it('says so when the group has no versions', async () => {
    registry([]);
    const { stdout } = await cli(['models', 'list', '-c', 'env=prod']);
    expect(stdout).toBe(`Model package group ${GROUP} (prod, eu-central-1): no versions.\n`);
  });

  it('prints the versions with every metric as JSON with --json', async () => {
    registry([{ version: 3, status: 'PendingManualApproval', rocAuc: 0.9912, f1: 0.9431 }]);
    const { stdout } = await cli(['models', 'list', '--json', '-c', 'env=prod']);
    const parsed = JSON.parse(stdout);
    expect(parsed.modelPackageGroup).toBe(GROUP);
    expect(parsed.versions[0]).toMatchObject({
      version: 3,
      arn: arn(3),
      status: 'PendingManualApproval',
      evaluationReport: report(3),
      metrics: { roc_auc: 0.9912, f1: 0.9431, matthews_corrcoef: null },
      metadata: { architecture: 'conv1d' },
    });
  });

  it('refuses an unknown status or a --max that is not a count, exit 2', async () => {
    expect((await cli(['models', 'list', '--status', 'Pending'])).stderr).toContain(
      'fix: Use one of PendingManualApproval, Approved, Rejected.',
    );
    const { code, stderr } = await cli(['models', 'list', '--max', 'ten']);
    expect(code).toBe(2);
    expect(stderr).toContain('--max must be a whole number above 0, not "ten"');
  });
});

describe('models approve', () => {
  beforeEach(() => {
    registry([
      { version: 3, status: 'PendingManualApproval', rocAuc: 0.9912, f1: 0.9431 },
      { version: 2, status: 'PendingManualApproval', rocAuc: 0.96, f1: 0.95 },
    ]);
  });

  it('shows the version and its metrics against the gate, asks, then approves with the reason', async () => {
    const { code, stdout, stderr, asked } = await cli(
      ['models', 'approve', '3', '--reason', 'checked on last week', '-c', 'env=prod'],
      { answers: ['y'] },
    );
    expect(code).toBe(0);
    expect(stderr).toContain(`Model package ${GROUP} version 3 (prod, eu-central-1)`);
    expect(stderr).toContain('metrics       roc_auc 0.9912 (gate >= 0.97: met)');
    expect(stderr).toContain('                f1 0.9431 (gate >= 0.9: met)');
    expect(stderr).toContain(`report        ${report(3)}`);
    expect(stderr).toContain('metadata      architecture=conv1d, stride=16, window=64');
    expect(asked).toEqual(['Approve version 3? [y/N] ']);
    expect(updates()).toEqual([
      {
        ModelPackageArn: arn(3),
        ModelApprovalStatus: 'Approved',
        ApprovalDescription: 'checked on last week',
      },
    ]);
    expect(stdout).toContain(`Version 3 of ${GROUP} is Approved: checked on last week`);
  });

  it('marks a metric below the gate of the environment', async () => {
    const { stderr } = await cli(['models', 'approve', '2', '--reason', 'r', '-c', 'env=prod'], {
      answers: ['n'],
    });
    expect(stderr).toContain('roc_auc 0.9600 (gate >= 0.97: MISSED)');
  });

  it('leaves the version as it is when the answer is not yes, exit 1', async () => {
    const { code, stderr } = await cli(
      ['models', 'approve', '3', '--reason', 'r', '-c', 'env=prod'],
      {
        answers: [''],
      },
    );
    expect(code).toBe(1);
    expect(stderr).toContain('Left as PendingManualApproval.');
    expect(updates()).toEqual([]);
  });

  it('approves without asking with --yes, and takes the ARN as well as the number', async () => {
    const { code, asked } = await cli([
      'models',
      'approve',
      arn(3),
      '--reason',
      'r',
      '--yes',
      '-c',
      'env=prod',
    ]);
    expect(code).toBe(0);
    expect(asked).toEqual([]);
    expect(updates()).toHaveLength(1);
  });

  it('refuses to ask when nobody can answer: --yes is needed, exit 2', async () => {
    const { code, stderr } = await cli([
      'models',
      'approve',
      '3',
      '--reason',
      'r',
      '-c',
      'env=prod',
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain('fix: Add --yes to decide without asking.');
    expect(updates()).toEqual([]);
  });

  it('needs a reason, at most as long as the registry keeps, exit 2', async () => {
    const missing = await cli(['models', 'approve', '3', '--yes', '-c', 'env=prod']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('error: models approve needs a reason.');
    const long = await cli([
      'models',
      'approve',
      '3',
      '--yes',
      '--reason',
      'x'.repeat(1025),
      '-c',
      'env=prod',
    ]);
    expect(long.code).toBe(2);
    expect(long.stderr).toContain('the model registry keeps at most 1024');
    expect(cloudformation.calls()).toHaveLength(0);
  });

  it('names the list command for a version the group does not have, exit 1', async () => {
    const { code, stderr } = await cli([
      'models',
      'approve',
      '9',
      '--reason',
      'r',
      '--yes',
      '-c',
      'env=prod',
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain(`error: Model package group ${GROUP} has no version 9.`);
    expect(stderr).toContain('fix: List its versions: uns-mlops models list -c env=prod');
  });

  it('refuses a version that is neither a number nor an ARN, exit 2', async () => {
    const { code } = await cli([
      'models',
      'approve',
      'latest',
      '--reason',
      'r',
      '--yes',
      '-c',
      'env=prod',
    ]);
    expect(code).toBe(2);
  });

  it('does nothing to a version already approved, exit 1', async () => {
    registry([{ version: 5, status: 'Approved', rocAuc: 0.99, f1: 0.95 }]);
    const { code, stderr } = await cli([
      'models',
      'approve',
      '5',
      '--reason',
      'r',
      '--yes',
      '-c',
      'env=prod',
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain('error: Version 5 is already Approved.');
    expect(updates()).toEqual([]);
  });

  it('shows that the metrics could not be read, and still asks', async () => {
    s3.on(GetObjectCommand).rejects(awsError('AccessDenied', 'Access Denied'));
    const { stderr, asked } = await cli(
      ['models', 'approve', '3', '--reason', 'r', '-c', 'env=prod'],
      {
        answers: ['n'],
      },
    );
    expect(stderr).toContain(
      `metrics       none: cannot read ${report(3)} (AccessDenied: Access Denied)`,
    );
    expect(asked).toHaveLength(1);
  });

  it('prints the decision as JSON with --json', async () => {
    const { stdout } = await cli([
      'models',
      'approve',
      '3',
      '--reason',
      'ok',
      '--yes',
      '--json',
      '-c',
      'env=prod',
    ]);
    expect(JSON.parse(stdout)).toMatchObject({
      version: 3,
      previousStatus: 'PendingManualApproval',
      status: 'Approved',
      approvalDescription: 'ok',
      metrics: { roc_auc: 0.9912 },
    });
  });
});

describe('models reject', () => {
  it('rejects with the reason after showing the metrics', async () => {
    registry([{ version: 2, status: 'PendingManualApproval', rocAuc: 0.96, f1: 0.95 }]);
    const { code, stderr, asked } = await cli(
      ['models', 'reject', '2', '--reason', 'below the gate', '-c', 'env=prod'],
      { answers: ['yes'] },
    );
    expect(code).toBe(0);
    expect(stderr).toContain('roc_auc 0.9600 (gate >= 0.97: MISSED)');
    expect(asked).toEqual(['Reject version 2? [y/N] ']);
    expect(updates()).toEqual([
      {
        ModelPackageArn: arn(2),
        ModelApprovalStatus: 'Rejected',
        ApprovalDescription: 'below the gate',
      },
    ]);
  });

  it('refuses an unknown action or missing version, exit 2', async () => {
    expect((await cli(['models', 'promote', '3'])).stderr).toContain(
      'error: Unknown models action "promote".',
    );
    expect((await cli(['models'])).stderr).toContain('error: models needs an action');
    const { code, stderr } = await cli(['models', 'reject', '--reason', 'r']);
    expect(code).toBe(2);
    expect(stderr).toContain('error: Wrong arguments for models reject.');
  });
});
